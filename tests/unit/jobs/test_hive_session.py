"""A session HiveServer2 could not open is the server's trouble (retried, transient), a rejected statement is the
SQL's (permanent) unless its SQLSTATE blames the server (transient): HiveClient with PyHive's connect replaced by
a fake that answers as the Spark Thrift Server does."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from pyhive import exc as hive_exc
from TCLIService import ttypes
from thrift.transport.TTransport import TTransportException

from contract import exit_codes
from jobs.common import hive as hive_module
from jobs.common import retry
from jobs.common.errors import LoginRefused, ServerSqlFailure, ServiceUnavailable, SqlError
from jobs.common.hive import HiveClient, HiveSettings
from jobs.prepare import main as prepare_main
from jobs.wait_for_input import InputNotReady, wait

# What the Spark Thrift Server's OpenSession answers when Hive's SessionState cannot use its resources folder
# (SparkSQLSessionManager: "Failed to open new session: " + the cause), as the real server gave it in
# tests/integration/test_prepare.py; in the mkdirs race the cause reads "Couldn't create directory <folder>".
SESSION_REFUSED = ("Failed to open new session: java.lang.RuntimeException: java.lang.RuntimeException: "
                   "/run/stack/tmp/hive-resources is not a directory")
STATEMENT_REJECTED = "[TABLE_OR_VIEW_NOT_FOUND] The table or view `db`.`missing` cannot be found."
# The real server's words and SQLSTATE when two INSERTs into one table shared its `_temporary` folder.
WRITE_FAILED = ("Error running query: [TASK_WRITE_FAILED] org.apache.spark.SparkException: [TASK_WRITE_FAILED] Task "
                "failed while writing rows to file:/warehouse/db.db/t. SQLSTATE: 58030")
# What the Spark Thrift Server's CloseSession answered once in CI, for one of three concurrent prepare steps whose
# statements had all finished (tests/integration/test_prepare.py); the first line of its message.
CLOSE_FAILED = "java.lang.NoClassDefFoundError: org/apache/hadoop/hive/llap/security/LlapSigner$Signable"


def refused(message: str, response=ttypes.TOpenSessionResp, sql_state: str | None = None) -> hive_exc.OperationalError:
    """PyHive's error for a non-success status: it wraps the whole thrift response."""
    status = ttypes.TStatus(statusCode=ttypes.TStatusCode.ERROR_STATUS, errorMessage=message, sqlState=sql_state)
    return hive_exc.OperationalError(response(status=status))


class FakeCursor:
    def __init__(self, server: FakeServer):
        self.server = server

    def execute(self, statement: str) -> None:
        self.server.statements.append(statement)
        if "missing" in statement:
            raise refused(STATEMENT_REJECTED, ttypes.TExecuteStatementResp, "42P01")
        if "db.fails_" in statement:  # a table named `fails_<state>` (or `fails_none`): fails with that state
            state = statement.split("db.fails_")[1].split()[0]
            raise refused(WRITE_FAILED, ttypes.TExecuteStatementResp, None if state == "none" else state)

    def fetchall(self) -> list[tuple]:
        return [("dt=2024-01-02",)]


class FakeConnection:
    def __init__(self, server: FakeServer):
        self.server = server

    def cursor(self) -> FakeCursor:
        return FakeCursor(self.server)

    def close(self) -> None:
        if self.server.close_fails:
            raise refused(CLOSE_FAILED, ttypes.TCloseSessionResp)


class FakeServer:
    """Stands in for pyhive.hive.connect: refuses the first `refusals` sessions (None: every one)."""

    def __init__(self, refusals: int | None):
        self.refusals = refusals
        self.close_fails = False
        self.sessions_asked = 0
        self.statements: list[str] = []

    def connect(self, **_settings) -> FakeConnection:
        self.sessions_asked += 1
        if self.refusals is None or self.sessions_asked <= self.refusals:
            raise refused(SESSION_REFUSED)
        return FakeConnection(self)


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda _seconds: None)


def serve(monkeypatch, refusals: int | None) -> FakeServer:
    server = FakeServer(refusals)
    monkeypatch.setattr(hive_module.hive, "connect", server.connect)
    return server


def test_a_refused_session_is_retried_and_the_statement_then_runs(monkeypatch, no_backoff):
    server = serve(monkeypatch, refusals=2)
    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=60)) as client:
        assert client.query("SHOW PARTITIONS db.t") == [("dt=2024-01-02",)]
    assert server.sessions_asked == 3 and server.statements == ["SHOW PARTITIONS db.t"]


def test_a_session_refused_past_the_budget_is_a_transient_service_error(monkeypatch, no_backoff):
    serve(monkeypatch, refusals=None)
    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=0)) as client:
        with pytest.raises(ServiceUnavailable) as caught:
            client.execute("SELECT 1")
    assert caught.value.exit_code == exit_codes.TRANSIENT
    assert SESSION_REFUSED in caught.value.message and "HiveServer2 at 127.0.0.1:1" in caught.value.message


def test_a_rejected_statement_stays_a_permanent_sql_error(monkeypatch, no_backoff):
    server = serve(monkeypatch, refusals=0)
    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=60)) as client:
        with pytest.raises(SqlError) as caught:
            client.execute("SELECT * FROM db.missing")
    assert caught.value.exit_code == exit_codes.PERMANENT and caught.value.server_message == STATEMENT_REJECTED
    assert server.statements == ["SELECT * FROM db.missing"]  # run once, not retried


def test_a_session_the_server_fails_to_close_keeps_the_finished_work_and_says_so(monkeypatch, no_backoff, caplog):
    server = serve(monkeypatch, refusals=0)
    server.close_fails = True
    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=60)) as client:
        assert client.query("SHOW PARTITIONS db.t") == [("dt=2024-01-02",)]
    assert [m for m in caplog.messages if "did not close" in m] == [
        f"HiveServer2 at 127.0.0.1:1 did not close the session cleanly (its statements had finished): {CLOSE_FAILED}"]


def test_prepare_succeeds_when_only_the_close_of_its_session_fails(monkeypatch, no_backoff, tmp_path):
    server = serve(monkeypatch, refusals=0)
    server.close_fails = True
    sql = tmp_path / "prepare.sql"
    sql.write_text("INSERT OVERWRITE TABLE db.t PARTITION (dt = '${ds}') SELECT 1")
    result = CliRunner().invoke(prepare_main, ["--sql-file", str(sql), "--ds", "2024-01-02", "--hive-host",
                                               "127.0.0.1", "--hive-port", "1"])
    assert result.exit_code == 0, result.output
    assert server.statements == ["INSERT OVERWRITE TABLE db.t PARTITION (dt = '2024-01-02') SELECT 1"]


@pytest.mark.parametrize("state", ["58030", "08S01", "40001", "53200", "57014"])
def test_a_statement_the_server_failed_is_transient_and_names_the_state(monkeypatch, no_backoff, state):
    server = serve(monkeypatch, refusals=0)
    statement = f"INSERT OVERWRITE TABLE db.fails_{state} PARTITION (dt = '2024-01-02') SELECT 1"
    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=60)) as client:
        with pytest.raises(ServerSqlFailure) as caught:
            client.execute(statement)
    assert caught.value.exit_code == exit_codes.TRANSIENT  # Argo runs the step again, not this client
    assert server.statements == [statement]
    assert f"SQLSTATE {state}" in caught.value.message and WRITE_FAILED in caught.value.message
    assert statement in caught.value.message


@pytest.mark.parametrize("state", ["42601", "22018", "42P01", "XX000", "none"])
def test_a_statement_failed_for_its_own_sake_stays_permanent(monkeypatch, no_backoff, state):
    serve(monkeypatch, refusals=0)
    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=60)) as client:
        with pytest.raises(SqlError) as caught:
            client.execute(f"SELECT * FROM db.fails_{state}")
    assert not isinstance(caught.value, ServerSqlFailure) and caught.value.exit_code == exit_codes.PERMANENT


def test_prepare_exits_transient_when_the_server_fails_a_write(monkeypatch, no_backoff, tmp_path):
    serve(monkeypatch, refusals=0)
    sql = tmp_path / "prepare.sql"
    sql.write_text("INSERT OVERWRITE TABLE db.fails_58030 PARTITION (dt = '${ds}') SELECT 1")
    result = CliRunner().invoke(prepare_main, ["--sql-file", str(sql), "--ds", "2024-01-02", "--hive-host",
                                               "127.0.0.1", "--hive-port", "1"])
    assert result.exit_code == exit_codes.TRANSIENT, result.output
    assert "TASK_WRITE_FAILED" in result.output and "SQLSTATE 58030, system error" in result.output


def test_prepare_exits_transient_when_no_session_opens(monkeypatch, no_backoff, tmp_path):
    serve(monkeypatch, refusals=None)
    sql = tmp_path / "prepare.sql"
    sql.write_text("SELECT 1")
    result = CliRunner().invoke(prepare_main, ["--sql-file", str(sql), "--ds", "2024-01-02", "--hive-host",
                                               "127.0.0.1", "--hive-port", "1", "--retry-seconds", "0"])
    assert result.exit_code == exit_codes.TRANSIENT, result.output
    assert "Failed to open new session" in result.output


def test_the_sensor_keeps_polling_through_refused_sessions(monkeypatch, no_backoff):
    serve(monkeypatch, refusals=None)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=0)) as client:
        with pytest.raises(InputNotReady, match="did not appear within 30s"):
            wait(client, "db.t", "dt", "2024-01-02", timeout=30, poll=10, min_rows=0, clock=lambda: now[0],
                 sleep=sleep)
    assert now[0] == 30


def test_the_sensor_finds_the_partition_once_a_session_opens(monkeypatch, no_backoff):
    server = serve(monkeypatch, refusals=1)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with HiveClient(HiveSettings("127.0.0.1", 1, retry_seconds=0)) as client:
        assert wait(client, "db.t", "dt", "2024-01-02", timeout=30, poll=10, min_rows=0, clock=lambda: now[0],
                    sleep=sleep) is None
    assert now[0] == 10 and server.sessions_asked == 2


# What PyHive's SASL transport raises when HiveServer2 (LDAP or CUSTOM auth) rejects the login, as the real
# server gave it in tests/reliability/test_credentials.py.
LOGIN_REJECTED = "Bad status: 3 (b'Error validating the login')"


def test_a_refused_login_fails_at_once_as_permanent_without_the_password(monkeypatch, no_backoff):
    attempts = []

    def connect(**settings):
        attempts.append(settings)
        raise TTransportException(message=LOGIN_REJECTED)

    monkeypatch.setattr(hive_module.hive, "connect", connect)
    settings = HiveSettings("127.0.0.1", 1, "CUSTOM", "scorer", "planted-s3cret", retry_seconds=60)
    with HiveClient(settings) as client:
        with pytest.raises(LoginRefused) as caught:
            client.query("SELECT 1")

    assert caught.value.exit_code == exit_codes.PERMANENT
    assert len(attempts) == 1  # not retried for the budget: another attempt meets the same Secret
    assert "refused the login of user 'scorer'" in caught.value.message
    assert "planted-s3cret" not in caught.value.message


def test_a_dropped_connection_during_the_handshake_stays_transient(monkeypatch, no_backoff):
    def connect(**_settings):
        raise TTransportException(message="TSocket read 0 bytes")

    monkeypatch.setattr(hive_module.hive, "connect", connect)
    with HiveClient(HiveSettings("127.0.0.1", 1, "CUSTOM", "scorer", "pw", retry_seconds=0)) as client:
        with pytest.raises(ServiceUnavailable):
            client.query("SELECT 1")
