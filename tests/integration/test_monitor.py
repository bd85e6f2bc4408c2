"""monitor against real Spark, Hive and MLflow: scored partitions without drift pass, a shifted feature fails the run
after its scores are written, and the measures and pictures land on the partition's lineage run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from jobs.score.pipeline import score_partition
from tests.integration.helpers import load_partition, output_files, read_frame, run_step, score_request

pytestmark = [pytest.mark.slow, pytest.mark.integration]
DAYS = ("2024-05-01", "2024-05-02", "2024-05-03")
SHIFTED = "mean_radius"
# The config's default lines plus a fail line for feature PSI.
LINES = ["--score-psi-warn", "0.1", "--score-psi-fail", "0.25", "--feature-psi-warn", "0.2", "--feature-psi-fail",
         "0.5", "--row-change-warn", "0.3"]


@pytest.fixture(scope="module")
def partitions(spark, hive_cursor, local_stack, test_database, cancer_frame, sklearn_model):
    """Input and scores for three days: day 2 a resample of day 1 (no drift), day 3 with `mean_radius` shifted by
    three standard deviations. Scores come from the real score code, one partition at a time."""
    input_table, output_table = f"{test_database}.mon_features", f"{test_database}.mon_scores"
    rng = np.random.default_rng(7)
    resampled = cancer_frame.sample(frac=1.0, replace=True, random_state=11).reset_index(drop=True)
    resampled["id"] = np.arange(len(resampled))
    shifted = cancer_frame.copy()
    shifted[SHIFTED] = shifted[SHIFTED] + 3 * shifted[SHIFTED].std() * (1 + 0.1 * rng.random(len(shifted)))
    for ds, frame in zip(DAYS, (cancer_frame, resampled, shifted), strict=True):
        load_partition(hive_cursor, local_stack, input_table, frame, ds)
        score_partition(spark, score_request(sklearn_model, input_table, output_table, ds=ds))
    return input_table, output_table


def _validate_and_monitor(tables, ds, step_env, tmp_path, *extra):
    input_table, output_table = tables
    common = ["--ds", ds, "--input-table", input_table, "--input-partition-column", "dt", "--id-column", "id",
              "--output-table", output_table, "--output-partition-column", "dt"]
    validated = run_step("validate", [*common, "--experiment", "it-monitor", "--model-version", "1",
                                      "--out-dir", str(tmp_path / "validate")], step_env)
    assert validated.returncode == 0, validated.stderr[-3000:]
    run_id = output_files(tmp_path / "validate")["lineage-run-id"]
    monitored = run_step("monitor", [*common, "--lineage-run-id", run_id, *LINES,
                                     "--spark-master", "local[1]", "--out-dir", str(tmp_path / "monitor"), *extra],
                         step_env)
    return run_id, monitored


def test_no_drift_passes_and_logs_measures_and_pictures(partitions, step_env, tmp_path, mlflow_client):
    _validate_and_monitor(partitions, DAYS[0], step_env, tmp_path / "first")  # day 1: nothing to compare with
    run_id, result = _validate_and_monitor(partitions, DAYS[1], step_env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = output_files(tmp_path / "monitor")
    report = json.loads(outputs["drift-report"])
    assert outputs["drift-status"] == report["status"] != "fail"
    assert report["previous_ds"] == DAYS[0] and report["rows"] == report["previous_rows"] == 569
    assert 0 <= float(outputs["score-psi"]) < 0.1 and report["row_change"] == 0
    assert max(v for v in report["feature_psi"].values()) < 0.2 and len(report["feature_psi"]) == 30
    run = mlflow_client.get_run(run_id)
    metrics = run.data.metrics
    assert metrics["score_psi_previous"] == pytest.approx(float(outputs["score-psi"]), abs=1e-6)
    assert {"score_p50", "rows", "row_change", f"feature_psi.{SHIFTED}", f"feature_null_rate.{SHIFTED}"} <= set(metrics)
    assert run.data.tags["batch_scoring.drift_status"] == report["status"] and run.info.status == "FINISHED"
    artifacts = {a.path for a in mlflow_client.list_artifacts(run_id, "monitoring")}
    assert artifacts == {"monitoring/score_histogram.png", "monitoring/score_psi_history.png",
                         "monitoring/drift_report.json"}
    picture = mlflow_client.download_artifacts(run_id, "monitoring/score_histogram.png", str(tmp_path))
    assert open(picture, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_shifted_feature_fails_the_run_after_the_scores_are_written(partitions, step_env, tmp_path, mlflow_client,
                                                                    hive_cursor):
    run_id, result = _validate_and_monitor(partitions, DAYS[2], step_env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"drift check failed for {partitions[1]} ds={DAYS[2]} (the scores are written)" in result.stderr
    assert f"feature_psi.{SHIFTED}" in result.stderr and "fail line 0.5" in result.stderr
    report = json.loads(output_files(tmp_path / "monitor")["drift-report"])
    assert report["status"] == "fail" and report["feature_psi"][SHIFTED] > 0.5
    assert read_frame(hive_cursor, f"SELECT COUNT(*) AS n FROM {partitions[1]} WHERE dt = '{DAYS[2]}'")["n"][0] == 569
    run = mlflow_client.get_run(run_id)
    assert run.info.status == "FAILED" and run.data.tags["batch_scoring.drift_status"] == "fail"
    assert run.data.metrics[f"feature_psi.{SHIFTED}"] == pytest.approx(report["feature_psi"][SHIFTED])
