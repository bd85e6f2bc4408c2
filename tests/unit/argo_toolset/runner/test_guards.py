"""Mutexes across runs, Secrets from the environment, parameters, refused features, paths, sprig dates."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from argo_toolset.runner import NodePhase, UnsupportedFeatureError
from generator.errors import UserError


def test_mutex_serializes_two_concurrent_runs_for_the_same_ds(local_run):
    results = {}

    def run(name: str) -> None:
        results[name] = local_run("mutex.yaml", work=name, parameters={"ds": "2024-05-01", "run": name})

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {name: result.phase for name, result in results.items()} == {
        "first": NodePhase.SUCCEEDED, "second": NodePhase.SUCCEEDED}
    spans = local_run.intervals()
    assert local_run.max_concurrency([spans["first"], spans["second"]]) == 1
    assert any(line.startswith("waiting for lock guarded-2024-05-01") for line in local_run.lines)


def test_mutex_lets_different_dates_run_together(local_run):
    results = []
    threads = [threading.Thread(target=lambda ds=ds: results.append(
        local_run("mutex.yaml", work=ds, parameters={"ds": ds, "run": ds}))) for ds in ("2024-05-01", "2024-05-02")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.phase for r in results] == [NodePhase.SUCCEEDED] * 2
    assert not any("waiting for lock" in line for line in local_run.lines)


def test_secret_key_ref_reads_the_documented_env_variable(local_run, monkeypatch):
    monkeypatch.setenv("ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD", "s3cret")

    result = local_run("secrets.yaml")

    assert result.phase is NodePhase.SUCCEEDED
    # api.token/value is optional and unset: the step's API_TOKEN stays unset.
    assert result.root.outputs.result == "user=scorer password=s3cret token=unset"


def test_optional_secret_is_passed_when_set(local_run, monkeypatch):
    monkeypatch.setenv("ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD", "pw")
    monkeypatch.setenv("ARGO_SECRET_API_TOKEN_VALUE", "tok")

    assert local_run("secrets.yaml").root.outputs.result == "user=scorer password=pw token=tok"


def test_missing_required_secret_names_the_variable_and_runs_nothing(local_run, monkeypatch):
    monkeypatch.delenv("ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD", raising=False)

    with pytest.raises(UserError, match="ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD") as raised:
        local_run("secrets.yaml")
    assert "Secret 'hive-credentials' key 'password'" in raised.value.message
    assert not (local_run.tmp_path / "work").exists()


def test_required_parameter_missing_is_a_clear_error(local_run):
    with pytest.raises(UserError) as raised:
        local_run("diamond.yaml")
    assert "parameter 'start' is required (A number to start from): pass -p start=VALUE" in raised.value.message


def test_unknown_parameter_lists_the_declared_ones(local_run):
    with pytest.raises(UserError, match="unknown parameter 'stat'.*declares: start"):
        local_run("diamond.yaml", parameters={"stat": "1", "start": "2"})


@pytest.mark.parametrize(("document", "named"), [
    ("resource-template", "template 'create'.resource: unsupported field (resource templates"),
    ("sidecar", "template 'main'.sidecars: unsupported field (sidecars)"),
    ("s3-artifact", "inputs.artifacts[0] (data).s3: unsupported field"),
    ("output-artifact", "outputs.artifacts: unsupported: artifacts other than inline raw ones"),
    ("semaphore", "synchronization.semaphores: unsupported: semaphores"),
    ("unknown-function", "expression function sprig.b64enc() is not implemented"),
    ("suspend", "template 'approve'.suspend: unsupported field (suspend templates)"),
])
def test_unsupported_feature_is_refused_before_anything_runs(local_run, document, named):
    with pytest.raises(UnsupportedFeatureError) as raised:
        local_run("unsupported.yaml", document)

    assert named in raised.value.message
    assert f"WorkflowTemplate {document}" in raised.value.message
    assert not (local_run.records / "ran").exists()
    assert not (local_run.tmp_path / "work").exists()


def test_declared_paths_are_mapped_into_the_node_folder(local_run):
    result = local_run("paths.yaml")

    assert result.phase is NodePhase.SUCCEEDED
    root = result.root.folder / "root"
    assert (root / "work" / "inputs" / "query.sql").read_text() == \
        "SELECT * FROM t WHERE dt = '${ds}' -- {{ not an argo variable }}\n"
    assert result.root.outputs.parameters == {"lines": "1", "missing": "fallback"}
    lines = result.root.outputs.result.splitlines()
    assert lines[0] == "SELECT * FROM t WHERE dt = '${ds}' -- {{ not an argo variable }}"
    assert lines[1:] == [f"home={root / 'tmp'}", f"scratch={root / 'scratch'}", f"tmpdir={root / 'tmp'}"]
    assert (result.root.folder / "main.log").read_text().startswith("SELECT")


def test_cron_workflow_derives_ds_from_the_scheduled_time(local_run):
    moscow = ZoneInfo("Europe/Moscow")
    before = (datetime.now(UTC) - timedelta(hours=24)).astimezone(moscow).date().isoformat()

    result = local_run("cron.yaml", "CronWorkflow/nightly")

    after = (datetime.now(UTC) - timedelta(hours=24)).astimezone(moscow).date().isoformat()
    assert result.phase is NodePhase.SUCCEEDED
    assert result.workflow_name.startswith("nightly-")
    assert result.parameters["ds"] in {before, after}
    assert result.root.outputs.result == result.parameters["ds"]


def test_template_name_not_found_lists_the_documents(local_run):
    with pytest.raises(UserError, match="--template nope: no document of that name.*WorkflowTemplate diamond"):
        local_run("diamond.yaml", "nope")
