"""Two local runs of the demo job for the same ds at once, with planted Secret values: serialized, one run's rows
in the partition, and the planted credentials nowhere in the generated YAML, the runs' logs and files, or MLflow."""

from __future__ import annotations

import getpass
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.config.loader import deep_merge
from generator.runner import NodePhase, RunResult, load_documents, run_workflow, secret_variable
from generator.specs.render import planned_outputs, write_outputs
from tests.reliability.helpers import files_under

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parents[2]
JOB = "cancer-risk-daily"
DS = "2026-05-01"
SECRETS = {("hive-credentials", "username"), ("hive-credentials", "password"),
           ("mlflow-credentials", "username"), ("mlflow-credentials", "password")}


@dataclass(frozen=True)
class ConcurrentRuns:
    """What two simultaneous runs left behind."""

    results: dict[str, RunResult]
    output_table: str
    experiment: str
    planted: dict[tuple[str, str], str]
    conf_dir: Path
    workflows_file: Path
    lines: list[str]


def _write_conf(dest: Path, stack, model_uri: str, output_table: str, experiment: str) -> Path:
    """demo/conf aimed at the test stack, naming credential Secrets (values only ever from the environment)."""
    shutil.copytree(REPO / "demo" / "conf", dest)
    defaults = yaml.safe_load((dest / "defaults.yaml").read_text())
    defaults = deep_merge(defaults, {
        "mlflow": {"tracking_uri": stack.mlflow_uri, "experiment": experiment,
                   "credentials_secret": "mlflow-credentials"},
        "hive": {"host": stack.hive_host, "port": stack.hive_port, "metastore_uri": stack.metastore_uri,
                 "credentials_secret": "hive-credentials"},
    })
    (dest / "defaults.yaml").write_text(yaml.safe_dump(defaults, sort_keys=False))
    job = yaml.safe_load((dest / f"{JOB}.yaml").read_text())
    job["model"] = {"uri": model_uri}
    job["output"]["table"] = output_table
    (dest / f"{JOB}.yaml").write_text(yaml.safe_dump(job, sort_keys=False))
    return dest


@pytest.fixture(scope="module")
def concurrent_runs(tmp_path_factory, local_stack, rel_model, test_database) -> ConcurrentRuns:
    from demo.data import load_days

    load_days(local_stack.hive_host, local_stack.hive_port, [DS])
    root = tmp_path_factory.mktemp("concurrent")
    output_table, experiment = f"{test_database}.concurrent_scores", f"rel-{uuid.uuid4().hex[:8]}"
    conf_dir = _write_conf(root / "conf", local_stack, rel_model.alias_uri, output_table, experiment)
    write_outputs(planned_outputs([conf_dir], root / "workflows"))
    workflows_file = root / "workflows" / f"{JOB}.yaml"
    planted = {(name, key): f"planted-{key}-{uuid.uuid4().hex}" for name, key in SECRETS}
    documents = load_documents(workflows_file)
    results: dict[str, RunResult] = {}
    lines: list[str] = []

    def run(name: str) -> None:
        results[name] = run_workflow(documents, JOB, {"ds": DS}, {}, root / name, root / "locks",
                                     backoff_scale=0, echo=lines.append, stream_logs=True)

    with pytest.MonkeyPatch.context() as patch:
        for (name, key), value in planted.items():
            patch.setenv(secret_variable(name, key), value)
        threads = [threading.Thread(target=run, args=(name,)) for name in ("cron", "manual")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return ConcurrentRuns(results, output_table, experiment, planted, conf_dir, workflows_file, lines)


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


def test_planted_secret_values_appear_in_no_yaml_log_file_or_mlflow_run(concurrent_runs, mlflow_client):
    """Passwords appear nowhere. The MLflow login name is MLflow's own author attribution of a run (tag
    `mlflow.user`, as the server's auth would record it): allowed there only; the Hive login name nowhere."""
    generated = concurrent_runs.workflows_file.read_text()
    assert "secretKeyRef" in generated and "hive-credentials" in generated  # the plant was really referenced
    texts = {"workflows": generated, "runner output": "\n".join(concurrent_runs.lines)}
    for folder in [concurrent_runs.conf_dir, *(result.work_dir for result in concurrent_runs.results.values())]:
        for path in files_under(folder):
            texts[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    experiment = mlflow_client.get_experiment_by_name(concurrent_runs.experiment)
    runs = mlflow_client.search_runs([experiment.experiment_id])
    assert len(runs) == 2  # one lineage run per validate step
    mlflow_user = concurrent_runs.planted[("mlflow-credentials", "username")]
    for run in runs:
        tags = dict(run.data.tags)
        assert tags.pop("mlflow.user") in {mlflow_user, getpass.getuser()}
        texts[f"mlflow run {run.info.run_id}"] = repr([run.info.run_name, run.data.params, tags])
    planted = concurrent_runs.planted.values()
    leaks = [(where, value) for value in planted for where, text in texts.items() if value in text]
    assert leaks == []
    assert len(texts) > 20  # logs, outputs and work files of both runs were searched
