"""Variables in a steps Workflow (loops over items, step outputs, globals), with and without the CRDs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from argo_toolset.lint import lint_documents

from .conftest import FIXTURES

STEPS_FILE = FIXTURES / "valid" / "hello-steps.yaml"


@pytest.fixture
def workflow() -> dict[str, Any]:
    return yaml.safe_load(STEPS_FILE.read_text())


def _first_argument(workflow: dict[str, Any], group: int) -> dict[str, Any]:
    return workflow["spec"]["templates"][0]["steps"][group][0]["arguments"]["parameters"][0]


@pytest.mark.parametrize(
    ("group", "value", "problem"),
    [
        (0, "{{item.whom}}", "has no key 'whom'"),
        (2, "{{steps.counter.outputs.result}}", "no step named 'counter'"),
        (2, "{{steps.count.outputs.parameters.m}}", "has no output parameter 'm'"),
        (2, "{{tasks.count.outputs.result}}", "only available inside a DAG template"),
        (2, "{{item}}", "only available in a task or step with withItems"),
        (2, "{{workflow.parameters.greting}}", "no workflow parameter 'greting'"),
        (2, "{{workflow.name.first}}", "workflow.name has no member 'first'"),
        (2, "{{inputs.parameters.text}}", "declares no input parameter 'text'"),
    ],
)
def test_unresolved_variables_in_steps(workflow, crd_dir: Path, group: int, value: str, problem: str) -> None:
    _first_argument(workflow, group)["value"] = value
    for crds in (crd_dir, None):
        findings = lint_documents([workflow], "steps.yaml", crds)
        assert [f.rule for f in findings] == ["unresolved-reference"]
        assert problem in findings[0].message


def test_a_workflow_argument_without_value_is_required(workflow, crd_dir: Path) -> None:
    del workflow["spec"]["arguments"]["parameters"][0]["value"]
    findings = lint_documents([workflow], "steps.yaml", crd_dir)
    assert [(f.rule, f.path) for f in findings] == [("required-input", "spec.arguments.parameters[0]")]
    assert (findings[0].kind, findings[0].name) == ("Workflow", "hello-steps-*")


def test_a_workflow_needs_a_name_or_generate_name(workflow, crd_dir: Path) -> None:
    del workflow["metadata"]["generateName"]
    assert [f.rule for f in lint_documents([workflow], "steps.yaml", crd_dir)] == ["name"]
