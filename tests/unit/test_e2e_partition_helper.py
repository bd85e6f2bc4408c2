"""tests/e2e/helpers.py `partition()`: no partition while the output table does not exist, every other error raised;
a fake cursor answers with the thrift responses PyHive wraps in its OperationalError."""

from __future__ import annotations

import pytest
from pyhive import exc as hive_exc
from TCLIService import ttypes

from tests.e2e.helpers import OUTPUT_TABLE, partition

# The Spark Thrift Server's words (its first lines) for REFRESH TABLE of a table no run has created yet, as logged
# by an e2e test run alone against the real server.
TABLE_MISSING = ("Error running query: [TABLE_OR_VIEW_NOT_FOUND] org.apache.spark.sql.AnalysisException: "
                 "[TABLE_OR_VIEW_NOT_FOUND] The table or view `demo_scores`.`cancer_risk_daily` cannot be found. "
                 "Verify the spelling and correctness of the schema and catalog.\n"
                 "Search path: [`system`.`session`, `spark_catalog`.`default`].")
OTHER_ERROR = "Error running query: [PARSE_SYNTAX_ERROR] Syntax error at or near 'REFRESH'. SQLSTATE: 42601"
ROW = (7, 0.25, "cancer_risk", "3", "0" * 32, "2026-03-01 03:00:00")


def rejected(message: str) -> hive_exc.OperationalError:
    status = ttypes.TStatus(statusCode=ttypes.TStatusCode.ERROR_STATUS, errorMessage=message)
    return hive_exc.OperationalError(ttypes.TExecuteStatementResp(status=status))


class FakeCursor:
    """Fails REFRESH TABLE with `refresh_error` (if any); answers the SELECT with one row."""

    def __init__(self, refresh_error: Exception | None):
        self.refresh_error = refresh_error
        self.statements: list[str] = []

    def execute(self, statement: str) -> None:
        self.statements.append(statement)
        if statement.startswith("REFRESH") and self.refresh_error is not None:
            raise self.refresh_error

    def fetchall(self) -> list[tuple]:
        return [ROW]


def test_no_output_table_yet_means_no_partition():
    cursor = FakeCursor(rejected(TABLE_MISSING))
    assert partition(cursor, "2026-03-01") == {}
    assert cursor.statements == [f"REFRESH TABLE {OUTPUT_TABLE}"]


@pytest.mark.parametrize("error", [rejected(OTHER_ERROR), ConnectionResetError("connection reset by peer")])
def test_other_errors_are_raised(error):
    with pytest.raises(type(error)):
        partition(FakeCursor(error), "2026-03-01")


def test_an_existing_table_is_read():
    cursor = FakeCursor(None)
    assert partition(cursor, "2026-03-01") == {7: ROW[1:]}
    assert "WHERE dt = '2026-03-01'" in cursor.statements[-1]
