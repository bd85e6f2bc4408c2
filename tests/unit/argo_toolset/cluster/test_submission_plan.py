"""What `submit` applies: the file's templates and the job's RBAC placed in the chosen namespace, every service
account the templates and bindings name, and the namespace under the restricted Pod Security Standard."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from argo_toolset.cluster.submission import POD_SECURITY_LABELS, SubmitRefused, apply_plan, plan_submission

REPO = Path(__file__).resolve().parents[4]
WORKFLOWS = REPO / "workflows" / "churn-daily.yaml"


def documents() -> list[dict]:
    return [doc for doc in yaml.safe_load_all(WORKFLOWS.read_text()) if doc]


class RecordingApi:
    """A fake of KubeApi.apply that records what would be sent (a unit test: the cluster tests send it for real)."""

    def __init__(self):
        self.applied: list[tuple[str, str, str | None]] = []
        self.namespace_labels: dict = {}

    def apply(self, manifest: dict, namespace: str | None = None) -> dict:
        metadata = manifest["metadata"]
        if manifest["kind"] == "Namespace":
            self.namespace_labels = metadata.get("labels", {})
        self.applied.append((manifest["kind"], metadata["name"], metadata.get("namespace", namespace)))
        return manifest


def test_everything_lands_in_the_namespace_asked_for():
    plan = plan_submission(documents(), WORKFLOWS, "churn-daily", {"ds": "2026-01-02"}, "team-a")
    api = RecordingApi()
    prepared = []
    apply_plan(api, plan, lambda _api, namespace: prepared.append(namespace))
    assert prepared == ["team-a"]
    assert api.namespace_labels == POD_SECURITY_LABELS
    kinds = {(kind, name) for kind, name, namespace in api.applied if namespace == "team-a"}
    assert {("WorkflowTemplate", "churn-daily"), ("WorkflowTemplate", "churn-daily-retro"),
            ("CronWorkflow", "churn-daily"), ("Role", "churn-daily-steps"), ("RoleBinding", "churn-daily-steps"),
            ("ServiceAccount", "batch-scoring")} <= kinds


def test_cron_workflow_is_submittable_by_kind_and_name():
    plan = plan_submission(documents(), WORKFLOWS, "CronWorkflow/churn-daily", {}, None)
    assert (plan.kind, plan.name, plan.namespace) == ("CronWorkflow", "churn-daily", "ds-scoring")


def test_every_problem_is_named_at_once():
    with pytest.raises(SubmitRefused) as refused:
        plan_submission(documents(), WORKFLOWS, "churn-daily", {"model": "x"}, None)
    assert "unknown parameter 'model'" in str(refused.value)
    assert "missing parameter 'ds'" in str(refused.value)
