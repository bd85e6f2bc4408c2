"""Typed view of the workflows in one lint run: templates, parameters, and references between documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.lint.documents import Document, PathParts

TEMPLATE_TYPES = (
    "container",
    "script",
    "dag",
    "steps",
    "resource",
    "suspend",
    "data",
    "http",
    "containerSet",
    "plugin",
)
_ARTIFACT_SOURCES = ("raw", "s3", "git", "http", "artifactory", "hdfs", "oss", "gcs", "azure", "plugin", "from")


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class Parameter:
    """A declared parameter (template input or workflow argument).

    Attributes:
        name: its name.
        has_value: True when it carries `value`, `default` or `valueFrom` (no caller needs to supply it).
        value: the literal `value` (or `default`) when there is one.
        enum: the allowed values, when declared.
        parts: where it is declared.
    """

    name: str
    has_value: bool
    value: Any
    enum: tuple[str, ...] | None
    parts: PathParts

    @classmethod
    def read(cls, raw: dict[str, Any], parts: PathParts) -> Parameter:
        value = raw.get("value", raw.get("default"))
        has_value = value is not None or raw.get("valueFrom") is not None
        enum = raw.get("enum")
        return cls(str(raw.get("name")), has_value, value, tuple(map(str, enum)) if enum else None, parts)


def read_parameters(raw_list: Any, parts: PathParts) -> dict[str, Parameter]:
    """Parameters of a `parameters:` list by name (entries without a name are left to the schema)."""
    return {
        str(raw["name"]): Parameter.read(raw, (*parts, position))
        for position, raw in enumerate(_as_list(raw_list))
        if isinstance(raw, dict) and raw.get("name") is not None
    }


@dataclass(frozen=True)
class Template:
    """One entry of `templates:`.

    Attributes:
        name: the template name.
        parts: where it sits in its document.
        raw: the template mapping as parsed.
        inputs: input parameters by name.
        input_artifacts: input artifact name -> True when it has its own source (raw, s3, ..., optional).
        output_parameters: names of output parameters.
        output_artifacts: names of output artifacts.
    """

    name: str
    parts: PathParts
    raw: dict[str, Any]
    inputs: dict[str, Parameter]
    input_artifacts: dict[str, bool]
    output_parameters: frozenset[str]
    output_artifacts: frozenset[str]

    @classmethod
    def read(cls, raw: dict[str, Any], parts: PathParts) -> Template:
        inputs, outputs = _as_dict(raw.get("inputs")), _as_dict(raw.get("outputs"))
        artifacts = {
            str(artifact.get("name")): bool(artifact.get("optional")) or any(k in artifact for k in _ARTIFACT_SOURCES)
            for artifact in _as_list(inputs.get("artifacts"))
            if isinstance(artifact, dict)
        }
        return cls(
            name=str(raw.get("name")),
            parts=parts,
            raw=raw,
            inputs=read_parameters(inputs.get("parameters"), (*parts, "inputs", "parameters")),
            input_artifacts=artifacts,
            output_parameters=frozenset(
                str(p.get("name")) for p in _as_list(outputs.get("parameters")) if isinstance(p, dict)
            ),
            output_artifacts=frozenset(
                str(a.get("name")) for a in _as_list(outputs.get("artifacts")) if isinstance(a, dict)
            ),
        )

    @property
    def types(self) -> list[str]:
        """The template types it declares (exactly one is valid)."""
        return [kind for kind in TEMPLATE_TYPES if self.raw.get(kind) is not None]


@dataclass
class Workflow:
    """The workflow spec of one document (a CronWorkflow's `spec.workflowSpec`), read once.

    Attributes:
        document: where it came from.
        spec_parts: path of the workflow spec (`spec` or `spec.workflowSpec`).
        spec: the spec mapping.
        templates: its own templates by name (the first one wins when a name repeats).
        arguments: its own `arguments.parameters` by name.
        template_ref: the `workflowTemplateRef` mapping, when it has one.
    """

    document: Document
    spec_parts: PathParts
    spec: dict[str, Any]
    templates: dict[str, Template] = field(default_factory=dict)
    arguments: dict[str, Parameter] = field(default_factory=dict)
    template_ref: dict[str, Any] | None = None

    @classmethod
    def read(cls, document: Document) -> Workflow:
        spec = _as_dict(_as_dict(document.data).get("spec"))
        spec_parts: PathParts = ("spec",)
        if document.kind == "CronWorkflow":
            spec, spec_parts = _as_dict(spec.get("workflowSpec")), ("spec", "workflowSpec")
        workflow = cls(document, spec_parts, spec)
        for position, raw in enumerate(_as_list(spec.get("templates"))):
            if isinstance(raw, dict) and raw.get("name") is not None:
                workflow.templates.setdefault(
                    str(raw["name"]), Template.read(raw, (*spec_parts, "templates", position))
                )
        arguments = _as_dict(spec.get("arguments"))
        workflow.arguments = read_parameters(arguments.get("parameters"), (*spec_parts, "arguments", "parameters"))
        ref = spec.get("workflowTemplateRef")
        workflow.template_ref = ref if isinstance(ref, dict) else None
        return workflow

    @property
    def is_template(self) -> bool:
        """WorkflowTemplates are submitted by people, who supply arguments without values then."""
        return self.document.kind in ("WorkflowTemplate", "ClusterWorkflowTemplate")


@dataclass(frozen=True)
class Resolved:
    """A template reference that resolved: the workflow holding the template, and the template."""

    workflow: Workflow
    template: Template


class Catalog:
    """Every workflow of a lint run, with lookups of WorkflowTemplates by name for templateRef."""

    def __init__(self, documents: list[Document]):
        self.workflows = [Workflow.read(document) for document in documents]
        self._by_name: dict[tuple[bool, str], Workflow] = {}
        for workflow in self.workflows:
            if workflow.is_template:
                cluster = workflow.document.kind == "ClusterWorkflowTemplate"
                self._by_name.setdefault((cluster, workflow.document.name), workflow)

    def find_workflow_template(self, ref: dict[str, Any]) -> Workflow | str:
        """The WorkflowTemplate a `templateRef`/`workflowTemplateRef` names, or why it cannot be found."""
        cluster = bool(ref.get("clusterScope"))
        kind = "ClusterWorkflowTemplate" if cluster else "WorkflowTemplate"
        name = ref.get("name")
        if not name:
            return f"{kind} reference without a name"
        workflow = self._by_name.get((cluster, str(name)))
        if workflow is None:
            return f"{kind} {name!r} is not among the linted documents (lint it in the same run)"
        return workflow

    def resolve_template_ref(self, ref: dict[str, Any]) -> Resolved | str:
        """The template a `templateRef: {name, template, clusterScope}` names, or why it does not resolve."""
        workflow = self.find_workflow_template(ref)
        if isinstance(workflow, str):
            return workflow
        template = workflow.templates.get(str(ref.get("template")))
        if template is None:
            known = ", ".join(sorted(workflow.templates)) or "none"
            owner = f"{workflow.document.kind} {workflow.document.name!r}"
            return f"{owner} has no template {ref.get('template')!r}; it has: {known}"
        return Resolved(workflow, template)

    def effective(self, workflow: Workflow) -> tuple[dict[str, Template], dict[str, Parameter], str | None]:
        """Templates, arguments and entrypoint after applying a resolvable `workflowTemplateRef`.

        The workflow's own arguments override the referenced template's (as Argo merges them).
        """
        templates, arguments = dict(workflow.templates), dict(workflow.arguments)
        entrypoint = workflow.spec.get("entrypoint")
        if workflow.template_ref is not None:
            referenced = self.find_workflow_template(workflow.template_ref)
            if isinstance(referenced, Workflow):
                templates = {**referenced.templates, **templates}
                arguments = {**referenced.arguments, **arguments}
                entrypoint = entrypoint or referenced.spec.get("entrypoint")
        return templates, arguments, entrypoint
