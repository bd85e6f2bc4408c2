"""Every `{{...}}` variable (also inside `{{= expr}}`) names something that exists where it is used."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from argo_toolset.core.catalog import Catalog, Resolved, Template, Workflow
from argo_toolset.core.documents import format_path
from argo_toolset.core.findings import Finding
from argo_toolset.core.variables import (
    ALL_PARAMETERS_AS_JSON,
    ARGO_ROOTS,
    TEMPLATE_ROOTS,
    WORKFLOW_GLOBALS,
    Reference,
    references_in,
)

_NODE_ATTRIBUTES = frozenset({"id", "ip", "status", "startedAt", "finishedAt", "exitCode", "hostNodeName", "outputs"})
_NODE_OUTPUTS = frozenset({"result", "exitCode", "parameters", "artifacts"})
@dataclass
class Scope:
    """What a variable may name at one place.

    Attributes:
        arguments: workflow parameter names.
        kind: the document kind (CronWorkflow adds `cronworkflow.*`).
        template: the template the string belongs to (None at workflow level).
        group: "tasks" in a DAG template, "steps" in a steps template.
        nodes: task or step name -> the template it calls (None when that cannot be known).
        loop_items: None outside a loop; else the withItems list (empty when items come from withParam).
    """

    arguments: frozenset[str]
    kind: str
    template: Template | None = None
    group: str = ""
    nodes: dict[str, Template | None] = field(default_factory=dict)
    loop_items: list[Any] | None = None


def _check_node(segments: tuple[str, ...], scope: Scope) -> str | None:
    group, nodes = scope.group, scope.nodes
    if segments[0] != group:
        where = f"a {'DAG' if segments[0] == 'tasks' else 'steps'} template"
        return f"{segments[0]}.* is only available inside {where}"
    if len(segments) < 2 or segments[1] == "name":
        return None
    if segments[1] not in nodes:
        return f"no {group[:-1]} named {segments[1]!r}; {group}: {', '.join(sorted(nodes)) or 'none'}"
    if len(segments) > 2 and segments[2] not in _NODE_ATTRIBUTES:
        return f"unknown attribute {segments[2]!r}; allowed: {', '.join(sorted(_NODE_ATTRIBUTES))}"
    if len(segments) > 3 and segments[2] == "outputs":
        if segments[3] not in _NODE_OUTPUTS:
            return f"unknown output kind {segments[3]!r}; allowed: {', '.join(sorted(_NODE_OUTPUTS))}"
        target = nodes[segments[1]]
        if len(segments) > 4 and target is not None:
            declared = target.output_parameters if segments[3] == "parameters" else target.output_artifacts
            if segments[3] in ("parameters", "artifacts") and segments[4] not in declared:
                return (
                    f"{group[:-1]} {segments[1]!r} (template {target.name!r}) has no output "
                    f"{segments[3][:-1]} {segments[4]!r}; it has: {', '.join(sorted(declared)) or 'none'}"
                )
    return None


def _check_io(segments: tuple[str, ...], scope: Scope) -> str | None:
    template = scope.template
    if template is None:
        return f"{segments[0]}.* is only available inside a template"
    if len(segments) < 3:
        return None if len(segments) == 2 or segments[0] == "outputs" else "incomplete variable"
    if segments[0] == "inputs":
        declared = set(template.inputs) if segments[1] == "parameters" else set(template.input_artifacts)
    else:
        declared = set(template.output_parameters if segments[1] == "parameters" else template.output_artifacts)
    if segments[1] not in ("parameters", "artifacts"):
        return f"unknown {segments[0]} kind {segments[1]!r}; allowed: parameters, artifacts"
    if segments[2] not in declared:
        return (
            f"template {template.name!r} declares no {segments[0][:-1]} {segments[1][:-1]} {segments[2]!r}; "
            f"it has: {', '.join(sorted(declared)) or 'none'}"
        )
    return None


def _check_item(segments: tuple[str, ...], scope: Scope) -> str | None:
    if scope.loop_items is None:
        return "{{item}} is only available in a task or step with withItems, withParam or withSequence"
    if len(segments) > 1 and scope.loop_items:
        missing = [item for item in scope.loop_items if not isinstance(item, dict) or segments[1] not in item]
        if missing:
            return f"withItems entry {missing[0]!r} has no key {segments[1]!r}"
    return None


def is_declared_parameter(member: tuple[str, ...], arguments: Collection[str]) -> bool:
    """`workflow.parameters.<member>` names a declared parameter, or is `workflow.parameters.json`."""
    return member[0] in arguments or member == (ALL_PARAMETERS_AS_JSON,)


def resolve(segments: tuple[str, ...], scope: Scope) -> str | None:
    """Why a variable does not resolve in a scope, or None when it does (or is not Argo's to resolve)."""
    root = segments[0]
    if root not in ARGO_ROOTS and root not in TEMPLATE_ROOTS:
        # A custom tag (Jinja in a SQL file...): Argo leaves it as written and its validator skips it. A near
        # miss of an Argo root is a typo Argo would also pass silently, so it is reported.
        close = difflib.get_close_matches(root, sorted(ARGO_ROOTS), n=1, cutoff=0.8)
        return f"{root!r} is not an Argo variable root; did you mean {close[0]!r}?" if close else None
    if root == "workflow":
        if len(segments) < 2 or segments[1] not in WORKFLOW_GLOBALS:
            return f"unknown workflow variable; known: {', '.join(f'workflow.{g}' for g in sorted(WORKFLOW_GLOBALS))}"
        if (
            segments[1] == "parameters"
            and len(segments) > 2
            and not is_declared_parameter(segments[2:], scope.arguments)
        ):
            return f"no workflow parameter {segments[2]!r}; declared: {', '.join(sorted(scope.arguments)) or 'none'}"
        if not WORKFLOW_GLOBALS[segments[1]] and len(segments) > 2:
            return f"workflow.{segments[1]} has no member {segments[2]!r}"
        return None
    if root in ("inputs", "outputs"):
        return _check_io(segments, scope)
    if root in ("tasks", "steps"):
        return _check_node(segments, scope)
    if root == "item":
        return _check_item(segments, scope)
    if root in TEMPLATE_ROOTS and scope.template is not None:
        return None
    if root == "cronworkflow" and scope.kind == "CronWorkflow":
        return None
    return "unknown variable"


def _called_templates(workflow: Workflow, catalog: Catalog, template: Template) -> dict[str, Template | None]:
    templates, _, _ = catalog.effective(workflow)
    called: dict[str, Template | None] = {}
    for call, _ in template.calls():
        target: Template | None = None
        if isinstance(call.get("template"), str):
            target = templates.get(call["template"])
        elif isinstance(call.get("templateRef"), dict):
            resolved = catalog.resolve_template_ref(call["templateRef"])
            target = resolved.template if isinstance(resolved, Resolved) else None
        called[str(call.get("name"))] = target
    return called


def _loop_items(call: dict[str, Any]) -> list[Any] | None:
    if isinstance(call.get("withItems"), list):
        return call["withItems"]
    return [] if call.get("withParam") is not None or call.get("withSequence") is not None else None


def check_variables(workflow: Workflow, catalog: Catalog) -> list[Finding]:
    """Every variable in the workflow's strings resolves in the scope where it is written."""
    _, arguments, _ = catalog.effective(workflow)
    base = Scope(arguments=frozenset(arguments), kind=workflow.document.kind)
    checks: list[tuple[Reference, Scope]] = []
    checks += [(r, base) for r in references_in(workflow.spec, workflow.spec_parts, skip=frozenset({"templates"}))]
    for template in workflow.templates.values():
        group = "tasks" if "dag" in template.raw else "steps"
        scope = Scope(base.arguments, base.kind, template, group, _called_templates(workflow, catalog, template))
        skip = frozenset({"dag", "steps"})
        checks += [(r, scope) for r in references_in(template.raw, template.parts, skip=skip)]
        dag = template.raw.get("dag")
        if isinstance(dag, dict):
            extras = {k: v for k, v in dag.items() if k != "tasks"}
            checks += [(r, scope) for r in references_in(extras, (*template.parts, "dag"))]
        for call, parts in template.calls():
            call_scope = Scope(scope.arguments, scope.kind, template, group, scope.nodes, _loop_items(call))
            checks += [(r, call_scope) for r in references_in(call, parts)]
    findings = []
    for reference, scope in checks:
        problem = resolve(reference.segments, scope)
        if problem:
            findings.append(
                workflow.document.finding(
                    format_path(reference.parts), "unresolved-reference", f"{reference.text}: {problem}"
                )
            )
    return findings
