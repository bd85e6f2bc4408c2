"""The direct Parquet path against Spark's own reader and writer: same rows, same scores, same safety, and the
fallback to Spark for inputs the direct path cannot read (real Spark, metastore, Spark Thrift Server, MLflow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jobs.common.errors import StepError
from jobs.score.pipeline import score_partition
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import load_partition, read_frame, score_request

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _expected(model, frame: pd.DataFrame) -> np.ndarray:
    import mlflow.pyfunc

    features = [c for c in frame.columns if c != "id"]
    return np.asarray(mlflow.pyfunc.load_model(model.pinned_uri).predict(frame[features].astype("float64")))


def _rows(cursor, table: str) -> pd.DataFrame:
    frame = read_frame(cursor, f"SELECT * FROM {table} WHERE dt = '{INPUT_DS}'")
    return frame.sort_values("id").reset_index(drop=True)


def _column_types(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(f"DESCRIBE {table}")
    return [(row[0], row[1]) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def mixed_input(hive_cursor, local_stack, test_database, cancer_frame) -> tuple[str, pd.DataFrame]:
    """String ids, a BIGINT feature the model reads as double, NULL and NaN features; 3 files of 4 row groups."""
    frame = cancer_frame.copy()
    frame["id"] = [f"c-{value:04d}" for value in frame["id"]]
    frame["mean_radius"] = frame["mean_radius"].round().astype("int64")
    frame.loc[3:5, "mean_texture"] = np.nan
    frame.loc[7, "mean_area"] = None
    table = f"{test_database}.mixed_features"
    load_partition(hive_cursor, local_stack, table, frame, INPUT_DS, files=3, row_group_rows=50)
    return table, frame


def test_direct_and_spark_paths_write_the_same_rows_scores_and_schema(spark, pyfunc_model, mixed_input,
                                                                       test_database, hive_cursor):
    table, frame = mixed_input
    direct_table, spark_table = f"{test_database}.scores_direct", f"{test_database}.scores_spark"
    direct = score_partition(spark, score_request(pyfunc_model, table, direct_table, min_partitions=2))
    via_spark = score_partition(spark, score_request(pyfunc_model, table, spark_table, file_io="spark"))
    assert (direct.file_io, via_spark.file_io) == ("direct", "spark")
    assert direct.rows_written == via_spark.rows_written == len(frame)

    assert _column_types(hive_cursor, direct_table) == _column_types(hive_cursor, spark_table)
    direct_rows, spark_rows = _rows(hive_cursor, direct_table), _rows(hive_cursor, spark_table)
    assert direct_rows["id"].tolist() == sorted(frame["id"])
    lineage = ["model_name", "model_version", "model_run_id"]
    pd.testing.assert_frame_equal(direct_rows[["id", "score", *lineage]], spark_rows[["id", "score", *lineage]])
    np.testing.assert_allclose(direct_rows["score"].to_numpy(dtype=float),
                               _expected(pyfunc_model, frame.sort_values("id").reset_index(drop=True)), rtol=1e-9)
    assert direct_rows["scored_at"].nunique() == 1 and direct_rows["scored_at"].notna().all()


def test_multi_output_model_takes_the_direct_path_with_one_column_per_output(spark, multi_output_model, cancer_input,
                                                                           cancer_frame, test_database, hive_cursor):
    output = f"{test_database}.scores_multi_direct"
    result = score_partition(spark, score_request(multi_output_model, cancer_input, output))
    assert result.file_io == "direct" and result.score_columns == ["score_0", "score_1"]
    scored = _rows(hive_cursor, output)
    np.testing.assert_allclose(scored[["score_0", "score_1"]].to_numpy(dtype=float),
                               _expected(multi_output_model, cancer_frame), rtol=1e-9)


@pytest.mark.parametrize("file_io", ["auto", "spark"])
def test_model_failing_mid_partition_leaves_the_old_scores_on_either_path(spark, sklearn_model, cancer_frame,
                                                                         test_database, hive_cursor, local_stack,
                                                                         file_io):
    """NaN only after the probe's sample rows: the probe passes, a task fails, nothing is published."""
    clean, poisoned = cancer_frame.head(300), cancer_frame.head(300).copy()
    poisoned.loc[250:, "mean_radius"] = np.nan  # the plain sklearn regressor refuses NaN
    clean_table, poisoned_table = f"{test_database}.clean_{file_io}", f"{test_database}.poisoned_{file_io}"
    load_partition(hive_cursor, local_stack, clean_table, clean, INPUT_DS, files=2)
    load_partition(hive_cursor, local_stack, poisoned_table, poisoned, INPUT_DS, files=2)
    output = f"{test_database}.scores_failing_{file_io}"
    score_partition(spark, score_request(sklearn_model, clean_table, output, file_io=file_io))
    before = _rows(hive_cursor, output)

    with pytest.raises(StepError, match="scoring failed; the output partition was left as it was"):
        score_partition(spark, score_request(sklearn_model, poisoned_table, output, file_io=file_io))
    pd.testing.assert_frame_equal(_rows(hive_cursor, output), before)


def test_inputs_the_direct_path_cannot_read_fall_back_to_spark_and_score_the_same(spark, sklearn_model, cancer_input,
                                                                                  cancer_frame, test_database,
                                                                                  hive_cursor):
    columns = ", ".join(cancer_frame.columns)
    orc, view = f"{test_database}.cancer_orc", f"{test_database}.cancer_view"
    hive_cursor.execute(f"CREATE TABLE {orc} USING ORC PARTITIONED BY (dt) AS "
                        f"SELECT {columns}, dt FROM {cancer_input} WHERE dt = '{INPUT_DS}'")
    hive_cursor.execute(f"CREATE VIEW {view} AS SELECT * FROM {cancer_input} WHERE id < 100")
    expected = _expected(sklearn_model, cancer_frame)

    from_orc = score_partition(spark, score_request(sklearn_model, orc, f"{test_database}.scores_orc"))
    assert from_orc.file_io == "spark" and from_orc.rows_written == len(cancer_frame)
    np.testing.assert_allclose(_rows(hive_cursor, f"{test_database}.scores_orc")["score"].to_numpy(dtype=float),
                               expected, rtol=1e-9)

    # A view's files are its base table's: reading them directly would ignore the view's filter.
    from_view = score_partition(spark, score_request(sklearn_model, view, f"{test_database}.scores_view"))
    assert from_view.file_io == "spark" and from_view.rows_written == 100
