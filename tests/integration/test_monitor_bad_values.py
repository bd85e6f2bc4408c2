"""The monitor's measures on bad values, through real Spark: NaN, +/-inf, all-null, all-NaN, constant and empty
features and score columns each give a defined PSI and null rate (docs/STEPS.md, monitor).

NaN counts as missing (null rate, out of the bins); +/-inf is a value in the first or last bin that never sets
the bins' range; a column with no value on one side has no PSI (None, "n/a"), its null rate says why.
The tables live in Spark's in-memory catalog (real Spark SQL, partitioned Parquet tables; no Hive needed), so
`measure` runs exactly as in the step, previous-partition lookup included.
"""

from __future__ import annotations

import math

import pytest
from pyspark.sql import SparkSession

from jobs.common.errors import StepError
from jobs.monitor import drift
from jobs.monitor.drift import MonitorRequest, measure
from jobs.monitor.measures import Line, psi

pytestmark = pytest.mark.slow
NAN, INF = float("nan"), float("inf")
PREVIOUS, CURRENT = "2024-05-01", "2024-05-02"
BASE = [float(value) for value in range(100)]  # ten rows in each of ten equal bins over [0, 99]
FLAT = [10] * 10
FAIL_LINE = Line(warn=0.2, fail=0.5)

# case -> (previous values, current values, expected PSI of current against previous, expected null rate)
# Every column has 101 rows on each side, as rows are shared by the columns of one table.
CASES = {
    "nan_unshifted": (BASE + [None], BASE + [NAN], 0.0, 1 / 101),
    "nan_shifted": (BASE + [None], [v + 300 for v in BASE] + [NAN], "fails", 1 / 101),
    "pos_inf": (BASE + [None], BASE + [INF], psi(FLAT, [10] * 9 + [11]), 0.0),
    "neg_inf": (BASE + [None], BASE + [-INF], psi(FLAT, [11] + [10] * 9), 0.0),
    "only_inf": (BASE + [None], [INF] * 101, "fails", 0.0),
    "all_null": (BASE + [None], [None] * 101, None, 1.0),
    "all_nan": (BASE + [None], [NAN] * 101, None, 1.0),
    "constant_same": ([5.0] * 101, [5.0] * 101, 0.0, 0.0),
    "constant_moved": ([5.0] * 101, [6.0] * 101, "fails", 0.0),
}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    folder = tmp_path_factory.mktemp("monitor-bad-values")
    session = (SparkSession.builder.master("local[1]").appName("monitor-bad-values")
               .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={folder}")
               .getOrCreate())
    yield session
    session.stop()


@pytest.fixture(scope="module")
def tables(spark):
    """mon.features (f_<case>) and mon.scores (s_<case>), two partitions each, the same values in both."""
    spark.sql("CREATE DATABASE IF NOT EXISTS mon")
    for table, prefix in (("mon.features", "f_"), ("mon.scores", "s_")):
        columns = ", ".join(f"{prefix}{case} DOUBLE" for case in CASES)
        spark.sql(f"CREATE TABLE {table} (id INT, {columns}, dt STRING) USING parquet PARTITIONED BY (dt)")
        for ds, side in ((PREVIOUS, 0), (CURRENT, 1)):
            rows = [(index, *(CASES[case][side][index] for case in CASES), ds) for index in range(101)]
            schema = f"id INT, {columns}, dt STRING"
            spark.createDataFrame(rows, schema).write.insertInto(table)
    return "mon.features", "mon.scores"


def _request(tables, case: str) -> MonitorRequest:
    return MonitorRequest(ds=CURRENT, input_table=tables[0], input_partition_column="dt", id_columns=["id"],
                          output_table=tables[1], output_partition_column="dt", score_column=f"s_{case}",
                          features=[f"f_{case}"], score_psi=FAIL_LINE, feature_psi=FAIL_LINE)


def _check(value: float | None, expected) -> None:
    if expected is None:
        assert value is None
    elif expected == "fails":
        assert value is not None and math.isfinite(value) and FAIL_LINE.level(value) == "fail", value
    else:
        assert value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_feature_and_score_columns_get_a_defined_psi_and_null_rate(spark, tables, case):
    _, _, expected_psi, expected_null_rate = CASES[case]

    report = measure(spark, _request(tables, case), f"s_{case}")

    assert report.previous_ds == PREVIOUS
    _check(report.feature_psi[f"f_{case}"], expected_psi)
    _check(report.score_psi_previous, expected_psi)
    assert report.feature_null_rate[f"f_{case}"] == pytest.approx(expected_null_rate)
    failed = {f.measure for f in report.findings if f.level == "fail"}
    assert failed == ({"score_psi_previous", f"feature_psi.f_{case}"} if expected_psi == "fails" else set())
    for quantile in report.score_quantiles.values():  # finite scores only: never NaN, never inf in the report
        assert math.isfinite(quantile)
    report.to_json()  # JSON-serialisable as written to the step's output


def test_an_empty_feature_column_has_no_psi_and_no_null_rate(spark):
    empty = spark.createDataFrame([], "f DOUBLE")
    assert drift.compare_columns(empty, empty, ["f"], 10) == ({"f": None}, {"f": None})


def test_an_empty_score_partition_is_a_named_error(spark, tables):
    request = _request(tables, "nan_unshifted")
    request = MonitorRequest(**{**request.__dict__, "ds": "2024-05-03"})
    with pytest.raises(StepError, match="has no rows for dt=2024-05-03: nothing to monitor"):
        measure(spark, request, "s_nan_unshifted")
