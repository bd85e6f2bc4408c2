"""Broken variants of the valid fixture: each fails with the rule that names its problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from argo_toolset.lint import lint_documents

Docs = list[dict[str, Any]]
MAIN, RETRO, CRON = 0, 1, 2


def _template(docs: Docs, name: str, doc: int = MAIN) -> dict[str, Any]:
    return next(t for t in docs[doc]["spec"]["templates"] if t["name"] == name)


def _task(docs: Docs, name: str) -> dict[str, Any]:
    return next(t for t in _template(docs, "main")["dag"]["tasks"] if t["name"] == name)


def _argument(call: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in call["arguments"]["parameters"] if p["name"] == name)


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    target[key] = value


def _drop_argument(call: dict[str, Any], name: str) -> None:
    call["arguments"]["parameters"] = [p for p in call["arguments"]["parameters"] if p["name"] != name]


def _legacy_schedule(docs: Docs) -> None:
    docs[CRON]["spec"]["schedule"] = docs[CRON]["spec"].pop("schedules")[0]


def _retro_step(docs: Docs) -> dict[str, Any]:
    return _template(docs, "lane", RETRO)["steps"][0][0]


# (id, mutation, the rule that must be reported, where it must point)
CASES: list[tuple[str, Callable[[Docs], None], str, str]] = [
    (
        "unknown-field",
        lambda d: _set(_template(d, "score")["container"], "imagePullPolicyy", "Always"),
        "unknown-field",
        "spec.templates[3].container.imagePullPolicyy",
    ),
    ("unknown-metadata-field", lambda d: _set(d[MAIN]["metadata"], "label", {}), "unknown-field", "metadata.label"),
    ("cycle", lambda d: _set(_task(d, "prepare"), "depends", "validate"), "dag-cycle", "spec.templates[0].dag.tasks"),
    (
        "dependency",
        lambda d: _set(_task(d, "score"), "depends", "prepare && fetch-modle"),
        "dag-dependency",
        "spec.templates[0].dag.tasks[2].depends",
    ),
    (
        "input-parameter",
        lambda d: _set(_argument(_task(d, "score"), "ds"), "value", "{{inputs.parameters.dss}}"),
        "unresolved-reference",
        "spec.templates[0].dag.tasks[2].arguments.parameters[0].value",
    ),
    (
        "task-output",
        lambda d: _set(
            _argument(_task(d, "validate"), "model-version"),
            "value",
            "{{tasks.fetch-model.outputs.parameters.model-versio}}",
        ),
        "unresolved-reference",
        "spec.templates[0].dag.tasks[3].arguments.parameters[2].value",
    ),
    (
        "expression-output",
        lambda d: _set(
            _argument(_task(d, "score"), "model-run-id"),
            "value",
            "{{=tasks['fetch-model'].outputs.parameters['run-id']}}",
        ),
        "unresolved-reference",
        "spec.templates[0].dag.tasks[2].arguments.parameters[4].value",
    ),
    (
        "unknown-task",
        lambda d: _set(
            _argument(_task(d, "score"), "requirements"), "value", "{{tasks.fetch.outputs.parameters.requirements}}"
        ),
        "unresolved-reference",
        "spec.templates[0].dag.tasks[2].arguments.parameters[5].value",
    ),
    (
        "workflow-parameter",
        lambda d: _set(
            d[MAIN]["spec"]["synchronization"]["mutexes"][0], "name", "churn-daily-{{workflow.parameters.date}}"
        ),
        "unresolved-reference",
        "spec.synchronization.mutexes[0].name",
    ),
    (
        "expression-workflow-parameter",
        lambda d: _set(
            d[CRON]["spec"]["workflowSpec"]["arguments"]["parameters"][0],
            "value",
            "{{=sprig.trim(workflow.parameters.day)}}",
        ),
        "unresolved-reference",
        "spec.workflowSpec.arguments.parameters[0].value",
    ),
    (
        "unknown-global",
        lambda d: _set(_template(d, "exit-handler")["container"], "args", ["{{workflow.state}}"]),
        "unresolved-reference",
        "spec.templates[5].container.args[0]",
    ),
    (
        "item-outside-loop",
        lambda d: _set(_argument(_task(d, "score"), "ds"), "value", "{{item}}"),
        "unresolved-reference",
        "spec.templates[0].dag.tasks[2].arguments.parameters[0].value",
    ),
    (
        "templateref-workflow-parameter",
        lambda d: (
            _set(_template(d, "score")["container"]["env"][1], "value", "{{workflow.parameters.model-uri}}x")
            or d[RETRO]["spec"]["arguments"]["parameters"].pop()
        ),
        "unresolved-reference",
        "spec.templates[2].steps[0][0].templateRef",
    ),
    (
        "concurrency-policy-enum",
        lambda d: _set(d[CRON]["spec"], "concurrencyPolicy", "Sometimes"),
        "schema-enum",
        "spec.concurrencyPolicy",
    ),
    (
        "pod-gc-enum",
        lambda d: _set(d[MAIN]["spec"]["podGC"], "strategy", "Never"),
        "schema-enum",
        "spec.podGC.strategy",
    ),
    ("legacy-schedule", _legacy_schedule, "legacy-field", "spec.schedule"),
    (
        "legacy-mutex",
        lambda d: _set(d[MAIN]["spec"], "synchronization", {"mutex": {"name": "churn-daily"}}),
        "legacy-field",
        "spec.synchronization.mutex",
    ),
    (
        "legacy-semaphore",
        lambda d: _set(
            _template(d, "score"), "synchronization", {"semaphore": {"configMapKeyRef": {"name": "s", "key": "k"}}}
        ),
        "legacy-field",
        "spec.templates[3].synchronization.semaphore",
    ),
    ("cron-name-too-long", lambda d: _set(d[CRON]["metadata"], "name", "c" * 53), "name-length", "metadata.name"),
    ("template-name-too-long", lambda d: _set(d[RETRO]["metadata"], "name", "r" * 64), "name-length", "metadata.name"),
    ("bad-name", lambda d: _set(d[RETRO]["metadata"], "name", "Churn_Retro"), "name", "metadata.name"),
    (
        "bad-cron",
        lambda d: _set(d[CRON]["spec"], "schedules", ["0 3 * * *", "0 25 * * *"]),
        "cron",
        "spec.schedules[1]",
    ),
    ("cron-shape", lambda d: _set(d[CRON]["spec"], "schedules", ["0 3 * *"]), "schema-pattern", "spec.schedules[0]"),
    ("bad-timezone", lambda d: _set(d[CRON]["spec"], "timezone", "Mars/Olympus_Mons"), "timezone", "spec.timezone"),
    ("missing-entrypoint", lambda d: _set(d[MAIN]["spec"], "entrypoint", "mian"), "entrypoint", "spec.entrypoint"),
    (
        "no-entrypoint",
        lambda d: d[CRON]["spec"]["workflowSpec"].pop("workflowTemplateRef"),
        "entrypoint",
        "spec.workflowSpec.entrypoint",
    ),
    (
        "missing-template",
        lambda d: _set(_task(d, "score"), "template", "scor"),
        "template-ref",
        "spec.templates[0].dag.tasks[2].template",
    ),
    (
        "missing-templateref-template",
        lambda d: _set(_retro_step(d)["templateRef"], "template", "mainn"),
        "template-ref",
        "spec.templates[2].steps[0][0].templateRef",
    ),
    (
        "missing-workflowtemplateref",
        lambda d: _set(d[CRON]["spec"]["workflowSpec"]["workflowTemplateRef"], "name", "x"),
        "template-ref",
        "spec.workflowSpec.workflowTemplateRef",
    ),
    ("missing-onexit", lambda d: _set(d[MAIN]["spec"], "onExit", "exit"), "template-ref", "spec.onExit"),
    (
        "missing-required-input",
        lambda d: _drop_argument(_task(d, "score"), "requirements"),
        "required-input",
        "spec.templates[0].dag.tasks[2]",
    ),
    (
        "templateref-required-input",
        lambda d: _drop_argument(_retro_step(d), "ds"),
        "required-input",
        "spec.templates[2].steps[0][0]",
    ),
    (
        "cron-leaves-ds-unset",
        lambda d: d[CRON]["spec"]["workflowSpec"].pop("arguments"),
        "required-input",
        "spec.workflowSpec.arguments",
    ),
    (
        "entrypoint-input-undeclared",
        lambda d: d[MAIN]["spec"]["arguments"]["parameters"].pop(0) and None,
        "required-input",
        "spec.arguments",
    ),
    (
        "step-enum-value",
        lambda d: _set(_argument(_retro_step(d), "on-empty"), "value", "maybe"),
        "enum-value",
        "spec.templates[2].steps[0][0].arguments.parameters[2].value",
    ),
    (
        "workflow-enum-value",
        lambda d: _set(d[MAIN]["spec"]["arguments"]["parameters"][2], "value", "ignore"),
        "enum-value",
        "spec.arguments.parameters[2].value",
    ),
    (
        "two-types",
        lambda d: _set(_template(d, "validate"), "script", {"image": "x", "source": "print(1)"}),
        "template-type",
        "spec.templates[4]",
    ),
    (
        "two-types-cel",
        lambda d: _set(_template(d, "validate"), "script", {"image": "x", "source": "print(1)"}),
        "crd-cel",
        "spec.templates",
    ),
    ("no-type", lambda d: _template(d, "validate").pop("container"), "template-type", "spec.templates[4]"),
    (
        "depends-and-dependencies",
        lambda d: _set(_task(d, "validate"), "dependencies", ["score"]),
        "crd-cel",
        "spec.templates[0].dag.tasks[3]",
    ),
    ("deadline-on-dag", lambda d: _set(_template(d, "main"), "activeDeadlineSeconds", 60), "crd-cel", "spec.templates"),
    (
        "two-artifact-locations",
        lambda d: _set(_template(d, "prepare")["inputs"]["artifacts"][0], "http", {"url": "x"}),
        "crd-cel",
        "spec.templates[1].inputs.artifacts[0]",
    ),
    ("wrong-type", lambda d: _set(d[MAIN]["spec"], "parallelism", "three"), "schema-type", "spec.parallelism"),
    (
        "int32-range",
        lambda d: _set(d[CRON]["spec"], "successfulJobsHistoryLimit", 2**31),
        "schema-range",
        "spec.successfulJobsHistoryLimit",
    ),
    (
        "minimum",
        lambda d: _set(d[CRON]["spec"], "startingDeadlineSeconds", -1),
        "schema-range",
        "spec.startingDeadlineSeconds",
    ),
    ("empty-schedules", lambda d: _set(d[CRON]["spec"], "schedules", []), "schema-range", "spec.schedules"),
    (
        "duplicate-env",
        lambda d: _template(d, "prepare")["container"]["env"].append({"name": "HIVE_HOST", "value": "x"}),
        "schema-unique",
        "spec.templates[1].container.env[4]",
    ),
    (
        "required-field",
        lambda d: _template(d, "fetch-model")["outputs"]["parameters"][0].pop("name"),
        "schema-required",
        "spec.templates[2].outputs.parameters[0].name",
    ),
    ("wrong-kind", lambda d: _set(d[MAIN], "kind", "Pod"), "kind", "kind"),
    ("wrong-api-version", lambda d: _set(d[CRON], "apiVersion", "argoproj.io/v1"), "kind", "apiVersion"),
]


@pytest.mark.parametrize(("mutate", "rule", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_variant_fails_with_its_rule(valid_documents: Docs, crd_dir: Path, mutate, rule: str, path: str) -> None:
    mutate(valid_documents)
    findings = lint_documents(valid_documents, "broken.yaml", crd_dir)
    assert (rule, path) in {(f.rule, f.path) for f in findings}, "\n".join(map(str, findings))


@pytest.mark.parametrize(
    "case_id",
    [
        "unknown-field",
        "unknown-metadata-field",
        "legacy-schedule",
        "legacy-mutex",
        "cycle",
        "input-parameter",
        "bad-cron",
        "bad-timezone",
        "cron-name-too-long",
        "missing-required-input",
        "missing-templateref-template",
    ],
)
def test_broken_variant_fails_without_crds_too(valid_documents: Docs, case_id: str) -> None:
    _, mutate, rule, path = next(c for c in CASES if c[0] == case_id)
    mutate(valid_documents)
    findings = lint_documents(valid_documents, "broken.yaml", None)
    assert (rule, path) in {(f.rule, f.path) for f in findings}, "\n".join(map(str, findings))


def test_legacy_fields_are_not_also_reported_as_unknown(valid_documents: Docs, crd_dir: Path) -> None:
    _legacy_schedule(valid_documents)
    valid_documents[MAIN]["spec"]["synchronization"] = {"mutex": {"name": "churn-daily"}}
    for crds in (crd_dir, None):
        rules = [f.rule for f in lint_documents(valid_documents, "legacy.yaml", crds)]
        assert "unknown-field" not in rules
        assert rules.count("legacy-field") == 2


def test_finding_message_names_the_bad_value_and_the_allowed_ones(valid_documents: Docs, crd_dir: Path) -> None:
    valid_documents[CRON]["spec"]["concurrencyPolicy"] = "Sometimes"
    (finding,) = lint_documents(valid_documents, "x.yaml", crd_dir)
    assert "'Sometimes'" in finding.message and "Forbid" in finding.message
    assert str(finding) == (
        f"x.yaml: doc 3 CronWorkflow/churn-daily: spec.concurrencyPolicy: [schema-enum] {finding.message}"
    )


def test_workflow_parameters_json_is_a_known_variable(valid_documents: Docs, crd_dir: Path) -> None:
    """Argo documents `{{workflow.parameters.json}}` (all parameters as JSON); no parameter `json` is needed."""
    env = _template(valid_documents, "score")["container"]["env"][1]
    env["value"] = "{{workflow.parameters.json}}"
    assert lint_documents(valid_documents, "json.yaml", crd_dir) == []
    env["value"] = "{{workflow.parameters.jsn}}"
    assert {f.rule for f in lint_documents(valid_documents, "jsn.yaml", crd_dir)} == {"unresolved-reference"}


def test_a_dag_cannot_mix_depends_and_dependencies(valid_documents: Docs, crd_dir: Path) -> None:
    """Argo refuses `depends` and `dependencies` in one DAG template (either form alone is fine)."""
    task = _task(valid_documents, "score")
    task["dependencies"] = ["prepare", "fetch-model"]
    del task["depends"]
    findings = lint_documents(valid_documents, "mixed.yaml", crd_dir)
    assert [(f.rule, f.path) for f in findings] == [("dag-mixed-dependencies", "spec.templates[0].dag.tasks")]


def test_a_container_needs_an_image_unless_template_defaults_give_one(valid_documents: Docs, crd_dir: Path) -> None:
    del _template(valid_documents, "score")["container"]["image"]
    findings = lint_documents(valid_documents, "no-image.yaml", crd_dir)
    assert [(f.rule, f.path) for f in findings] == [("image", "spec.templates[3].container.image")]
    valid_documents[MAIN]["spec"]["templateDefaults"] = {"container": {"image": "busybox:1.36"}}
    assert lint_documents(valid_documents, "defaults.yaml", crd_dir) == []
