"""Structure rules: entrypoint, template types and names, template references, DAG dependencies and cycles."""

from __future__ import annotations

import re
from typing import Any

import yaml

from argo_toolset.core.catalog import TEMPLATE_TYPES, Catalog, Workflow
from argo_toolset.core.dag import DependsError, find_cycles, referenced_tasks
from argo_toolset.core.documents import PathParts, format_path
from argo_toolset.core.findings import Finding
from argo_toolset.core.variables import TAG

# Argo's rule for template, step and task names (validate.go: isValidWorkflowFieldName), at most 128 chars.
_FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_PARAMETER_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")


def _report(workflow: Workflow, parts: PathParts, rule: str, message: str) -> Finding:
    return workflow.document.finding(format_path(parts), rule, message)


def check_names(workflow: Workflow) -> list[Finding]:
    """Template names are valid and unique; parameter names are valid."""
    findings, seen = [], set()
    for position, raw in enumerate(workflow.spec.get("templates") or []):
        if not isinstance(raw, dict):
            continue
        parts = (*workflow.spec_parts, "templates", position, "name")
        name = raw.get("name")
        if not isinstance(name, str) or not _FIELD_NAME.match(name) or len(name) > 128:
            findings.append(
                _report(workflow, parts, "name", f"template name {name!r} must match {_FIELD_NAME.pattern}")
            )
        elif name in seen:
            findings.append(_report(workflow, parts, "name", f"template name {name!r} is used twice"))
        seen.add(name)
    parameters = [*workflow.arguments.values()] + [p for t in workflow.templates.values() for p in t.inputs.values()]
    for parameter in parameters:
        if not _PARAMETER_NAME.match(parameter.name):
            findings.append(
                _report(
                    workflow,
                    (*parameter.parts, "name"),
                    "name",
                    f"parameter name {parameter.name!r} must match {_PARAMETER_NAME.pattern}",
                )
            )
    return findings


def check_template_types(workflow: Workflow) -> list[Finding]:
    """Each template declares exactly one of the template types."""
    findings = []
    for template in workflow.templates.values():
        types = template.types
        if len(types) != 1:
            got = ", ".join(types) if types else "none"
            findings.append(
                _report(
                    workflow,
                    template.parts,
                    "template-type",
                    f"template {template.name!r} must have exactly one type of {', '.join(TEMPLATE_TYPES)}; has {got}",
                )
            )
    return findings


_IMAGE_TYPES = ("container", "script")


def check_images(workflow: Workflow) -> list[Finding]:
    """Container and script templates name an image, or their spec's templateDefaults gives one.

    Argo fills an empty image from `templateDefaults` of a Workflow, WorkflowTemplate or CronWorkflow, never of a
    ClusterWorkflowTemplate (validate.go: validateLeaf).
    """
    defaults = workflow.spec.get("templateDefaults")
    defaults = defaults if isinstance(defaults, dict) and workflow.document.kind != "ClusterWorkflowTemplate" else {}
    findings = []
    for template in workflow.templates.values():
        for kind in _IMAGE_TYPES:
            body = template.raw.get(kind)
            default = defaults.get(kind)
            if not isinstance(body, dict) or body.get("image") or (isinstance(default, dict) and default.get("image")):
                continue
            findings.append(
                _report(
                    workflow,
                    (*template.parts, kind, "image"),
                    "image",
                    f"template {template.name!r} has a {kind} without an image; set {kind}.image or "
                    f"spec.templateDefaults.{kind}.image",
                )
            )
    return findings




def check_resource_manifests(workflow: Workflow) -> list[Finding]:
    """A resource template's manifest parses as YAML once each {{...}} is read as a plain placeholder (as Argo)."""
    findings = []
    for template in workflow.templates.values():
        resource = template.raw.get("resource")
        manifest = resource.get("manifest") if isinstance(resource, dict) else None
        if not isinstance(manifest, str) or not manifest:
            continue
        try:
            yaml.safe_load(TAG.sub("placeholder", manifest))
        except yaml.YAMLError as error:
            findings.append(
                _report(
                    workflow,
                    (*template.parts, "resource", "manifest"),
                    "resource-manifest",
                    f"template {template.name!r}: the manifest is not valid YAML: {getattr(error, 'problem', error)}",
                )
            )
    return findings


def check_entrypoint(workflow: Workflow, catalog: Catalog) -> list[Finding]:
    """The entrypoint names a template; Workflows and CronWorkflows need one (own or via workflowTemplateRef).

    A WorkflowTemplate may omit it (it is then a library for templateRef), as Argo allows.
    """
    parts = (*workflow.spec_parts, "entrypoint")
    if workflow.template_ref is not None:
        referenced = catalog.find_workflow_template(workflow.template_ref)
        if isinstance(referenced, str):
            return [_report(workflow, (*workflow.spec_parts, "workflowTemplateRef"), "template-ref", referenced)]
    templates, _, entrypoint = catalog.effective(workflow)
    if entrypoint is None:
        if workflow.is_template or (workflow.template_ref is not None and not templates):
            return []
        return [_report(workflow, parts, "entrypoint", "no entrypoint: set spec.entrypoint or a workflowTemplateRef")]
    if entrypoint not in templates:
        known = ", ".join(sorted(templates)) or "none"
        return [
            _report(workflow, parts, "entrypoint", f"entrypoint {entrypoint!r} names no template; templates: {known}")
        ]
    return []


def _check_call(workflow: Workflow, catalog: Catalog, call: dict[str, Any], parts: PathParts) -> list[Finding]:
    """A task or step names exactly one of template / templateRef / inline, and it resolves."""
    templates, _, _ = catalog.effective(workflow)
    given = [key for key in ("template", "templateRef", "inline") if call.get(key) is not None]
    if len(given) != 1:
        return [
            _report(
                workflow,
                parts,
                "template-ref",
                f"{call.get('name')!r} must set exactly one of template, templateRef, inline; has {given or 'none'}",
            )
        ]
    if given == ["template"] and call["template"] not in templates:
        known = ", ".join(sorted(templates))
        return [
            _report(
                workflow,
                (*parts, "template"),
                "template-ref",
                f"template {call['template']!r} does not exist; templates: {known}",
            )
        ]
    if given == ["templateRef"]:
        resolved = (
            catalog.resolve_template_ref(call["templateRef"])
            if isinstance(call["templateRef"], dict)
            else "not a mapping"
        )
        if isinstance(resolved, str):
            return [_report(workflow, (*parts, "templateRef"), "template-ref", resolved)]
    return []


def check_template_refs(workflow: Workflow, catalog: Catalog) -> list[Finding]:
    """Every task/step/onExit/hook template reference resolves, and task/step names are valid and unique."""
    findings: list[Finding] = []
    templates, _, _ = catalog.effective(workflow)
    on_exit = workflow.spec.get("onExit")
    if on_exit is not None and on_exit not in templates:
        findings.append(
            _report(
                workflow,
                (*workflow.spec_parts, "onExit"),
                "template-ref",
                f"onExit template {on_exit!r} does not exist; templates: {', '.join(sorted(templates))}",
            )
        )
    for hook_name, hook in (workflow.spec.get("hooks") or {}).items():
        if isinstance(hook, dict):
            findings += _check_call(
                workflow, catalog, {"name": hook_name, **hook}, (*workflow.spec_parts, "hooks", hook_name)
            )
    for template in workflow.templates.values():
        seen: set[str] = set()
        for call, parts in template.calls():
            name = call.get("name")
            if not isinstance(name, str) or not _FIELD_NAME.match(name):
                findings.append(
                    _report(workflow, (*parts, "name"), "name", f"name {name!r} must match {_FIELD_NAME.pattern}")
                )
            elif name in seen and "dag" in template.raw:
                findings.append(_report(workflow, (*parts, "name"), "name", f"task name {name!r} is used twice"))
            seen.add(str(name))
            findings += _check_call(workflow, catalog, call, parts)
            if isinstance(call.get("onExit"), str) and call["onExit"] not in templates:
                findings.append(
                    _report(
                        workflow,
                        (*parts, "onExit"),
                        "template-ref",
                        f"onExit template {call['onExit']!r} does not exist",
                    )
                )
    return findings


def check_dag(workflow: Workflow) -> list[Finding]:
    """DAG `dependencies` and `depends` name tasks of the same DAG, one DAG uses one form, and no cycle exists."""
    findings: list[Finding] = []
    for template in workflow.templates.values():
        dag = template.raw.get("dag")
        if not isinstance(dag, dict):
            continue
        tasks = {str(t.get("name")): (t, p) for t, p in template.calls()}
        if all(any(task.get(key) is not None for task, _ in tasks.values()) for key in ("depends", "dependencies")):
            findings.append(
                _report(
                    workflow,
                    (*template.parts, "dag", "tasks"),
                    "dag-mixed-dependencies",
                    f"DAG {template.name!r} uses both 'depends' and 'dependencies'; use one form in a DAG "
                    "('depends' also expresses 'dependencies': a && b)",
                )
            )
        edges: dict[str, list[str]] = {}
        for name, (task, parts) in tasks.items():
            needed: list[tuple[str, PathParts]] = []
            for position, dependency in enumerate(task.get("dependencies") or []):
                needed.append((str(dependency), (*parts, "dependencies", position)))
            if isinstance(task.get("depends"), str):
                try:
                    needed += [(n, (*parts, "depends")) for n in referenced_tasks(task["depends"])]
                except DependsError as error:
                    findings.append(_report(workflow, (*parts, "depends"), "dag-dependency", str(error)))
            edges[name] = []
            for dependency, where in needed:
                if dependency not in tasks:
                    findings.append(
                        _report(
                            workflow,
                            where,
                            "dag-dependency",
                            f"task {name!r} depends on {dependency!r}, which is no task of "
                            f"DAG {template.name!r}; tasks: {', '.join(sorted(tasks))}",
                        )
                    )
                else:
                    edges[name].append(dependency)
        for cycle in find_cycles(edges):
            findings.append(
                _report(
                    workflow,
                    (*template.parts, "dag", "tasks"),
                    "dag-cycle",
                    f"DAG {template.name!r} has a dependency cycle: {' -> '.join(cycle)}",
                )
            )
    return findings
