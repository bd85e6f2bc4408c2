"""Retries through run-local on the real stack: a permanent error runs once, a transient one is retried.

The transient fault is a real one: MLflow is reached through a TCP relay (tests/e2e/relay.py) that drops
every connection until the runner announces the retry, then relays to the stack's MLflow server.
"""

from __future__ import annotations

import shutil
import time
import uuid

import pytest
import yaml

from argo_toolset.runner import load_documents, run_workflow
from contract import exit_codes
from tests.e2e.conftest import DATES, JOB, build_workflows
from tests.e2e.helpers import run
from tests.e2e.relay import GatedRelay

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_missing_output_database_fails_the_score_step_once_without_retries(e2e_project, tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(e2e_project.conf_dir, conf)
    job_path = conf / f"{JOB}.yaml"
    job = yaml.safe_load(job_path.read_text())
    missing = f"no_such_db_{uuid.uuid4().hex[:6]}"
    job["output"]["table"] = f"{missing}.cancer_risk_daily"
    job_path.write_text(yaml.safe_dump(job, sort_keys=False))
    workflows_file = build_workflows(conf, tmp_path / "workflows")

    result = run(workflows_file, JOB, {"ds": DATES[1]}, tmp_path / "run", e2e_project.lock_dir)

    assert result.phase == "Failed"
    score = result.node("score")
    assert [attempt.outputs.exit_code for attempt in score.children] == [exit_codes.PERMANENT]  # one attempt
    assert score.message.endswith("(retryStrategy.expression evaluated to false)")
    assert f"output database {missing!r} does not exist" in (score.children[0].folder / "main.log").read_text()
    assert [node.display_name for node in result.failed_steps()] == ["score"]


def test_unreachable_mlflow_is_retried_and_the_run_succeeds_with_its_duration_logged(
        e2e_project, local_stack, mlflow_client, tmp_path):
    lines: list[str] = []
    with GatedRelay(local_stack.mlflow_uri) as relay:
        def echo(line: str) -> None:
            lines.append(line)
            if "fetch-model: retrying in" in line:
                relay.open()  # the service comes back while the step waits for its retry

        started = time.time()
        result = run_workflow(
            load_documents(e2e_project.workflows_file), JOB, {"ds": DATES[2]},
            {"MLFLOW_TRACKING_URI": relay.uri, "STEP_RETRY_SECONDS": "3"}, tmp_path / "run", e2e_project.lock_dir,
            backoff_scale=1.0, echo=echo, stream_logs=False)
        elapsed = time.time() - started

    assert result.succeeded, "\n".join(lines[-60:])
    attempts = result.node("fetch-model").children
    assert [attempt.phase for attempt in attempts] == ["Failed", "Succeeded"]
    assert attempts[0].outputs.exit_code not in (0, exit_codes.PERMANENT)
    assert relay.dropped >= 1

    # validate got --started-at {{workflow.creationTimestamp}} and logged the run's duration so far.
    experiment = mlflow_client.get_experiment_by_name("demo-batch-scoring")
    runs = mlflow_client.search_runs(
        [experiment.experiment_id],
        filter_string=f"attributes.start_time >= {int(started * 1000)} and "
                      f"tags.`batch_scoring.partition` = 'demo_scores.cancer_risk_daily/{DATES[2]}'")
    assert len(runs) == 1
    metrics = runs[0].data.metrics
    assert metrics["validate_seconds"] < metrics["duration_seconds"] <= elapsed + 1
