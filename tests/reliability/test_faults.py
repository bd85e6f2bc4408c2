"""Faults injected for real: the score step SIGKILLed mid-write, services stopped (and coming back), the alias
moved mid-run."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
import uuid
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest

from demo.model import RegisteredModel, register_sklearn_model
from tests.integration.helpers import load_partition, output_files, run_step
from tests.reliability.conftest import INPUT_DS
from tests.reliability.helpers import (
    DelayedForwarder,
    closed_port,
    files_under,
    partition_folder,
    partition_snapshot,
    retry_attempts,
    score_args,
    start_step,
    table_exists,
)

pytestmark = [pytest.mark.slow, pytest.mark.integration]
KILL_WAIT_SECONDS = 600
RETRY_BUDGET = 7  # waits of 1 s, 2 s and the ~4 s left: three growing waits, four attempts
OUTAGE_ATTEMPTS = 2  # failed attempts a step logs before its service comes back in the ride-out tests


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


def _validate_args(input_table: str, output_table: str, out_dir, experiment: str) -> list[str]:
    return ["--ds", INPUT_DS, "--input-table", input_table, "--input-partition-column", "dt",
            "--output-table", output_table, "--output-partition-column", "dt", "--id-column", "id",
            "--experiment", experiment, "--out-dir", str(out_dir)]


def _registry_state(mlflow_client, name: str) -> tuple[dict, list]:
    """What fetch-model must never change: the model's aliases and its versions."""
    versions = sorted((v.version, v.run_id) for v in mlflow_client.search_model_versions(f"name='{name}'"))
    return dict(mlflow_client.get_registered_model(name).aliases), versions


@pytest.mark.parametrize("step, service", [
    ("fetch_model", "MLflow tracking server"),
    ("validate", "HiveServer2"),
    ("validate", "MLflow tracking server"),
    ("score", "Hive metastore"),
    ("score", "MLflow tracking server"),
])
def test_stopped_service_is_retried_with_growing_delays_for_the_budget_then_named_and_nothing_is_written(
        step, service, rel_model, rel_input, test_database, hive_cursor, mlflow_client, step_env, tmp_path):
    port = closed_port()
    env = {**step_env, "STEP_RETRY_SECONDS": str(RETRY_BUDGET)}
    output = f"{test_database}.never_written_{step}"
    out_dir = tmp_path / "out"
    experiment = f"never-{uuid.uuid4().hex[:8]}"
    if service == "MLflow tracking server":
        env["MLFLOW_TRACKING_URI"] = f"http://127.0.0.1:{port}"
    if service == "HiveServer2":
        env["HIVE_PORT"] = str(port)
    if step == "fetch_model":
        args = ["--model-uri", rel_model.alias_uri, "--out-dir", str(out_dir)]
    elif step == "validate":
        args = _validate_args(rel_input, output, out_dir, experiment)
    else:
        args = score_args(rel_model, rel_input, output, INPUT_DS, tmp_path)
        if service == "Hive metastore":
            args += ["--metastore-uri", f"thrift://127.0.0.1:{port}"]
    registry_before = _registry_state(mlflow_client, rel_model.name)

    started = time.monotonic()
    result = run_step(step, args, env, timeout=180)
    elapsed = time.monotonic() - started

    address = f"{service} at 127.0.0.1:{port}"
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"Error: {address} did not answer after 4 attempt(s) over {RETRY_BUDGET}s" in result.stderr
    attempts = retry_attempts(result.stderr, address)
    # Waits double (1 s, 2 s) and the last is what the budget has left (just under 4 s, logged as 3.x or 4.0).
    assert [a.attempt for a in attempts] == [1, 2, 3], result.stderr[-3000:]
    assert [a.wait for a in attempts[:2]] == [1.0, 2.0] and 3.0 <= attempts[2].wait <= 4.0
    gaps = [(later.at - earlier.at).total_seconds() for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.99 and gaps[1] >= 1.99 and gaps[1] > gaps[0]  # the step really slept, longer each time
    assert RETRY_BUDGET <= elapsed < RETRY_BUDGET + 90  # waited the whole budget, and not much more
    assert not out_dir.exists() or not list(out_dir.iterdir())  # no output file, not even a partial set
    assert not table_exists(hive_cursor, output)
    assert _registry_state(mlflow_client, rel_model.name) == registry_before  # aliases and versions untouched
    if step == "validate":  # no lineage run, not even one left RUNNING: checks come before MLflow is written
        assert mlflow_client.get_experiment_by_name(experiment) is None


def _run_through_an_outage(step: str, args: list[str], env: dict[str, str], port: int, target: int, service: str,
                           log) -> tuple[int, str]:
    """Runs a step whose service at 127.0.0.1:`port` is down until the step has logged OUTAGE_ATTEMPTS failed
    attempts, then comes back (a relay to the real service at `target`). Returns the exit code and the log."""
    address = f"{service} at 127.0.0.1:{port}"

    def retried_enough() -> bool:
        return log.exists() and len(retry_attempts(log.read_text(), address)) >= OUTAGE_ATTEMPTS

    with DelayedForwarder(port, target, opens_when=retried_enough):
        process = start_step(step, args, env, log)
        try:
            process.wait(timeout=300)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=60)
    output = log.read_text()
    assert len(retry_attempts(output, address)) >= OUTAGE_ATTEMPTS, output[-3000:]  # it really was down, then back
    return process.returncode, output


def test_fetch_model_rides_out_an_mlflow_outage_and_writes_what_a_normal_run_writes(
        rel_model, local_stack, mlflow_client, step_env, tmp_path):
    normal = run_step("fetch_model", ["--model-uri", rel_model.alias_uri, "--out-dir", str(tmp_path / "normal")],
                      step_env)
    assert normal.returncode == 0, normal.stderr[-3000:]
    registry_before = _registry_state(mlflow_client, rel_model.name)
    port = closed_port()
    env = {**step_env, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}", "STEP_RETRY_SECONDS": "60"}

    code, output = _run_through_an_outage(
        "fetch_model", ["--model-uri", rel_model.alias_uri, "--out-dir", str(tmp_path / "out")], env, port,
        urlparse(local_stack.mlflow_uri).port, "MLflow tracking server", tmp_path / "fetch.log")

    assert code == 0, output[-3000:]
    assert output_files(tmp_path / "out") == output_files(tmp_path / "normal")  # every output, complete and equal
    assert _registry_state(mlflow_client, rel_model.name) == registry_before


def test_validate_rides_out_a_spark_thrift_server_outage_and_logs_exactly_one_lineage_run(
        rel_input, rel_frame, local_stack, hive_cursor, mlflow_client, test_database, step_env, tmp_path):
    output = f"{test_database}.outage_scores"
    load_partition(hive_cursor, local_stack, output, pd.DataFrame({"id": rel_frame["id"], "score": 0.5}), INPUT_DS)
    port = closed_port()
    experiment = f"outage-{uuid.uuid4().hex[:8]}"
    env = {**step_env, "HIVE_PORT": str(port), "STEP_RETRY_SECONDS": "60"}

    code, log = _run_through_an_outage("validate", _validate_args(rel_input, output, tmp_path / "out", experiment),
                                       env, port, local_stack.hive_port, "HiveServer2", tmp_path / "validate.log")

    assert code == 0, log[-3000:]
    report = json.loads((tmp_path / "out" / "report").read_text())
    assert report["passed"] and report["output_rows"] == report["input_rows"] == len(rel_frame)
    runs = mlflow_client.search_runs([mlflow_client.get_experiment_by_name(experiment).experiment_id])
    assert [run.info.status for run in runs] == ["FINISHED"]  # one lineage run: retries never log twice
    assert runs[0].data.params["output_table"] == output


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
