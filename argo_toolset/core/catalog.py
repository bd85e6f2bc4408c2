"""Typed view of a set of workflow documents: templates, parameters, and how references between them resolve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from argo_toolset.core.documents import Document, PathParts, template_ref_kind

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
# retryStrategy.retryPolicy's values (the config's retries.policy offers the same).
RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")
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

    def calls(self) -> list[tuple[dict[str, Any], PathParts]]:
        """Every DAG task and step of the template, with its location."""
        calls = []
        dag = self.raw.get("dag")
        if isinstance(dag, dict):
            for position, task in enumerate(dag.get("tasks") or []):
                if isinstance(task, dict):
                    calls.append((task, (*self.parts, "dag", "tasks", position)))
        for group_position, group in enumerate(self.raw.get("steps") or []):
            for position, step in enumerate(group if isinstance(group, list) else []):
                if isinstance(step, dict):
                    calls.append((step, (*self.parts, "steps", group_position, position)))
        return calls

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


def _key(workflow: Workflow) -> tuple[str, str]:
    return workflow.document.kind, workflow.document.name


def merge_spec(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """A spec with `workflowTemplateRef` applied, as Argo joins them: the referencing spec wins key by key,
    templates are joined by name, argument parameters by name and field by field."""
    merged = {**base, **{key: value for key, value in own.items() if key != "workflowTemplateRef"}}
    # Within one spec the first template of a name counts (lint refuses the repeat), as `Workflow.read` reads them.
    templates: dict[Any, dict[str, Any]] = {}
    for template in _as_list(own.get("templates")) + _as_list(base.get("templates")):
        if isinstance(template, dict):
            templates.setdefault(template.get("name"), template)
    merged["templates"] = list(templates.values())
    base_arguments, own_arguments = _as_dict(base.get("arguments")), _as_dict(own.get("arguments"))
    parameters = {p.get("name"): p for p in _as_list(base_arguments.get("parameters")) if isinstance(p, dict)}
    for parameter in _as_list(own_arguments.get("parameters")):
        if isinstance(parameter, dict):
            parameters[parameter.get("name")] = {**parameters.get(parameter.get("name"), {}), **parameter}
    merged["arguments"] = {**base_arguments, **own_arguments, "parameters": list(parameters.values())}
    return merged


class Catalog:
    """Every workflow of one run (of the linter or the local runner), with WorkflowTemplates found by name."""

    def __init__(self, documents: list[Document]):
        self.workflows = [Workflow.read(document) for document in documents]
        self._by_name: dict[tuple[bool, str], Workflow] = {}
        # Every lint rule asks for a workflow's effective view; the documents never change, so it is merged once.
        self._effective: dict[int, tuple[dict[str, Template], dict[str, Parameter], str | None]] = {}
        for workflow in self.workflows:
            if workflow.is_template:
                cluster = workflow.document.kind == "ClusterWorkflowTemplate"
                self._by_name.setdefault((cluster, workflow.document.name), workflow)

    def find_workflow_template(self, ref: dict[str, Any]) -> Workflow | str:
        """The WorkflowTemplate a `templateRef`/`workflowTemplateRef` names, or why it cannot be found."""
        kind = template_ref_kind(ref)
        name = ref.get("name")
        if not name:
            return f"{kind} reference without a name"
        workflow = self._by_name.get((kind == "ClusterWorkflowTemplate", str(name)))
        if workflow is None:
            known = sorted(name for (cluster, name) in self._by_name if cluster == (kind == "ClusterWorkflowTemplate"))
            return (f"{kind} {name!r} is not among the documents given (give it in the same run); "
                    f"{kind}s given: {', '.join(known) or 'none'}")
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

    def _referenced(self, workflow: Workflow, seen: frozenset[tuple[str, str]]) -> Workflow | None:
        """The WorkflowTemplate a workflow's `workflowTemplateRef` names, unless missing or already on the chain."""
        if workflow.template_ref is None:
            return None
        referenced = self.find_workflow_template(workflow.template_ref)
        if isinstance(referenced, str) or _key(referenced) in seen:
            return None
        return referenced

    def merged_spec(self, workflow: Workflow, seen: frozenset[tuple[str, str]] = frozenset()) -> dict[str, Any]:
        """The workflow's spec with its `workflowTemplateRef` chain merged in (`merge_spec`), as Argo runs it."""
        chain = seen | {_key(workflow)}
        referenced = self._referenced(workflow, chain)
        if referenced is None:
            return workflow.spec
        return merge_spec(self.merged_spec(referenced, chain), workflow.spec)

    def effective(
        self, workflow: Workflow, seen: frozenset[tuple[str, str]] = frozenset()
    ) -> tuple[dict[str, Template], dict[str, Parameter], str | None]:
        """Templates, arguments and entrypoint of `merged_spec` (the one merge, which the runner runs), read into
        the typed view; each template and parameter keeps the place it is declared, for findings.

        Callers read the result and never change it (it is kept for the next caller).
        """
        if not seen and id(workflow) in self._effective:
            return self._effective[id(workflow)]
        templates, arguments = dict(workflow.templates), dict(workflow.arguments)
        entrypoint = workflow.spec.get("entrypoint")
        chain = seen | {_key(workflow)}
        referenced = self._referenced(workflow, chain)
        if referenced is not None:
            base_templates, base_arguments, _ = self.effective(referenced, chain)
            merged = self.merged_spec(workflow, seen)
            templates = {name: templates.get(name) or base_templates[name] for name in
                         (str(raw.get("name")) for raw in merged["templates"] if raw.get("name") is not None)}
            declared = {**base_arguments, **arguments}
            arguments = {name: Parameter.read(raw, declared[name].parts) for name, raw in
                         ((str(raw.get("name")), raw) for raw in merged["arguments"]["parameters"]
                          if isinstance(raw, dict) and raw.get("name") is not None)}
            entrypoint = merged.get("entrypoint")
        if not seen:
            self._effective[id(workflow)] = (templates, arguments, entrypoint)
        return templates, arguments, entrypoint
