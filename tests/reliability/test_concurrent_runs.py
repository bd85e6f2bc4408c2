"""Two local runs of the demo job for the same ds at once: serialized by the generated mutex, both succeed, and the
partition holds one run's rows. (Credential leaks are checked against a password-checking MLflow server in
test_credentials.py.)"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import pytest

from argo_toolset.runner import NodePhase, RunResult, load_documents, run_workflow, secret_variable
from generator.specs.render import planned_outputs, write_outputs
from tests.reliability.helpers import DEMO_JOB as JOB
from tests.reliability.helpers import write_demo_conf

pytestmark = [pytest.mark.slow, pytest.mark.integration]
DS = "2026-05-01"
SECRETS = {("hive-credentials", "username"), ("hive-credentials", "password"),
           ("mlflow-credentials", "username"), ("mlflow-credentials", "password")}


@dataclass(frozen=True)
class ConcurrentRuns:
    """What two simultaneous runs left behind."""

    results: dict[str, RunResult]
    output_table: str
    lines: list[str]


@pytest.fixture(scope="module")
def concurrent_runs(tmp_path_factory, local_stack, rel_model, test_database) -> ConcurrentRuns:
    from demo.data import load_days

    load_days(local_stack.hive_host, local_stack.hive_port, [DS])
    root = tmp_path_factory.mktemp("concurrent")
    output_table, experiment = f"{test_database}.concurrent_scores", f"rel-{uuid.uuid4().hex[:8]}"
    conf_dir = write_demo_conf(root / "conf", local_stack, local_stack.mlflow_uri, rel_model.alias_uri, output_table,
                               experiment)
    write_outputs(planned_outputs([conf_dir], root / "workflows"))
    documents = load_documents(root / "workflows" / f"{JOB}.yaml")
    results: dict[str, RunResult] = {}
    lines: list[str] = []

    def run(name: str) -> None:
        results[name] = run_workflow(documents, JOB, {"ds": DS}, {}, root / name, root / "locks",
                                     backoff_scale=0, echo=lines.append, stream_logs=True)

    with pytest.MonkeyPatch.context() as patch:
        for name, key in SECRETS:  # Secret stand-ins the generated env references (the stack checks none of them)
            patch.setenv(secret_variable(name, key), f"stand-in-{key}")
        threads = [threading.Thread(target=run, args=(name,)) for name in ("cron", "manual")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return ConcurrentRuns(results, output_table, lines)


def test_two_runs_for_one_ds_are_serialized_and_the_partition_holds_one_runs_rows(concurrent_runs, hive_cursor):
    results = concurrent_runs.results
    assert {name: result.phase for name, result in results.items()} == {
        "cron": NodePhase.SUCCEEDED, "manual": NodePhase.SUCCEEDED}, [r.message for r in results.values()]
    first, second = sorted((result.node("score") for result in results.values()), key=lambda n: n.started_at)
    assert first.finished_at <= second.started_at  # the mutex kept the score steps apart
    assert any(line.startswith(f"waiting for lock {JOB}-{DS}") for line in concurrent_runs.lines)

    hive_cursor.execute(f"SELECT COUNT(*) FROM demo_features.cancer_risk_daily WHERE dt = '{DS}'")
    input_rows = hive_cursor.fetchone()[0]
    hive_cursor.execute(f"REFRESH TABLE {concurrent_runs.output_table}")
    hive_cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT patient_id), COUNT(DISTINCT scored_at) "
                        f"FROM {concurrent_runs.output_table} WHERE dt = '{DS}'")
    assert hive_cursor.fetchone() == (input_rows, input_rows, 1)
