"""The documents a local run is given: pick the one to run, resolve workflowTemplateRef and templateRef."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.errors import UserError

RUNNABLE_KINDS = ("WorkflowTemplate", "Workflow", "CronWorkflow", "ClusterWorkflowTemplate")


@dataclass
class TemplateScope:
    """The templates a `template: NAME` reference resolves against (one document's spec).

    Attributes:
        label: Names the document in messages, e.g. `WorkflowTemplate churn-daily`.
    """

    label: str
    templates: dict[str, dict]
    documents: DocumentSet = field(repr=False)

    def resolve(self, holder: dict, where: str) -> tuple[dict, TemplateScope]:
        """The template a task, step or entrypoint names, and the scope its own references use.

        Raises:
            UserError: The template or the referenced WorkflowTemplate does not exist.
        """
        reference = holder.get("templateRef")
        if reference:
            kind = "ClusterWorkflowTemplate" if reference.get("clusterScope") else "WorkflowTemplate"
            scope = self.documents.scope_of(kind, reference["name"], where)
            return scope.template(reference["template"], where), scope
        return self.template(holder["template"], where), self

    def template(self, name: str, where: str) -> dict:
        if name not in self.templates:
            raise UserError(f"{where}: template {name!r} not found in {self.label}; "
                            f"templates there: {', '.join(sorted(self.templates)) or 'none'}")
        return self.templates[name]


@dataclass
class RunnableWorkflow:
    """One document resolved into the workflow Argo would create from it."""

    kind: str
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    spec: dict
    scope: TemplateScope
    cron_timezone: str | None = None
    # True when the document has only metadata.generateName: the run is named `name` + 5 random characters.
    generate_name: bool = False


def document_name(doc: dict) -> str:
    """metadata.name, else metadata.generateName (how a Workflow is usually submitted from a file)."""
    metadata = doc.get("metadata") or {}
    return str(metadata.get("name") or metadata.get("generateName") or "")


class DocumentSet:
    """All documents of one run, indexed by kind and name."""

    def __init__(self, documents: list[dict], source: str = "<documents>"):
        self.source = source
        self.documents = [doc for doc in documents if isinstance(doc, dict)]
        for index, doc in enumerate(self.documents):
            if doc.get("kind") not in RUNNABLE_KINDS or not document_name(doc):
                raise UserError(f"{source}: document {index + 1}: kind {doc.get('kind')!r} with "
                                f"metadata.name or metadata.generateName is needed; allowed kinds: "
                                f"{', '.join(RUNNABLE_KINDS)}")

    def find(self, kind: str, name: str) -> dict | None:
        return next((doc for doc in self.documents
                     if doc["kind"] == kind and doc["metadata"].get("name") == name), None)

    def scope_of(self, kind: str, name: str, where: str) -> TemplateScope:
        doc = self.find(kind, name)
        if doc is None:
            names = [document_name(d) for d in self.documents if d["kind"] == kind]
            raise UserError(f"{where}: {kind} {name!r} is not among the documents given ({self.source}); "
                            f"available: {', '.join(names) or 'none'}")
        spec = self._resolved_spec(doc["spec"], where)
        return self._scope(f"{kind} {name}", spec)

    def _scope(self, label: str, spec: dict) -> TemplateScope:
        templates = {template["name"]: template for template in spec.get("templates") or []}
        return TemplateScope(label=label, templates=templates, documents=self)

    def _resolved_spec(self, spec: dict, where: str) -> dict:
        """A spec with its workflowTemplateRef merged in (the referencing spec wins, parameters by name)."""
        reference = spec.get("workflowTemplateRef")
        if not reference:
            return spec
        kind = "ClusterWorkflowTemplate" if reference.get("clusterScope") else "WorkflowTemplate"
        base_doc = self.find(kind, reference["name"])
        if base_doc is None:
            self.scope_of(kind, reference["name"], where)  # raises the "not among the documents" error
        base = copy.deepcopy(self._resolved_spec(base_doc["spec"], f"{kind} {reference['name']}"))
        merged = {**base, **{key: value for key, value in spec.items() if key != "workflowTemplateRef"}}
        templates = {t["name"]: t for t in base.get("templates") or []}
        templates.update({t["name"]: t for t in spec.get("templates") or []})
        merged["templates"] = list(templates.values())
        parameters = {p["name"]: p for p in (base.get("arguments") or {}).get("parameters") or []}
        for parameter in (spec.get("arguments") or {}).get("parameters") or []:
            parameters[parameter["name"]] = {**parameters.get(parameter["name"], {}), **parameter}
        merged["arguments"] = {**(base.get("arguments") or {}), **(spec.get("arguments") or {}),
                               "parameters": list(parameters.values())}
        return merged

    def runnable(self, template_name: str | None) -> RunnableWorkflow:
        """The document to run: by metadata.name, else the first WorkflowTemplate or Workflow.

        Args:
            template_name: `NAME` (a WorkflowTemplate wins over a Workflow, ClusterWorkflowTemplate and
                CronWorkflow of the same name) or `KIND/NAME`, e.g. `CronWorkflow/churn-daily`.

        Raises:
            UserError: No document has that name, or there is nothing runnable.
        """
        if template_name:
            kind_wanted, _, name_wanted = template_name.rpartition("/")
            candidates = [doc for doc in self.documents if document_name(doc) == name_wanted
                          and kind_wanted in ("", doc["kind"])]
            order = {"WorkflowTemplate": 0, "Workflow": 1, "ClusterWorkflowTemplate": 2, "CronWorkflow": 3}
            candidates.sort(key=lambda doc: order[doc["kind"]])
            if not candidates:
                names = [f"{doc['kind']} {document_name(doc)}" for doc in self.documents]
                raise UserError(f"--template {template_name}: no document of that name in {self.source}; "
                                f"documents: {', '.join(names)}")
            doc = candidates[0]
        else:
            doc = next((d for d in self.documents if d["kind"] in ("WorkflowTemplate", "Workflow")), None)
            if doc is None:
                raise UserError(f"{self.source}: no WorkflowTemplate or Workflow to run; pick one with --template")
        kind, metadata = doc["kind"], doc["metadata"]
        where = f"{kind} {document_name(doc)}"
        raw_spec = doc["spec"]
        timezone = None
        if kind == "CronWorkflow":
            timezone = raw_spec.get("timezone")
            raw_spec = raw_spec.get("workflowSpec") or {}
        spec = self._resolved_spec(raw_spec, where)
        return RunnableWorkflow(
            kind=kind, name=document_name(doc), generate_name=not metadata.get("name"),
            namespace=metadata.get("namespace") or "default",
            labels=dict(metadata.get("labels") or {}), annotations=dict(metadata.get("annotations") or {}),
            spec=spec, scope=self._scope(where, spec), cron_timezone=timezone)


def load_documents(path: Path) -> list[dict]:
    """Every YAML document of a multi-document file.

    Raises:
        UserError: The file is missing or not YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror}") from error
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML: {error}") from error
