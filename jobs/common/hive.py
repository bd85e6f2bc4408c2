"""HiveServer2 adapter over PyHive: connect and run statements, retrying lost connections and refused sessions only."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from pyhive import exc as hive_exc
from pyhive import hive
from thrift.transport.TTransport import TTransportException

from jobs.common.errors import LoginRefused, ServerSqlFailure, SqlError
from jobs.common.retry import with_retry

log = logging.getLogger(__name__)



class SessionNotOpened(Exception):
    """HiveServer2 answered but could not open a session (Spark: "Failed to open new session: ...").

    No statement ran yet, so this is the server's trouble, not the SQL's: a server still starting, or two
    sessions racing on the server's scratch directories. Another attempt can succeed, so it is retried like a
    lost connection and, when it persists, ends as ServiceUnavailable (transient), never as a SqlError.
    """


# How HiveServer2 (Spark's TABLE_OR_VIEW_NOT_FOUND / SCHEMA_NOT_FOUND, Hive's "does not exist") says a table is missing.
MISSING_TABLE_WORDS = ("not_found", "not found", "does not exist")


def says_table_missing(server_text: str) -> bool:
    """Whether HiveServer2's error text says the table (or its database) does not exist."""
    return any(words in server_text.lower() for words in MISSING_TABLE_WORDS)


# SQLSTATE classes (the SQL standard's; HiveServer2 and the Spark Thrift Server send the state with each error)
# that blame the server or its surroundings, not the statement: the step exits transient and Argo runs it again
# (prepare's SQL is idempotent). Every other state (42 syntax or access, 22 data, ...) is the statement's own.
SERVER_FAILURE_CLASSES = {
    "08": "connection exception",  # also Hive's 08S01 for any failed execution task, deterministic ones too
    "40": "transaction rollback",
    "53": "insufficient resources",
    "57": "operator intervention",
    "58": "system error",  # Spark's TASK_WRITE_FAILED is 58030
}
# HiveServer2's words when its SASL PLAIN handshake rejects a user or password (LDAP and CUSTOM auth).
LOGIN_REFUSED = "Error validating the login"
# What "could not reach HiveServer2" looks like from PyHive/thrift; SQL errors are OperationalError instead.
TRANSIENT_ERRORS = (TTransportException, OSError, EOFError, SessionNotOpened)


@dataclass(frozen=True)
class HiveSettings:
    """How to reach HiveServer2.

    Attributes:
        host: HiveServer2 host.
        port: HiveServer2 port.
        auth: one of NONE, NOSASL, LDAP, CUSTOM, KERBEROS (PyHive's modes; must match the server).
        user: user name (optional).
        password: only used with LDAP or CUSTOM, as PyHive requires; never logged.
        retry_seconds: how long connection failures are retried before giving up.
    """

    host: str
    port: int
    auth: str = "NONE"
    user: str | None = None
    password: str | None = None
    retry_seconds: float = 120.0

    @property
    def address(self) -> str:
        return f"HiveServer2 at {self.host}:{self.port}"


class HiveClient:
    """One HiveServer2 connection; reconnects and re-runs a statement when the connection drops.

    Statements given to it should be idempotent (CREATE ... IF NOT EXISTS, INSERT OVERWRITE), because a
    statement interrupted by a dropped connection runs again.
    """

    def __init__(self, settings: HiveSettings):
        self.settings = settings
        self._connection: Any = None

    def __enter__(self) -> HiveClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            close_session(self._connection, self.settings)
            self._connection = None

    def execute(self, statement: str) -> None:
        """Runs a statement that returns no rows."""
        self._run(statement, fetch=False)

    def query(self, statement: str) -> list[tuple]:
        """Runs a query and returns all its rows."""
        return self._run(statement, fetch=True)

    def _connect(self) -> Any:
        settings = self.settings
        user = settings.user or "batch-scoring"
        password = settings.password if settings.auth in ("LDAP", "CUSTOM") else None
        try:
            return hive.connect(
                host=settings.host, port=settings.port, auth=settings.auth, username=user, password=password,
            )
        except hive_exc.OperationalError as error:  # PyHive's OpenSession (or its `USE default`) was refused
            raise SessionNotOpened(f"could not open a session: {server_message(error)}") from error
        except TTransportException as error:
            if LOGIN_REFUSED in str(error):  # the SASL handshake: the server checked the login and said no
                raise LoginRefused(
                    f"HiveServer2 at {settings.address} refused the login of user {user!r} "
                    f"(auth {settings.auth}): {LOGIN_REFUSED}; check the Secret behind HIVE_USER and HIVE_PASSWORD"
                ) from None
            raise

    def _run(self, statement: str, fetch: bool) -> list[tuple]:
        def attempt() -> list[tuple]:
            if self._connection is None:
                self._connection = self._connect()
            try:
                cursor = self._connection.cursor()
                cursor.execute(statement)
                return cursor.fetchall() if fetch else []
            except TRANSIENT_ERRORS:
                self._connection = None
                raise

        started = time.monotonic()
        try:
            rows = with_retry(
                attempt, service=self.settings.address, transient=TRANSIENT_ERRORS,
                budget_seconds=self.settings.retry_seconds,
            )
        except hive_exc.OperationalError as error:
            raise sql_error(statement, error) from None
        except hive_exc.DatabaseError as error:
            raise SqlError(statement, str(error)) from None
        log.info("%.2fs  %s", time.monotonic() - started, " ".join(statement.split())[:300])
        return rows


def close_session(connection: Any, settings: HiveSettings) -> None:
    """Ends a PyHive session; a server that fails to close it is logged, not raised: its statements had finished."""
    try:
        connection.close()
    except TRANSIENT_ERRORS:
        pass
    except hive_exc.OperationalError as error:
        # PyHive closes the socket before it checks CloseSession's answer, so nothing is left open here; the server
        # reclaims the session when it idles out. The Spark Thrift Server failed a close of concurrent sessions:
        # its Hive 2.3 function registry needs LLAP classes Spark 4 does not ship.
        log.warning("%s did not close the session cleanly (its statements had finished): %s", settings.address,
                    server_message(error))


def sql_error(statement: str, error: hive_exc.OperationalError) -> SqlError:
    """The step error for a failed statement: transient when its SQLSTATE blames the server, else permanent."""
    state = _status_field(error, "sqlState")
    cause = SERVER_FAILURE_CLASSES.get(state[:2]) if state else None
    if cause:
        note = f" (SQLSTATE {state}, {cause}: the server's trouble, another attempt may pass)"
        return ServerSqlFailure(statement, server_message(error), note)
    return SqlError(statement, server_message(error))


def server_message(error: hive_exc.OperationalError) -> str:
    """The HiveServer2 error text inside PyHive's OperationalError (it wraps the thrift response)."""
    message = _status_field(error, "errorMessage")
    if message:
        return message.strip().splitlines()[0] if len(message) > 2000 else message.strip()
    return str(error)


def _status_field(error: hive_exc.OperationalError, name: str) -> str | None:
    """A field of the thrift TStatus PyHive's OperationalError wraps (None when absent or empty)."""
    for arg in error.args:
        value = getattr(getattr(arg, "status", None), name, None)
        if value:
            return value
    return None
