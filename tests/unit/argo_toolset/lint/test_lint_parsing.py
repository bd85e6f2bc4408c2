"""Strict parse: YAML errors, duplicate keys, dates kept as strings, kinds; expression variable extraction."""

from __future__ import annotations

import pytest

from argo_toolset.core.dag import referenced_tasks
from argo_toolset.core.documents import parse_documents
from argo_toolset.core.variables import expression_chains
from argo_toolset.lint import lint_documents


def test_duplicate_keys_are_findings_with_their_line() -> None:
    documents, findings = parse_documents("a: 1\nb:\n  c: 1\n  c: 2\n---\nd: 1\nd: 2\n", "f.yaml")
    assert len(documents) == 2
    assert [(f.document, f.path, f.rule) for f in findings] == [(1, "line 4", "yaml"), (2, "line 7", "yaml")]
    assert "'c'" in findings[0].message


def test_syntax_error_is_a_finding_and_earlier_documents_survive() -> None:
    documents, findings = parse_documents("a: 1\n---\nb: [1\n", "f.yaml")
    assert [d.data for d in documents] == [{"a": 1}]
    assert [(f.document, f.rule) for f in findings] == [(2, "yaml")]


def test_unquoted_dates_stay_strings_as_in_kubernetes_json() -> None:
    (document,), _ = parse_documents("ds: 2024-01-31\n", "f.yaml")
    assert document.data == {"ds": "2024-01-31"}


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"apiVersion": "v1", "kind": "Workflow", "metadata": {"name": "a"}}, "apiVersion"),
        ({"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": "a"}}, "kind"),
        (["not", "a", "mapping"], "<root>"),
    ],
)
def test_documents_must_be_argo_workflow_kinds(document, path: str) -> None:
    findings = lint_documents([document], "x.yaml", None)
    assert [(f.rule, f.path) for f in findings] == [("kind", path)]


@pytest.mark.parametrize(
    ("expression", "chains"),
    [
        ("sprig.date('2006-01-02', workflow.scheduledTime)", [("workflow", "scheduledTime")]),
        (
            "tasks['fetch-model'].outputs.parameters['model-version']",
            [("tasks", "fetch-model", "outputs", "parameters", "model-version")],
        ),
        (
            "asInt(inputs.parameters.n) > 3 ? 'inputs.parameters.x' : item.a",
            [("inputs", "parameters", "n"), ("item", "a")],
        ),
        ("workflow.name.startsWith('x')", [("workflow", "name")]),
        ("map(items, #.inputs)", []),
    ],
)
def test_expression_chains(expression: str, chains: list[tuple[str, ...]]) -> None:
    assert list(expression_chains(expression)) == chains


def test_depends_expression_task_names() -> None:
    assert referenced_tasks("(a || b.Failed) && !c-d.Skipped && e.AnySucceeded") == ["a", "b", "c-d", "e"]
