"""monitor against real Spark, Hive and MLflow: scored partitions without drift pass, a shifted feature fails the run
after its scores are written, and the measures and pictures land on the partition's lineage run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from contract import exit_codes
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
    assert result.returncode == exit_codes.PERMANENT, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"drift check failed for {partitions[1]} ds={DAYS[2]} (the scores are written)" in result.stderr
    assert f"feature_psi.{SHIFTED}" in result.stderr and "fail line 0.5" in result.stderr
    report = json.loads(output_files(tmp_path / "monitor")["drift-report"])
    assert report["status"] == "fail" and report["feature_psi"][SHIFTED] > 0.5
    assert read_frame(hive_cursor, f"SELECT COUNT(*) AS n FROM {partitions[1]} WHERE dt = '{DAYS[2]}'")["n"][0] == 569
    run = mlflow_client.get_run(run_id)
    assert run.info.status == "FAILED" and run.data.tags["batch_scoring.drift_status"] == "fail"
    assert run.data.metrics[f"feature_psi.{SHIFTED}"] == pytest.approx(report["feature_psi"][SHIFTED])


def test_history_reads_the_partitions_back_from_mlflow(partitions, local_stack, tmp_path):
    """`generate-workflow history` over the runs the tests above logged (MLflow's REST API only)."""
    from click.testing import CliRunner

    from generator.cli import main

    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "mon-job.yaml").write_text(json.dumps({
        "name": "mon-job", "description": "monitor test", "namespace": "t", "image": "img:1", "service_account": "sa",
        "mlflow": {"tracking_uri": "http://mlflow.invalid:5000", "experiment": "it-monitor"},
        "hive": {"host": "h", "metastore_uri": "thrift://h:9083"}, "model": {"uri": "models:/m@champion"},
        "input": {"table": partitions[0], "partition_column": "dt", "id_columns": ["id"]},
        "output": {"table": partitions[1], "partition_column": "dt"},
    }))
    result = CliRunner().invoke(main, ["history", "mon-job", "--conf-dir", str(conf), "--tracking-uri",
                                       local_stack.mlflow_uri, "--plot", str(tmp_path / "history.png")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["ds", "model", "rows", "p10", "p50", "p90", "psi_prev", "psi_ref", "status"]
    by_ds = {line.split()[0]: line.split() for line in lines[2:] if line[:4] == "2024"}
    assert list(by_ds) == list(DAYS)
    assert by_ds[DAYS[0]][6] == "-" and by_ds[DAYS[0]][2] == "569" and by_ds[DAYS[0]][1] == "1"
    assert float(by_ds[DAYS[1]][6]) < 0.1 and by_ds[DAYS[2]][-1] == "fail"
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_alert_of_a_drift_failure_carries_the_lineage(partitions, step_env, local_stack):
    """The exit handler after the shifted-feature run: one message with rows, version, findings and the run link."""
    from tests.webhook_receiver import Receiver

    env = {**step_env, "MLFLOW_TRACKING_URI": local_stack.mlflow_uri}
    failures = json.dumps([{"displayName": "monitor", "message": "drift check failed"}])
    with Receiver() as receiver:
        env["ALERT_WEBHOOK_URL"] = receiver.url("/hook/s3cr3t-path")
        result = run_step("report", ["--workflow-name", "wf-1", "--status", "Failed", "--failures", failures,
                                     "--job", "mon-job", "--ds", DAYS[2], "--output-table", partitions[1],
                                     "--experiment", "it-monitor"], env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "s3cr3t" not in result.stdout + result.stderr
    [message] = receiver.messages
    assert message["kind"] == "failure" and message["ds"] == DAYS[2] and message["rows"] == 569
    assert message["model_version"] == "1" and message["drift_status"] == "fail"
    assert any(f"feature_psi.{SHIFTED}" in warning for warning in message["drift_warnings"])
    assert message["mlflow_run"].startswith(f"{local_stack.mlflow_uri}/#/experiments/")


def test_score_psi_over_its_fail_line_fails_a_real_run_after_the_scores_are_written(
        spark, hive_cursor, local_stack, test_database, cancer_frame, sklearn_model, step_env, tmp_path, mlflow_client):
    """Only the score-PSI lines are given: day 2 holds the largest tumours only (resampled to the same row count),
    so the real model's scores move far up while no feature line exists that could fail the run instead."""
    input_table, output_table = f"{test_database}.spsi_features", f"{test_database}.spsi_scores"
    large = cancer_frame.nlargest(len(cancer_frame) // 4, SHIFTED)
    day2 = large.sample(n=len(cancer_frame), replace=True, random_state=5).reset_index(drop=True)
    day2["id"] = np.arange(len(day2))
    for ds, frame in ((DAYS[0], cancer_frame), (DAYS[1], day2)):
        load_partition(hive_cursor, local_stack, input_table, frame, ds)
        score_partition(spark, score_request(sklearn_model, input_table, output_table, ds=ds))
    common = ["--ds", DAYS[1], "--input-table", input_table, "--input-partition-column", "dt", "--id-column", "id",
              "--output-table", output_table, "--output-partition-column", "dt"]
    validated = run_step("validate", [*common, "--experiment", "it-monitor-score-psi", "--model-version", "1",
                                      "--out-dir", str(tmp_path / "validate")], step_env)
    assert validated.returncode == 0, validated.stderr[-3000:]
    run_id = output_files(tmp_path / "validate")["lineage-run-id"]

    result = run_step("monitor", [*common, "--lineage-run-id", run_id, "--score-psi-warn", "0.1",
                                  "--score-psi-fail", "0.25", "--spark-master", "local[1]",
                                  "--out-dir", str(tmp_path / "monitor")], step_env)

    assert result.returncode == exit_codes.PERMANENT, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"drift check failed for {output_table} ds={DAYS[1]} (the scores are written)" in result.stderr
    assert "score_psi_previous" in result.stderr and "fail line 0.25" in result.stderr
    report = json.loads(output_files(tmp_path / "monitor")["drift-report"])
    assert report["status"] == "fail" and report["score_psi_previous"] > 0.25
    assert [f["measure"] for f in report["findings"] if f["level"] == "fail"] == ["score_psi_previous"]
    assert read_frame(hive_cursor, f"SELECT COUNT(*) AS n FROM {output_table} WHERE dt = '{DAYS[1]}'")["n"][0] == 569
    run = mlflow_client.get_run(run_id)
    assert run.info.status == "FAILED" and run.data.tags["batch_scoring.drift_status"] == "fail"
    assert run.data.metrics["score_psi_previous"] == pytest.approx(report["score_psi_previous"])
