"""conf -> build -> lint -> run-local -> scores in Hive, on the real local stack (Hive metastore, Thrift, MLflow)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

from argo_toolset.lint import lint_paths
from tests.e2e.conftest import JOB, build_workflows
from tests.e2e.helpers import partition, run

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def expected_scores(mlflow_uri: str, model_uri: str, ds: str) -> dict[int, float]:
    """What the model itself predicts for the day's rows, computed outside the pipeline."""
    import mlflow

    from demo.data import day_frame

    mlflow.set_tracking_uri(mlflow_uri)
    model = mlflow.pyfunc.load_model(model_uri)
    frame = day_frame(ds)
    predictions = np.asarray(model.predict(frame.drop(columns=["patient_id"])), dtype="float64")
    return dict(zip(frame["patient_id"].tolist(), predictions.tolist(), strict=True))


def test_generated_workflows_lint_clean_with_argo_crds(e2e_project, crd_dir):
    assert lint_paths([e2e_project.workflows_file], crd_dir) == []


def test_run_local_scores_equal_model_predict_and_rerun_replaces(e2e_project, local_stack, hive_cursor, tmp_path):
    ds = "2026-03-01"
    # The real command, as a data engineer runs it.
    command = [
        sys.executable, "-m", "generator", "run-local", str(e2e_project.workflows_file), "--template", JOB,
        "-p", f"ds={ds}", "--work-dir", str(tmp_path / "first"), "--lock-dir", str(e2e_project.lock_dir),
        "--backoff-scale", "0",
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    assert "Succeeded" in completed.stdout

    first = partition(hive_cursor, ds)
    versions = {row[2] for row in first.values()}
    assert len(versions) == 1
    version = versions.pop()
    expected = expected_scores(local_stack.mlflow_uri, f"models:/{e2e_project.model_name}/{version}", ds)
    assert sorted(first) == sorted(expected)
    scores = np.array([first[i][0] for i in sorted(first)])
    assert np.allclose(scores, [expected[i] for i in sorted(expected)], rtol=0, atol=1e-9)
    assert {row[1] for row in first.values()} == {e2e_project.model_name}

    again = run(e2e_project.workflows_file, JOB, {"ds": ds}, tmp_path / "second", e2e_project.lock_dir)
    assert again.succeeded, again.message
    second = partition(hive_cursor, ds)
    assert len(second) == len(first)  # replaced, not appended
    assert {row[4] for row in second.values()} != {row[4] for row in first.values()}  # really rewritten


def test_retro_over_three_dates_yields_three_partitions(e2e_project, hive_cursor, mlflow_client, tmp_path):
    result = run(
        e2e_project.workflows_file,
        f"{JOB}-retro",
        {"start": "2026-03-02", "end": "2026-03-04", "parallelism": "2"},
        tmp_path,
        e2e_project.lock_dir,
    )
    assert result.succeeded, result.message
    scored = sorted(node.inputs["ds"] for node in result.pods() if node.template_name == "score")
    assert scored == ["2026-03-02", "2026-03-03", "2026-03-04"]
    for ds in scored:
        assert len(partition(hive_cursor, ds)) == 569
    assert result.exit_handler is not None and result.exit_handler.phase == "Succeeded"
    # Each date went through the sensor first and the monitor last, whose measures and pictures are on MLflow.
    assert sorted(node.inputs["ds"] for node in result.pods() if node.template_name == "wait-for-input") == scored
    monitored = [node for node in result.pods() if node.template_name == "monitor"]
    assert sorted(node.inputs["ds"] for node in monitored) == scored
    run_id = next(node.inputs["lineage-run-id"] for node in monitored if node.inputs["ds"] == "2026-03-04")
    lineage = mlflow_client.get_run(run_id)
    assert lineage.data.params["ds"] == "2026-03-04" and lineage.data.tags["batch_scoring.drift_status"] == "ok"
    assert {"rows", "score_p50", "score_psi_previous", "feature_psi_max"} <= set(lineage.data.metrics)
    pictures = {a.path for a in mlflow_client.list_artifacts(run_id, "monitoring")}
    assert {"monitoring/score_histogram.png", "monitoring/score_psi_history.png"} <= pictures


def test_failing_step_fails_workflow_runs_exit_handler_and_keeps_output(
    e2e_project, local_stack, hive_cursor, tmp_path
):
    ds = "2026-03-04"
    before = partition(hive_cursor, ds) or None
    if before is None:  # this test may run alone: score the date once first
        assert run(e2e_project.workflows_file, JOB, {"ds": ds}, tmp_path / "setup", e2e_project.lock_dir).succeeded
        before = partition(hive_cursor, ds)

    broken_conf = tmp_path / "conf"
    shutil.copytree(e2e_project.conf_dir, broken_conf)
    (broken_conf / "sql" / "cancer_risk_features.sql").write_text(
        "INSERT OVERWRITE TABLE demo_features.cancer_risk_daily PARTITION (dt = '${ds}')\n"
        "SELECT no_such_column FROM demo_raw.patients WHERE dt = '${ds}' AND 0 >= ${min_mean_radius};\n"
    )
    workflows_file = build_workflows(broken_conf, tmp_path / "workflows")
    result = run(workflows_file, JOB, {"ds": ds}, tmp_path / "run", e2e_project.lock_dir)

    assert result.phase == "Failed"
    assert result.node("prepare").phase == "Failed"
    assert result.node("score").phase == "Omitted"  # never started: nothing was written
    assert result.exit_handler is not None and result.exit_handler.phase == "Succeeded"
    # The exit handler has a retryStrategy (a lost pod is run again), so its pod is an attempt under it; it ran once.
    [attempt] = [node for node in result.exit_handler.walk() if node.folder is not None]
    assert "finished: Failed" in (attempt.folder / "main.log").read_text()
    assert partition(hive_cursor, ds) == before
