"""The Argo core's catalog: one workflowTemplateRef merge and one templateRef lookup for the linter and the runner."""

from __future__ import annotations

from argo_toolset.core.catalog import Catalog, merge_spec
from argo_toolset.core.documents import Document
from argo_toolset.runner.documents import DocumentSet


def _template(name: str, spec: dict, kind: str = "WorkflowTemplate") -> dict:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": {"name": name}, "spec": spec}


BASE = _template("base", {
    "entrypoint": "main", "parallelism": 2,
    "arguments": {"parameters": [{"name": "ds", "value": "2024-01-01", "enum": ["2024-01-01", "2024-01-02"]},
                                 {"name": "mode"}]},
    "templates": [{"name": "main", "container": {"image": "a"}}, {"name": "other", "container": {"image": "b"}}],
})
MIDDLE = _template("middle", {
    "workflowTemplateRef": {"name": "base"},
    "arguments": {"parameters": [{"name": "mode", "value": "full"}]},
    "templates": [{"name": "other", "container": {"image": "c"}}],
})
RUN = _template("run", {"workflowTemplateRef": {"name": "middle"}, "parallelism": 1}, kind="Workflow")


def _catalog(*documents: dict) -> Catalog:
    return Catalog([Document("t.yaml", index, doc) for index, doc in enumerate(documents, start=1)])


def test_merge_keeps_the_referencing_spec_and_joins_templates_and_parameters_by_name():
    merged = merge_spec(BASE["spec"], MIDDLE["spec"])

    assert merged["entrypoint"] == "main" and merged["parallelism"] == 2
    assert {t["name"]: t["container"]["image"] for t in merged["templates"]} == {"main": "a", "other": "c"}
    # Field by field: the enum of the base survives the override of `mode`, and `ds` keeps its value.
    assert merged["arguments"]["parameters"] == [
        {"name": "ds", "value": "2024-01-01", "enum": ["2024-01-01", "2024-01-02"]},
        {"name": "mode", "value": "full"},
    ]
    assert "workflowTemplateRef" not in merged


def test_a_chain_of_references_merges_all_the_way_and_the_linter_sees_the_same_arguments():
    catalog = _catalog(BASE, MIDDLE, RUN)
    run = catalog.workflows[2]

    spec = catalog.merged_spec(run)
    templates, arguments, entrypoint = catalog.effective(run)

    assert spec["parallelism"] == 1 and spec["entrypoint"] == entrypoint == "main"
    assert {t["name"] for t in spec["templates"]} == set(templates) == {"main", "other"}
    merged_parameters = {p["name"]: p.get("value") for p in spec["arguments"]["parameters"]}
    assert {name: parameter.value for name, parameter in arguments.items()} == merged_parameters
    assert arguments["mode"].has_value and arguments["ds"].enum == ("2024-01-01", "2024-01-02")


def test_the_runner_runs_the_spec_the_catalog_merged():
    workflow = DocumentSet([BASE, MIDDLE, RUN]).runnable("run")

    assert workflow.spec == _catalog(BASE, MIDDLE, RUN).merged_spec(_catalog(BASE, MIDDLE, RUN).workflows[2])
    assert workflow.scope.templates["other"]["container"]["image"] == "c"


def test_references_in_a_loop_end_instead_of_recursing_forever():
    first = _template("first", {"workflowTemplateRef": {"name": "second"}, "entrypoint": "a",
                                "templates": [{"name": "a", "container": {"image": "x"}}]})
    second = _template("second", {"workflowTemplateRef": {"name": "first"},
                                  "templates": [{"name": "b", "container": {"image": "y"}}]})
    catalog = _catalog(first, second)

    assert {t["name"] for t in catalog.merged_spec(catalog.workflows[0])["templates"]} == {"a", "b"}


def test_a_missing_template_reference_names_what_was_given():
    catalog = _catalog(BASE)

    reason = catalog.resolve_template_ref({"name": "nope", "template": "main"})

    assert reason == ("WorkflowTemplate 'nope' is not among the documents given (give it in the same run); "
                      "WorkflowTemplates given: base")
    assert "has no template 'missing'; it has: main, other" in catalog.resolve_template_ref(
        {"name": "base", "template": "missing"})
