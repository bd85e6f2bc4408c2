"""Scores equal `predict` over string, categorical, nullable integer, decimal, date, timestamp and all-null columns,
on the direct Parquet path and through Spark's reader and writer, in the pandas the tests run with (constraints.txt;
real Spark, metastore, Spark Thrift Server and MLflow). `predict` is given the frame as the model was trained on it:
pandas `category`, `Int64`, `Decimal`, `date` and `Timestamp` values and an all-None column."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import mlflow
import numpy as np
import pandas as pd
import pytest

from demo.model import RegisteredModel, installed_requirements
from jobs.score.pipeline import score_partition
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import read_frame, score_request

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ROWS = 240
SCHEMA = ("id BIGINT, name STRING, category STRING, visits BIGINT, amount DECIMAL(10,2), event_day DATE, "
          "event_time TIMESTAMP, empty DOUBLE, dt STRING")
NUMERIC = ["id", "visits", "amount", "empty"]  # the direct path reads these (numbers only)
EPOCH = pd.Timestamp("2024-01-01")


class TypeProbeModel(mlflow.pyfunc.PythonModel):
    """A score from every column kind it is given, each read the way a model author would write it in pandas."""

    def predict(self, context, model_input: pd.DataFrame, params=None) -> np.ndarray:
        frame, score = model_input, np.zeros(len(model_input))
        if "name" in frame:
            score += frame["name"].astype("string").str.len().astype("Float64").fillna(0).to_numpy(float) * 0.1
        if "category" in frame:
            codes = frame["category"].astype("string").map({"a": 1.0, "b": 2.0, "c": 3.0})
            score += pd.to_numeric(codes).fillna(0).to_numpy(float)
        if "visits" in frame:
            score += pd.to_numeric(frame["visits"]).astype("Float64").fillna(-1).to_numpy(float) * 0.01
        if "amount" in frame:
            amounts = frame["amount"].map(lambda value: np.nan if value is None or pd.isna(value) else float(value))
            score += pd.to_numeric(amounts).fillna(0).to_numpy(float) * 0.001
        if "event_day" in frame:
            score += (pd.to_datetime(frame["event_day"]) - EPOCH).dt.days.astype("Float64").fillna(0).to_numpy(float)
        if "event_time" in frame:
            times = pd.to_datetime(frame["event_time"])
            score += (times.dt.hour + times.dt.minute / 60).astype("Float64").fillna(0).to_numpy(float) * 100
        if "empty" in frame:
            score += pd.to_numeric(frame["empty"]).isna().to_numpy(float) * 1000
        return score


def _training_frame() -> pd.DataFrame:
    """The model's data as pandas holds it when training: each column in its own pandas type, nulls included."""
    rng = np.random.default_rng(27)
    days = rng.integers(0, 400, ROWS)
    frame = pd.DataFrame({
        "id": np.arange(ROWS, dtype="int64"),
        "name": [None if i % 7 == 0 else "x" * int(n) for i, n in enumerate(rng.integers(1, 12, ROWS))],
        "category": pd.Categorical([None if i % 11 == 0 else "abc"[i % 3] for i in range(ROWS)]),
        "visits": pd.array([None if i % 5 == 0 else int(v) for i, v in enumerate(rng.integers(0, 90, ROWS))],
                           dtype="Int64"),
        "amount": [None if i % 9 == 0 else Decimal(int(v)) / 100 for i, v in enumerate(rng.integers(0, 10**6, ROWS))],
        "event_day": [None if i % 13 == 0 else dt.date(2024, 1, 1) + dt.timedelta(days=int(d))
                      for i, d in enumerate(days)],
        "event_time": [None if i % 17 == 0 else pd.Timestamp("2024-03-01") + pd.Timedelta(minutes=int(m))
                       for i, m in enumerate(rng.integers(0, 5000, ROWS))],
        "empty": [None] * ROWS,
    })
    return frame


def _spark_rows(frame: pd.DataFrame) -> list[tuple]:
    """The same values as plain Python objects, for Spark to write (no pandas conversion on the way in)."""
    def plain(value):
        if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        return value.item() if isinstance(value, np.generic) else value

    columns = ["id", "name", "category", "visits", "amount", "event_day", "event_time", "empty"]
    return [tuple(plain(frame[c].iloc[i]) for c in columns) + (INPUT_DS,) for i in range(len(frame))]


@pytest.fixture(scope="module")
def typed_tables(spark, test_database) -> tuple[str, str]:
    """Two Parquet tables of 4 files each: every column kind (Spark's path only), and the numeric ones (direct)."""
    frame = _training_frame()
    rows = spark.createDataFrame(_spark_rows(frame), SCHEMA).repartition(4)
    mixed, numeric = f"{test_database}.typed_mixed", f"{test_database}.typed_numeric"
    rows.write.format("parquet").partitionBy("dt").saveAsTable(mixed)
    rows.select(*NUMERIC, "dt").write.format("parquet").partitionBy("dt").saveAsTable(numeric)
    return mixed, numeric


@pytest.fixture(scope="module")
def type_probe_model(local_stack) -> RegisteredModel:
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(local_stack.mlflow_uri)
    mlflow.set_experiment("it-dtypes")
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers load it without this test module
    try:
        with mlflow.start_run() as run:
            info = mlflow.pyfunc.log_model(name="model", python_model=TypeProbeModel(),
                                           registered_model_name="it_type_probe",
                                           pip_requirements=installed_requirements())
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    version = str(info.registered_model_version)
    MlflowClient().set_registered_model_alias("it_type_probe", "champion", version)
    return RegisteredModel("it_type_probe", version, run.info.run_id, "champion")


def _scores(cursor, table: str) -> np.ndarray:
    frame = read_frame(cursor, f"SELECT id, score FROM {table} WHERE dt = '{INPUT_DS}'").sort_values("id")
    assert frame["id"].tolist() == list(range(ROWS))
    return frame["score"].to_numpy(dtype=float)


@pytest.mark.parametrize(("table_kind", "file_io", "path"), [
    ("mixed", "auto", "spark"),  # strings, dates and timestamps send the whole table through Spark
    ("numeric", "auto", "direct"),
    ("numeric", "spark", "spark"),
])
def test_scores_equal_predict_over_every_column_kind(spark, typed_tables, type_probe_model, hive_cursor,
                                                     test_database, table_kind, file_io, path):
    table = typed_tables[0] if table_kind == "mixed" else typed_tables[1]
    frame = _training_frame()
    features = [c for c in frame.columns if c != "id"] if table_kind == "mixed" else NUMERIC[1:]
    expected = mlflow.pyfunc.load_model(type_probe_model.pinned_uri).predict(frame[features])
    # Every column kind moved the expected scores (a column the model never saw would leave them equal to this).
    assert len(np.unique(np.round(expected, 6))) > ROWS // 2

    output = f"{test_database}.typed_scores_{table_kind}_{file_io}"
    result = score_partition(spark, score_request(type_probe_model, table, output, file_io=file_io,
                                                  min_partitions=4))
    assert (result.file_io, result.rows_written) == (path, ROWS)
    np.testing.assert_allclose(_scores(hive_cursor, output), expected, rtol=1e-9, atol=1e-9)
