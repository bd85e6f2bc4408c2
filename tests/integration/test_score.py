"""score against real Spark, metastore, Spark Thrift Server and MLflow: scores equal model.predict, re-runs replace."""

from __future__ import annotations

import numpy as np
import pytest

from contract import exit_codes
from demo.model import training_frame
from jobs.common.errors import StepError
from jobs.score.pipeline import score_partition
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import load_partition, output_files, read_frame, run_step, score_request

pytestmark = [pytest.mark.slow, pytest.mark.integration]
FEATURES = list(training_frame()[0].columns)


def _expected(model, frame):
    import mlflow.pyfunc

    return mlflow.pyfunc.load_model(model.pinned_uri).predict(frame[FEATURES])


# Spark start-up notes that tell a step's reader nothing; jobs/common/log4j2.properties and the session's settings
# keep them out of every step's log (hostname on loopback, log4j profile, native-hadoop, spark.local.dir, plan-string
# truncation, METASTORE_FILTER_HOOK, pyspark's pandas warning).
START_UP_NOISE = ("Using Spark's default log4j profile", "Setting default log level", "resolves to a loopback",
                  "native-hadoop", "spark.local.dir", "Truncated the string representation",
                  "METASTORE_FILTER_HOOK", "does not yet fully support pandas")


def _noise(stderr: str) -> list[str]:
    """Lines of a step's stderr that are Spark start-up notes, WARN lines or Python warnings."""
    return [line for line in stderr.splitlines()
            if any(note in line for note in START_UP_NOISE) or " WARN " in line or "Warning:" in line]


def _table_exists(cursor, table: str) -> bool:
    database, name = table.split(".")
    cursor.execute(f"SHOW TABLES IN {database} LIKE '{name}'")
    return bool(cursor.fetchall())


def test_score_step_writes_predict_equal_scores_and_rerun_replaces(
        pyfunc_model, cancer_input, cancer_frame, test_database, step_env, hive_cursor, tmp_path):
    output = f"{test_database}.scores_pyfunc"
    args = ["--ds", INPUT_DS, "--model-uri", pyfunc_model.pinned_uri, "--model-name", pyfunc_model.name,
            "--model-version", pyfunc_model.version, "--model-run-id", pyfunc_model.run_id,
            "--requirements", "scikit-learn\nmlflow>=3\n", "--input-table", cancer_input,
            "--input-partition-column", "dt", "--id-column", "id", "--output-table", output,
            "--output-partition-column", "dt", "--score-column", "score", "--out-dir", str(tmp_path / "out"),
            "--work-dir", str(tmp_path / "work")]
    first = run_step("score", args, step_env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "no requirement to install" in first.stdout
    assert _noise(first.stderr) == []
    assert output_files(tmp_path / "out")["rows-written"] == str(len(cancer_frame))

    scored = read_frame(hive_cursor, f"SELECT * FROM {output} WHERE dt = '{INPUT_DS}'").sort_values("id")
    assert list(scored.columns[:2]) == ["id", "score"]
    assert scored["id"].tolist() == cancer_frame["id"].tolist()
    np.testing.assert_allclose(scored["score"].to_numpy(), _expected(pyfunc_model, cancer_frame), rtol=1e-9)
    assert set(scored["model_name"]) == {pyfunc_model.name}
    assert set(scored["model_version"]) == {pyfunc_model.version}
    assert set(scored["model_run_id"]) == {pyfunc_model.run_id}
    first_scored_at = scored["scored_at"].iloc[0]

    # A warning that matters still reaches the log: a setting Spark no longer uses.
    again = run_step("score", [*args, "--spark-conf", "spark.shuffle.spill=true"], step_env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert {line.split(" WARN ", 1)[-1] for line in _noise(again.stderr)} == {  # Spark repeats it per SparkConf
        "SparkConf: The configuration key 'spark.shuffle.spill' has been deprecated as of Spark 1.6 and may be "
        "removed in the future. Not used anymore."}
    rescored = read_frame(hive_cursor, f"SELECT id, scored_at FROM {output} WHERE dt = '{INPUT_DS}'")
    assert len(rescored) == len(cancer_frame)
    assert rescored["id"].is_unique
    assert set(rescored["scored_at"]) != {first_scored_at}


def test_score_refuses_requirements_outside_the_index_before_spark(pyfunc_model, cancer_input, step_env, tmp_path,
                                                                   test_database, hive_cursor):
    output = f"{test_database}.scores_refused"
    args = ["--ds", INPUT_DS, "--model-uri", pyfunc_model.pinned_uri, "--model-name", pyfunc_model.name,
            "--model-version", pyfunc_model.version, "--model-run-id", pyfunc_model.run_id,
            "--requirements", "scikit-learn\n-e git+https://example.com/evil.git#egg=evil\n--index-url http://x\n",
            "--input-table", cancer_input, "--input-partition-column", "dt", "--id-column", "id",
            "--output-table", output, "--output-partition-column", "dt", "--out-dir", str(tmp_path)]
    result = run_step("score", args, step_env)
    assert result.returncode == exit_codes.PERMANENT
    assert "model requirements refused" in result.stderr
    assert "-e git+https://example.com/evil.git" in result.stderr and "--index-url http://x" in result.stderr
    assert not _table_exists(hive_cursor, output)


def test_plain_sklearn_model_scores_equal_predict(spark, sklearn_model, cancer_input, cancer_frame, test_database,
                                                  hive_cursor):
    output = f"{test_database}.scores_sklearn"
    result = score_partition(spark, score_request(sklearn_model, cancer_input, output))
    assert result.rows_written == len(cancer_frame) and result.score_columns == ["score"]
    scored = read_frame(hive_cursor, f"SELECT id, score FROM {output} WHERE dt = '{INPUT_DS}'").sort_values("id")
    np.testing.assert_allclose(scored["score"].to_numpy(), _expected(sklearn_model, cancer_frame), rtol=1e-9)


def test_multi_output_model_stores_one_double_column_per_class(spark, multi_output_model, cancer_input,
                                                               cancer_frame, test_database, hive_cursor):
    output = f"{test_database}.scores_multi"
    result = score_partition(spark, score_request(multi_output_model, cancer_input, output))
    assert result.score_columns == ["score_0", "score_1"]
    scored = read_frame(hive_cursor, f"SELECT id, score_0, score_1 FROM {output} WHERE dt = '{INPUT_DS}'")
    scored = scored.sort_values("id")
    expected = np.asarray(_expected(multi_output_model, cancer_frame))
    np.testing.assert_allclose(scored[["score_0", "score_1"]].to_numpy(), expected, rtol=1e-9)


def test_signature_mismatch_is_reported_before_anything_is_written(spark, pyfunc_model, cancer_frame,
                                                                   test_database, hive_cursor, local_stack):
    bad = cancer_frame.drop(columns=["mean_radius"]).assign(mean_texture=cancer_frame["mean_texture"].astype(str))
    table = f"{test_database}.bad_signature"
    load_partition(hive_cursor, local_stack, table, bad, INPUT_DS)
    output = f"{test_database}.scores_bad_signature"
    with pytest.raises(StepError) as error:
        score_partition(spark, score_request(pyfunc_model, table, output))
    assert "column 'mean_radius' (double) is missing" in error.value.message
    assert "column 'mean_texture' is string but the model expects double" in error.value.message
    assert not _table_exists(hive_cursor, output)


def test_empty_partition_fails_by_default_and_skip_leaves_output_alone(spark, sklearn_model, cancer_input,
                                                                       test_database, hive_cursor):
    output = f"{test_database}.scores_sklearn_empty"
    score_partition(spark, score_request(sklearn_model, cancer_input, output))
    with pytest.raises(StepError, match="is empty; nothing was written"):
        score_partition(spark, score_request(sklearn_model, cancer_input, output, ds="1999-01-01"))
    skipped = score_partition(spark, score_request(sklearn_model, cancer_input, output, ds="1999-01-01",
                                                   on_empty="skip"))
    assert skipped.skipped and skipped.rows_written == 0
    hive_cursor.execute(f"SHOW PARTITIONS {output}")
    assert hive_cursor.fetchall() == [(f"dt={INPUT_DS}",)]


def test_nan_features_defined_behaviour(spark, pyfunc_model, sklearn_model, cancer_frame, test_database, hive_cursor,
                                        local_stack):
    """NaN/NULL features reach the model as NaN: a model that handles them scores; one that cannot fails the step
    and the existing output partition stays as it was."""
    frame = cancer_frame.head(40).copy()
    frame.loc[:9, "mean_radius"] = np.nan
    frame.loc[10:14, "mean_area"] = np.inf
    table = f"{test_database}.nan_features"
    load_partition(hive_cursor, local_stack, table, frame, INPUT_DS)

    handled = f"{test_database}.scores_nan_pyfunc"
    assert score_partition(spark, score_request(pyfunc_model, table, handled)).rows_written == 40
    scored = read_frame(hive_cursor, f"SELECT id, score FROM {handled} WHERE dt = '{INPUT_DS}'").sort_values("id")
    np.testing.assert_allclose(scored["score"].to_numpy(), _expected(pyfunc_model, frame), rtol=1e-9)

    refused = f"{test_database}.scores_nan_sklearn"
    clean = f"{test_database}.clean_features"
    load_partition(hive_cursor, local_stack, clean, cancer_frame.head(40), INPUT_DS)
    score_partition(spark, score_request(sklearn_model, clean, refused))
    before = read_frame(hive_cursor, f"SELECT id, score, scored_at FROM {refused} WHERE dt = '{INPUT_DS}'")
    with pytest.raises(StepError, match="nothing was written|left as it was"):
        score_partition(spark, score_request(sklearn_model, table, refused))
    after = read_frame(hive_cursor, f"SELECT id, score, scored_at FROM {refused} WHERE dt = '{INPUT_DS}'")
    assert after.sort_values("id").reset_index(drop=True).equals(before.sort_values("id").reset_index(drop=True))


def test_missing_input_table_is_named_and_nothing_is_written(spark, sklearn_model, test_database, hive_cursor):
    output = f"{test_database}.scores_missing_input"
    with pytest.raises(StepError, match=rf"--input-table: table {test_database}\.no_such_features does not exist"):
        score_partition(spark, score_request(sklearn_model, f"{test_database}.no_such_features", output))
    assert not _table_exists(hive_cursor, output)


def test_repeated_calls_in_one_session_ship_the_model_again_and_replace_the_partition(
        spark, sklearn_model, cancer_input, cancer_frame, test_database, hive_cursor):
    """A long-lived session scoring the same pinned model twice: the second call ships a new archive name (Spark
    refuses a second file under a served name) and its rows replace the first call's."""
    output = f"{test_database}.scores_repeated"
    first = score_partition(spark, score_request(sklearn_model, cancer_input, output))
    before = read_frame(hive_cursor, f"SELECT scored_at FROM {output} WHERE dt = '{INPUT_DS}'")
    second = score_partition(spark, score_request(sklearn_model, cancer_input, output))
    assert first.rows_written == second.rows_written == len(cancer_frame)
    scored = read_frame(hive_cursor, f"SELECT id, scored_at FROM {output} WHERE dt = '{INPUT_DS}'")
    assert len(scored) == len(cancer_frame) and scored["id"].is_unique
    assert set(scored["scored_at"]).isdisjoint(set(before["scored_at"]))
