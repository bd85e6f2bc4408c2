"""prepare against a real Spark Thrift Server (HiveServer2 protocol): fills a partition, refuses bad values, fails
clearly on SQL and outages."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from contract import exit_codes
from generator.localstack.processes import free_port
from tests.integration.helpers import load_partition, run_step

pytestmark = [pytest.mark.slow, pytest.mark.integration]

PREPARE_SQL = """
-- features for one day; statements separated by ';' (this one is in a comment)
CREATE TABLE IF NOT EXISTS {db}.prep_features (id BIGINT, amount DOUBLE, doubled DOUBLE)
  PARTITIONED BY (dt STRING) STORED AS PARQUET;
INSERT OVERWRITE TABLE {db}.prep_features PARTITION (dt = '${{ds}}')
SELECT id, amount, amount * ${{factor}} FROM {db}.prep_raw WHERE dt = '${{ds}}' AND note <> 'a;b'
"""


@pytest.fixture(scope="module")
def raw_table(hive_cursor, local_stack, test_database):
    import pandas as pd

    frame = pd.DataFrame({"id": [1, 2, 3, 4], "amount": [1.0, 2.5, 4.0, 8.0], "note": ["x", "a;b", "y", "z"]})
    load_partition(hive_cursor, local_stack, f"{test_database}.prep_raw", frame, "2024-05-01")
    return f"{test_database}.prep_raw"


@pytest.fixture()
def sql_file(tmp_path, test_database):
    path = tmp_path / "prepare.sql"
    path.write_text(PREPARE_SQL.format(db=test_database))
    return path


@contextlib.contextmanager
def sessions_refused(local_stack) -> Iterator[Callable[[], None]]:
    """A file where the Thrift server's sessions keep Hive's resources folder: every new session is refused with
    "Failed to open new session: ..." (the server's own words) until the returned `reopen` puts the folder back."""
    folder = local_stack.warehouse_dir.parent / "tmp" / "hive-resources"
    aside = folder.with_name("hive-resources.aside")
    folder.rename(aside)
    folder.write_text("not a folder\n")
    lock = threading.Lock()  # reopen may run on a timer's thread and here

    def reopen() -> None:
        with lock:
            if aside.exists():
                folder.unlink()
                aside.rename(folder)

    try:
        yield reopen
    finally:
        reopen()


def _count(cursor, table: str, ds: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE dt = '{ds}'")
    return cursor.fetchall()[0][0]


def test_prepare_creates_and_fills_the_partition_and_a_rerun_replaces_it(
        raw_table, sql_file, step_env, hive_cursor, test_database):
    args = ["--sql-file", str(sql_file), "--ds", "2024-05-01", "--var", "factor=2"]
    first = run_step("prepare", args, step_env)
    assert first.returncode == 0, first.stderr
    table = f"{test_database}.prep_features"
    assert _count(hive_cursor, table, "2024-05-01") == 3  # the 'a;b' row is filtered by the quoted literal
    hive_cursor.execute(f"SELECT id, doubled FROM {table} WHERE dt = '2024-05-01' ORDER BY id")
    assert hive_cursor.fetchall() == [(1, 2.0), (3, 8.0), (4, 16.0)]
    again = run_step("prepare", args, step_env)
    assert again.returncode == 0, again.stderr
    assert _count(hive_cursor, table, "2024-05-01") == 3


@pytest.mark.parametrize("ds, var, expected", [
    ("2024-02-30", "factor=2", "is not a real date"),
    ("2024-05-01' OR '1'='1", "factor=2", "is not a date"),
    ("2024-05-01", "factor=2; DROP TABLE x", "is not allowed in SQL"),
    ("2024-05-01", "factor=1 OR 1=1", "is not allowed in SQL"),
])
def test_prepare_refuses_unsafe_values_before_touching_hive(
        raw_table, sql_file, step_env, hive_cursor, test_database, ds, var, expected):
    hive_cursor.execute(f"SHOW TABLES IN {test_database} LIKE 'prep_features'")
    before = hive_cursor.fetchall()
    result = run_step("prepare", ["--sql-file", str(sql_file), "--ds", ds, "--var", var], step_env)
    assert result.returncode == exit_codes.PERMANENT
    assert expected in result.stderr and "Traceback" not in result.stderr
    hive_cursor.execute(f"SHOW TABLES IN {test_database} LIKE 'prep_features'")
    assert hive_cursor.fetchall() == before


def test_prepare_sql_error_fails_fast_with_statement_and_server_message(tmp_path, step_env, test_database):
    sql = tmp_path / "broken.sql"
    sql.write_text(f"SELECT * FROM {test_database}.no_such_table WHERE dt = '${{ds}}'")
    result = run_step("prepare", ["--sql-file", str(sql), "--ds", "2024-05-01"], step_env)
    assert result.returncode == exit_codes.PERMANENT
    assert "SQL statement failed" in result.stderr
    assert f"{test_database}.no_such_table" in result.stderr
    assert "server said:" in result.stderr and "retrying" not in result.stderr


def test_prepare_with_hiveserver2_down_retries_then_names_the_service(sql_file, step_env):
    port = free_port()
    env = {**step_env, "HIVE_PORT": str(port), "STEP_RETRY_SECONDS": "3"}
    result = run_step("prepare", ["--sql-file", str(sql_file), "--ds", "2024-05-01", "--var", "factor=2"], env)
    assert result.returncode == 1
    assert f"HiveServer2 at 127.0.0.1:{port} did not answer" in result.stderr
    assert "retrying" in result.stderr


def test_prepare_retries_a_session_the_server_refuses_then_exits_transient(sql_file, step_env, local_stack):
    env = {**step_env, "STEP_RETRY_SECONDS": "3"}
    with sessions_refused(local_stack):
        result = run_step("prepare", ["--sql-file", str(sql_file), "--ds", "2024-05-01", "--var", "factor=2"], env)
    assert result.returncode == exit_codes.TRANSIENT, result.stderr[-3000:]
    assert "Failed to open new session" in result.stderr and "retrying" in result.stderr
    assert "SQL statement failed" not in result.stderr


def test_prepare_runs_once_the_server_opens_sessions_again(raw_table, step_env, local_stack, hive_cursor,
                                                           test_database, tmp_path):
    table = f"{test_database}.prep_after_refusal"
    sql = tmp_path / "after_refusal.sql"
    sql.write_text(f"CREATE TABLE {table} STORED AS PARQUET AS SELECT id FROM {raw_table} WHERE dt = '${{ds}}'")
    with sessions_refused(local_stack) as reopen:
        threading.Timer(4, reopen).start()
        result = run_step("prepare", ["--sql-file", str(sql), "--ds", "2024-05-01"], step_env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Failed to open new session" in result.stderr  # refused at first, retried, then done
    hive_cursor.execute(f"SELECT COUNT(*) FROM {table}")
    assert hive_cursor.fetchall()[0][0] == 4


# A retro's lanes prepare different dates of one table at the same time; Spark's built-in writer once staged them
# all in the table's one `_temporary/0` folder and the first to commit deleted the others' files (SPARK-36571).
CONCURRENT_DATES = ("2024-05-01", "2024-05-02", "2024-05-03")
CONCURRENT_ROUNDS = 5


def test_prepare_runs_for_different_dates_of_one_table_at_once_all_land(
        raw_table, hive_cursor, local_stack, step_env, test_database, tmp_path):
    import pandas as pd

    for ds in CONCURRENT_DATES[1:]:
        load_partition(hive_cursor, local_stack, raw_table,
                       pd.DataFrame({"id": [1, 2], "amount": [1.0, 3.0], "note": ["x", "y"]}), ds)
    sql = tmp_path / "concurrent.sql"
    sql.write_text(PREPARE_SQL.format(db=test_database).replace("prep_features", "prep_concurrent"))
    table = f"{test_database}.prep_concurrent"

    def prepare(ds: str):
        return run_step("prepare", ["--sql-file", str(sql), "--ds", ds, "--var", "factor=2"], step_env)

    for _ in range(CONCURRENT_ROUNDS):  # each round a retro's first prepare of every lane; the race needs a few
        hive_cursor.execute(f"DROP TABLE IF EXISTS {table}")
        with ThreadPoolExecutor(len(CONCURRENT_DATES)) as pool:
            results = list(pool.map(prepare, CONCURRENT_DATES))
        assert [result.returncode for result in results] == [0] * len(CONCURRENT_DATES), \
            "\n".join(result.stderr[-2000:] for result in results if result.returncode)
        assert [_count(hive_cursor, table, ds) for ds in CONCURRENT_DATES] == [3, 2, 2]
