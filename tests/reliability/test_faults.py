"""Faults injected for real: the score step SIGKILLed mid-write, services stopped, the alias moved mid-run."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pandas as pd
import pytest

from demo.model import RegisteredModel, register_sklearn_model
from tests.integration.helpers import load_partition, output_files, run_step
from tests.reliability.conftest import INPUT_DS
from tests.reliability.helpers import (
    closed_port,
    files_under,
    partition_folder,
    partition_snapshot,
    score_args,
    start_step,
    table_exists,
)

pytestmark = [pytest.mark.slow, pytest.mark.integration]
KILL_WAIT_SECONDS = 600


def _predict(model_uri: str, frame: pd.DataFrame) -> np.ndarray:
    import mlflow.pyfunc

    return np.asarray(mlflow.pyfunc.load_model(model_uri).predict(frame.drop(columns=["id"])), dtype="float64")


def _wait_for_write_phase(runs_dir, old_run: str, process) -> list:
    """Polls the partition's run folder until the killed run's new folder holds files being written."""
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        new_runs = [child for child in runs_dir.iterdir() if child.name != old_run] if runs_dir.exists() else []
        if new_runs and any(files_under(run) for run in new_runs):
            return new_runs
        time.sleep(0.02)
    raise AssertionError(f"the score step never reached its write phase (exit code {process.poll()})")


def test_sigkill_during_write_leaves_the_complete_old_partition_and_the_next_run_replaces_it(
        rel_model, rel_frame, test_database, local_stack, hive_cursor, step_env, tmp_path):
    # 8x the demo rows and tiny Arrow batches: the write phase lasts long enough to be caught and killed.
    big = pd.concat([rel_frame.assign(id=rel_frame["id"] + copy * len(rel_frame)) for copy in range(8)],
                    ignore_index=True)
    input_table, output = f"{test_database}.kill_features", f"{test_database}.kill_scores"
    load_partition(hive_cursor, local_stack, input_table, big, INPUT_DS)

    first = run_step("score", score_args(rel_model, input_table, output, INPUT_DS, tmp_path / "first"), step_env)
    assert first.returncode == 0, first.stderr[-3000:]
    before = partition_snapshot(hive_cursor, output, INPUT_DS)
    assert len(before) == len(big) and before["scored_at"].nunique() == 1
    old_folder = partition_folder(hive_cursor, output, INPUT_DS)

    log = tmp_path / "killed.log"
    killed_args = score_args(rel_model, input_table, output, INPUT_DS, tmp_path / "killed", "--arrow-batch-size", "2")
    process = start_step("score", killed_args, step_env, log)
    try:
        orphans = _wait_for_write_phase(old_folder.parent, old_folder.name, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, log.read_text()[-3000:]

    after_kill = partition_snapshot(hive_cursor, output, INPUT_DS)
    pd.testing.assert_frame_equal(after_kill, before)  # same rows, same scores, same scored_at: the old run only
    assert partition_folder(hive_cursor, output, INPUT_DS) == old_folder
    assert all(orphan.exists() for orphan in orphans)  # the kill really hit a half-written new folder

    again = run_step("score", score_args(rel_model, input_table, output, INPUT_DS, tmp_path / "again"), step_env)
    assert again.returncode == 0, again.stderr[-3000:]
    replaced = partition_snapshot(hive_cursor, output, INPUT_DS)
    assert replaced["id"].tolist() == before["id"].tolist()
    assert replaced["scored_at"].nunique() == 1 and set(replaced["scored_at"]) != set(before["scored_at"])
    np.testing.assert_allclose(replaced["score"].to_numpy(), before["score"].to_numpy(), rtol=1e-9)
    assert not any(orphan.exists() for orphan in orphans)  # the killed run's leftovers were cleaned up


@pytest.mark.parametrize("step, service", [
    ("fetch_model", "MLflow tracking server"),
    ("validate", "HiveServer2"),
    ("validate", "MLflow tracking server"),
    ("score", "Hive metastore"),
    ("score", "MLflow tracking server"),
])
def test_stopped_service_is_retried_for_the_budget_then_named_and_nothing_is_written(
        step, service, rel_model, rel_input, test_database, hive_cursor, step_env, tmp_path):
    port = closed_port()
    env = {**step_env, "STEP_RETRY_SECONDS": "3"}
    output = f"{test_database}.never_written_{step}"
    out_dir = tmp_path / "out"
    if service == "MLflow tracking server":
        env["MLFLOW_TRACKING_URI"] = f"http://127.0.0.1:{port}"
    if service == "HiveServer2":
        env["HIVE_PORT"] = str(port)
    if step == "fetch_model":
        args = ["--model-uri", rel_model.alias_uri, "--out-dir", str(out_dir)]
    elif step == "validate":
        args = ["--ds", INPUT_DS, "--input-table", rel_input, "--input-partition-column", "dt",
                "--output-table", output, "--output-partition-column", "dt", "--id-column", "id",
                "--out-dir", str(out_dir)]
    else:
        args = score_args(rel_model, rel_input, output, INPUT_DS, tmp_path)
        if service == "Hive metastore":
            args += ["--metastore-uri", f"thrift://127.0.0.1:{port}"]

    result = run_step(step, args, env, timeout=180)

    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"Error: {service} at 127.0.0.1:{port} did not answer after" in result.stderr
    assert "retrying in" in result.stderr  # retried with backoff, not given up at the first refusal
    assert not out_dir.exists() or not list(out_dir.iterdir())
    assert not table_exists(hive_cursor, output)


def test_alias_moved_between_fetch_model_and_score_scores_with_the_pinned_version(
        rel_model, rel_input, rel_frame, mlflow_client, local_stack, test_database, hive_cursor, step_env, tmp_path):
    other = register_sklearn_model(rel_model.name, tracking_uri=local_stack.mlflow_uri)  # version 2, @champion
    try:
        mlflow_client.set_registered_model_alias(rel_model.name, "champion", rel_model.version)
        fetched = run_step("fetch_model", ["--model-uri", rel_model.alias_uri, "--out-dir", str(tmp_path / "fetch")],
                           step_env)
        assert fetched.returncode == 0, fetched.stderr[-3000:]
        outputs = {name: text.rstrip("\n") for name, text in output_files(tmp_path / "fetch").items()}
        assert outputs["model-version"] == rel_model.version

        mlflow_client.set_registered_model_alias(rel_model.name, "champion", other.version)  # moved mid-run
        pinned = RegisteredModel(outputs["model-name"], outputs["model-version"], outputs["model-run-id"], "")
        assert pinned.pinned_uri == outputs["pinned-uri"]
        output = f"{test_database}.alias_moved_scores"
        scored = run_step("score", score_args(pinned, rel_input, output, INPUT_DS, tmp_path,
                                              requirements=outputs["requirements"]), step_env)
        assert scored.returncode == 0, scored.stderr[-3000:]
    finally:
        mlflow_client.set_registered_model_alias(rel_model.name, "champion", rel_model.version)

    rows = partition_snapshot(hive_cursor, output, INPUT_DS)
    assert set(rows["model_version"]) == {rel_model.version}
    pinned_scores = _predict(rel_model.pinned_uri, rel_frame)
    np.testing.assert_allclose(rows["score"].to_numpy(), pinned_scores, rtol=1e-9)
    assert not np.allclose(rows["score"].to_numpy(), _predict(other.pinned_uri, rel_frame))  # v2 really differs
