"""Call rules: callers supply every required input, literal argument values sit within the parameter's enum."""

from __future__ import annotations

from typing import Any

from argo_toolset.core.catalog import Catalog, Parameter, Resolved, Template, Workflow, read_parameters
from argo_toolset.core.documents import PathParts, format_path
from argo_toolset.core.findings import Finding
from argo_toolset.core.variables import references_in
from argo_toolset.lint.variable_rules import is_declared_parameter


def _report(workflow: Workflow, parts: PathParts, rule: str, message: str) -> Finding:
    return workflow.document.finding(format_path(parts), rule, message)


def _check_enum(workflow: Workflow, argument: Parameter, declared: Parameter, where: str) -> list[Finding]:
    """A literal argument value (no `{{...}}`, resolved only at run time) must be one of the declared enum."""
    value = argument.value
    if declared.enum is None or value is None or "{{" in str(value) or str(value) in declared.enum:
        return []
    return [
        _report(
            workflow,
            (*argument.parts, "value"),
            "enum-value",
            f"{value!r} for parameter {declared.name!r} of {where} is not allowed; allowed: {', '.join(declared.enum)}",
        )
    ]


def _check_supplied(
    workflow: Workflow, call: dict[str, Any], parts: PathParts, target: Template, where: str
) -> list[Finding]:
    arguments = call.get("arguments") if isinstance(call.get("arguments"), dict) else {}
    given = read_parameters(arguments.get("parameters"), (*parts, "arguments", "parameters"))
    given_artifacts = {str(a.get("name")) for a in arguments.get("artifacts") or [] if isinstance(a, dict)}
    findings = []
    for name, parameter in target.inputs.items():
        if not parameter.has_value and name not in given:
            findings.append(
                _report(
                    workflow,
                    parts,
                    "required-input",
                    f"{call.get('name')!r} calls {where} without its required parameter {name!r}",
                )
            )
        if name in given:
            findings += _check_enum(workflow, given[name], parameter, where)
    for name, has_source in target.input_artifacts.items():
        if not has_source and name not in given_artifacts:
            findings.append(
                _report(
                    workflow,
                    parts,
                    "required-input",
                    f"{call.get('name')!r} calls {where} without its required artifact {name!r}",
                )
            )
    return findings


def _workflow_parameters_used(resolved: Resolved) -> list[tuple[tuple[str, ...], PathParts]]:
    """`workflow.parameters.X` used by a template and the templates it reaches in its own document."""
    used, pending, seen = [], [resolved.template], set()
    while pending:
        template = pending.pop()
        if template.name in seen:
            continue
        seen.add(template.name)
        for reference in references_in(template.raw, template.parts):
            if reference.segments[:2] == ("workflow", "parameters") and len(reference.segments) > 2:
                used.append((reference.segments[2:], reference.parts))
        for call, _ in template.calls():
            if call.get("template") in resolved.workflow.templates:
                pending.append(resolved.workflow.templates[call["template"]])
    return used


def check_calls(workflow: Workflow, catalog: Catalog) -> list[Finding]:
    """Required inputs and enums for every task and step; workflow parameters of templateRef'd templates."""
    findings: list[Finding] = []
    templates, arguments, _ = catalog.effective(workflow)
    for template in workflow.templates.values():
        for call, parts in template.calls():
            if call.get("template") in templates:
                target = templates[call["template"]]
                findings += _check_supplied(workflow, call, parts, target, f"template {target.name!r}")
            elif isinstance(call.get("templateRef"), dict):
                resolved = catalog.resolve_template_ref(call["templateRef"])
                if isinstance(resolved, Resolved):
                    where = f"{resolved.workflow.document.name}/{resolved.template.name}"
                    findings += _check_supplied(workflow, call, parts, resolved.template, f"templateRef {where!r}")
                    for member, used_at in _workflow_parameters_used(resolved):
                        if not is_declared_parameter(member, arguments):
                            name = member[0]
                            findings.append(
                                _report(
                                    workflow,
                                    (*parts, "templateRef"),
                                    "unresolved-reference",
                                    f"templateRef {where!r} uses {{{{workflow.parameters.{name}}}}} (at "
                                    f"{format_path(used_at)}) but this workflow declares no parameter {name!r}",
                                )
                            )
    return findings


def check_workflow_arguments(workflow: Workflow, catalog: Catalog) -> list[Finding]:
    """Workflow arguments: values within enums, and values present where nobody supplies them at submit.

    A WorkflowTemplate may leave an argument without a value (the person submitting supplies it); a Workflow
    or CronWorkflow runs as written, so every argument it ends up with (its own, or a referenced
    WorkflowTemplate's) needs a value. The entrypoint's inputs are filled from workflow arguments by name.
    """
    findings: list[Finding] = []
    templates, arguments, entrypoint = catalog.effective(workflow)
    declared_by_ref: dict[str, Parameter] = {}
    if workflow.template_ref is not None:
        referenced = catalog.find_workflow_template(workflow.template_ref)
        if isinstance(referenced, Workflow):
            declared_by_ref = referenced.arguments
    for argument in workflow.arguments.values():
        findings += _check_enum(workflow, argument, argument, "the workflow")
        if argument.name in declared_by_ref:
            findings += _check_enum(workflow, argument, declared_by_ref[argument.name], "the referenced template")
    if not workflow.is_template:
        for name, argument in arguments.items():
            if not argument.has_value:
                parts = argument.parts if name in workflow.arguments else (*workflow.spec_parts, "arguments")
                findings.append(
                    _report(
                        workflow,
                        parts,
                        "required-input",
                        f"workflow parameter {name!r} has no value and a {workflow.document.kind} "
                        "is not submitted by a person who could supply it",
                    )
                )
    target = templates.get(entrypoint) if isinstance(entrypoint, str) else None
    if target is not None and target.name in workflow.templates:
        for name, parameter in target.inputs.items():
            if not parameter.has_value and name not in arguments:
                findings.append(
                    _report(
                        workflow,
                        (*workflow.spec_parts, "arguments"),
                        "required-input",
                        f"entrypoint {target.name!r} needs parameter {name!r}, which the "
                        "workflow arguments do not declare",
                    )
                )
    return findings
