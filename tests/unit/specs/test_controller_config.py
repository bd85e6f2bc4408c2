"""`generate-workflow controller-config`: the workflow-controller-configmap `executor` setting that gives Argo's own
init and wait containers the "restricted" Pod Security Standard's container rules (issue 21, defect 2)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.specs import documents
from tests.unit.specs.test_documents import by_kind, templates

REPO = Path(__file__).resolve().parents[3]


def restricted_violations(pod: dict) -> list[str]:
    """The container-level checks of the "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/
    pod-security-standards), with the pod-level fields that may stand in for a container's."""
    pod_context = pod.get("securityContext") or {}
    found = []
    for container in pod.get("initContainers", []) + pod["containers"]:
        name, context = container["name"], container.get("securityContext") or {}
        if context.get("privileged"):
            found.append(f"{name}: privileged")
        if context.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation != false")
        capabilities = context.get("capabilities") or {}
        if "ALL" not in capabilities.get("drop", []):
            found.append(f"{name}: capabilities.drop lacks ALL")
        if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: adds capabilities")
        if not context.get("runAsNonRoot", pod_context.get("runAsNonRoot")):
            found.append(f"{name}: runAsNonRoot != true")
        if context.get("runAsUser", pod_context.get("runAsUser")) == 0:
            found.append(f"{name}: runAsUser 0")
        seccomp = (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{name}: seccompProfile {seccomp}")
    return found


def _controller_config() -> dict:
    result = CliRunner().invoke(main, ["controller-config"])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.output)


def _step_pod(step: dict, spec: dict, executor: dict) -> dict:
    """The pod Argo's controller makes for a container step: its `init` and `wait` containers are built from the
    controller's `executor` setting (workflow/controller/workflowpod.go, newExecContainer), `main` from the step."""
    argo = {key: value for key, value in executor.items() if key == "securityContext"}
    return {
        "securityContext": spec["securityContext"],
        "initContainers": [{"name": "init", **argo}],
        "containers": [{"name": "wait", **argo}, {"name": "main", **step["container"]}],
    }


def test_argo_init_and_wait_containers_pass_the_restricted_standard_with_the_generated_setting(churn, credit):
    config = _controller_config()
    assert (config["apiVersion"], config["kind"]) == ("v1", "ConfigMap")
    assert config["metadata"]["name"] == "workflow-controller-configmap"
    assert set(config["data"]) == {"executor"}  # a merge patch: the controller's other settings stay as they are
    executor = yaml.safe_load(config["data"]["executor"])
    assert set(executor) == {"securityContext"}
    for job in (churn, credit):
        main_template = by_kind(documents(job))[("WorkflowTemplate", job.config.name)]
        for name, step in templates(main_template).items():
            if "container" in step:
                assert restricted_violations(_step_pod(step, main_template["spec"], executor)) == [], name
    # Argo's default (no `executor` setting) is what the probe saw rejected: init and wait fail the standard.
    step = templates(by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")])["score"]
    spec = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]["spec"]
    assert {v.split(":")[0] for v in restricted_violations(_step_pod(step, spec, {}))} == {"init", "wait"}


def test_the_config_reference_shows_the_generated_setting_verbatim():
    result = CliRunner().invoke(main, ["controller-config"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() in (REPO / "docs" / "CONFIG.md").read_text()
