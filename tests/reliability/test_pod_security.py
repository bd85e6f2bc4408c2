"""Every container of every generated document runs locked down, under the configured service account.

Checked over a fresh build of conf/ and demo/conf (not the committed files, so a generator change is caught
before anyone regenerates), and over every config key that could weaken it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.config.loader import load_jobs
from generator.specs import names
from generator.specs.render import planned_outputs
from generator.specs.spark_k8s import EXECUTOR_TEMPLATE_PATH, driver_service_account

REPO = Path(__file__).resolve().parents[2]
CONF_DIRS = [REPO / "conf", REPO / "demo" / "conf"]
DRIVER_STEPS = {names.SCORE, names.MONITOR}


def _documents(conf_dir: Path, tmp_path: Path) -> list[tuple[str, dict]]:
    """The Argo documents of a fresh build (the RBAC manifests beside them hold no pods)."""
    outputs = planned_outputs([conf_dir], tmp_path)
    return [(f"{path.name}/{doc['kind']}/{doc['metadata']['name']}", doc)
            for path, text in sorted(outputs.items()) if not path.name.endswith(".rbac.yaml")
            for doc in yaml.safe_load_all(text)]


def _executor_pods(spec: dict) -> list[tuple[str, dict]]:
    """Executor pod templates a k8s:// score step carries (Spark merges them into every executor pod)."""
    return [(template["name"], yaml.safe_load(artifact["raw"]["data"]))
            for template in spec.get("templates", [])
            for artifact in (template.get("inputs") or {}).get("artifacts", [])
            if artifact.get("path") == EXECUTOR_TEMPLATE_PATH]


def _workflow_spec(doc: dict) -> dict:
    return doc["spec"]["workflowSpec"] if doc["kind"] == "CronWorkflow" else doc["spec"]


def _containers(spec: dict) -> list[tuple[str, dict]]:
    found = []
    for template in spec.get("templates", []):
        for kind in ("container", "script"):
            if kind in template:
                found.append((template["name"], template[kind]))
    return found


@pytest.mark.parametrize("conf_dir", CONF_DIRS, ids=lambda path: str(path.relative_to(REPO)))
def test_every_generated_container_is_non_root_unprivileged_read_only_and_limited(conf_dir, tmp_path):
    jobs = load_jobs([conf_dir])
    accounts = {job.config.name: job.config.service_account for job in jobs}
    drivers = {job.config.name: driver_service_account(job.config) for job in jobs}
    checked = executors_checked = 0
    documents = _documents(conf_dir, tmp_path)
    template_names = {doc["metadata"]["name"] for _, doc in documents if doc["kind"] == "WorkflowTemplate"}
    for where, doc in documents:
        spec = _workflow_spec(doc)
        job = doc["metadata"]["labels"]["batch-scoring.io/job"]
        if doc["kind"] == "CronWorkflow":
            # Runs the WorkflowTemplate checked here (Argo merges its spec); it must not override any of it.
            assert spec["workflowTemplateRef"]["name"] in template_names, where
            assert not {"templates", "securityContext", "podSpecPatch"} & set(spec), where
            assert spec.get("serviceAccountName", accounts[job]) == accounts[job], where
            continue
        pod = spec.get("securityContext") or {}
        assert pod.get("runAsNonRoot") is True and pod.get("runAsUser", 0) != 0, where
        assert spec.get("serviceAccountName") == accounts[job] != "default", where
        assert not spec.get("podSpecPatch"), where
        executors = [(f"{name} executor pod", executor["spec"]["containers"][0], executor["spec"])
                     for name, executor in _executor_pods(spec)]
        executors_checked += len(executors)
        for name, container, pod_spec in [(name, container, spec) for name, container in _containers(spec)] + executors:
            at = f"{where} template {name}"
            pod = pod_spec.get("securityContext") or {}
            assert pod.get("runAsNonRoot") is True and pod.get("runAsUser", 0) != 0, at
            context = container.get("securityContext") or {}
            assert context.get("runAsNonRoot") is True, at
            assert context.get("allowPrivilegeEscalation") is False, at
            assert context.get("readOnlyRootFilesystem") is True, at
            assert context.get("privileged", False) is False, at
            assert "ALL" in (context.get("capabilities") or {}).get("drop", []), at
            assert not (context.get("capabilities") or {}).get("add"), at
            limits = (container.get("resources") or {}).get("limits") or {}
            assert limits.get("cpu") and limits.get("memory"), at
            checked += 1
        for template in spec["templates"]:
            # Only a k8s:// job's Spark driver steps run under their own account (the one with rights on pods).
            allowed = {accounts[job], drivers[job]} if template["name"] in DRIVER_STEPS else {accounts[job]}
            assert template.get("serviceAccountName", accounts[job]) in allowed - {"default"}, where
            assert not template.get("podSpecPatch"), where
    assert checked >= 5 * len(accounts)  # at least prepare, fetch-model, score, validate, exit handler per job
    # Each k8s:// job's driver steps (score, monitor) carry the executor template (the main template, none elsewhere).
    assert executors_checked == len(DRIVER_STEPS) * sum(job.config.spark.master.startswith("k8s://") for job in jobs)


def test_no_secret_value_can_sit_in_a_generated_env(tmp_path):
    """Credentials reach steps only as secretKeyRef; every plain env value is a non-secret setting."""
    for conf_dir in CONF_DIRS:
        for where, doc in _documents(conf_dir, tmp_path / conf_dir.name):
            for name, container in _containers(_workflow_spec(doc)):
                for entry in container.get("env") or []:
                    if any(word in entry["name"] for word in ("PASSWORD", "USERNAME", "HIVE_USER", "TOKEN")):
                        reference = entry.get("valueFrom", {}).get("secretKeyRef")
                        assert reference and "value" not in entry, f"{where} {name} {entry['name']}"
