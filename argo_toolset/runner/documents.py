"""The documents a local run is given: the one to run, and the templates its references reach (the core's catalog)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from argo_toolset.core.catalog import Catalog, Workflow
from argo_toolset.core.documents import WORKFLOW_KINDS, Document, document_name, parse_documents
from argo_toolset.errors import UserError

# `--template NAME` picks the first of these kinds that has the name.
_PICK_ORDER = ("WorkflowTemplate", "Workflow", "ClusterWorkflowTemplate", "CronWorkflow")


@dataclass
class TemplateScope:
    """The templates a `template: NAME` reference resolves against (one document's merged spec).

    Attributes:
        label: Names the document in messages, e.g. `WorkflowTemplate churn-daily`.
        spec: The document's spec with its workflowTemplateRef chain merged in (the core's `merged_spec`).
    """

    label: str
    spec: dict = field(repr=False)
    templates: dict[str, dict]
    documents: DocumentSet = field(repr=False)

    def resolve(self, holder: dict, where: str) -> tuple[dict, TemplateScope]:
        """The template a task, step or entrypoint names, and the scope its own references use.

        Raises:
            UserError: The template or the referenced WorkflowTemplate does not exist.
        """
        reference = holder.get("templateRef")
        if reference:
            scope = self.documents.scope_of_reference(reference, where)
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

    def reachable_templates(self) -> Iterator[tuple[dict, TemplateScope]]:
        """Every template a run can reach from the entrypoint and onExit, once each, with the scope it sits in.

        Raises:
            UserError: A reference does not resolve (the lint pre-check reports these first).
        """
        seen: set[tuple[str, str]] = set()
        pending = [self.scope.resolve({"template": name}, f"{self.kind} {self.name} spec")
                   for name in (self.spec.get("entrypoint"), self.spec.get("onExit")) if name]
        while pending:
            template, scope = pending.pop()
            key = (scope.label, template.get("name", ""))
            if key in seen:
                continue
            seen.add(key)
            yield template, scope
            holders = list((template.get("dag") or {}).get("tasks") or [])
            holders += [step for group in template.get("steps") or [] for step in group or []]
            pending.extend(scope.resolve(holder, f"{scope.label} template {key[1]!r}") for holder in holders)


class DocumentSet:
    """All documents of one run, in the Argo core's catalog."""

    def __init__(self, documents: list[dict], source: str = "<documents>"):
        self.source = source
        self.documents = [doc for doc in documents if isinstance(doc, dict)]
        for index, doc in enumerate(self.documents):
            if doc.get("kind") not in WORKFLOW_KINDS or not document_name(doc):
                raise UserError(f"{source}: document {index + 1}: kind {doc.get('kind')!r} with "
                                f"metadata.name or metadata.generateName is needed; allowed kinds: "
                                f"{', '.join(WORKFLOW_KINDS)}")
        self.catalog = Catalog([Document(source, index, doc) for index, doc in enumerate(self.documents, start=1)])
        self._scopes: dict[tuple[str, str], TemplateScope] = {}

    def scope_of_reference(self, reference: dict, where: str) -> TemplateScope:
        """The scope of the WorkflowTemplate a `templateRef` names.

        Raises:
            UserError: It is not among the documents given.
        """
        workflow = self.catalog.find_workflow_template(reference)
        if isinstance(workflow, str):
            raise UserError(f"{where}: {workflow}")
        return self.scope_of(workflow)

    def scope_of(self, workflow: Workflow) -> TemplateScope:
        """The workflow's merged spec as a scope; merged once per run, as every templateRef into it reuses it."""
        key = (workflow.document.kind, workflow.document.name)
        if key not in self._scopes:
            spec = self.catalog.merged_spec(workflow)
            self._scopes[key] = TemplateScope(
                label=f"{workflow.document.kind} {document_name(workflow.document.data)}", spec=spec,
                templates={template["name"]: template for template in spec.get("templates") or []}, documents=self)
        return self._scopes[key]

    def runnable(self, template_name: str | None) -> RunnableWorkflow:
        """The document to run: by metadata.name, else the first WorkflowTemplate or Workflow.

        Args:
            template_name: `NAME` (a WorkflowTemplate wins over a Workflow, ClusterWorkflowTemplate and
                CronWorkflow of the same name) or `KIND/NAME`, e.g. `CronWorkflow/churn-daily`.

        Raises:
            UserError: No document has that name, or there is nothing runnable.
        """
        workflows = self.catalog.workflows
        if template_name:
            kind_wanted, _, name_wanted = template_name.rpartition("/")
            candidates = [w for w in workflows if document_name(w.document.data) == name_wanted
                          and kind_wanted in ("", w.document.kind)]
            candidates.sort(key=lambda w: _PICK_ORDER.index(w.document.kind))
            if not candidates:
                names = [f"{w.document.kind} {document_name(w.document.data)}" for w in workflows]
                raise UserError(f"--template {template_name}: no document of that name in {self.source}; "
                                f"documents: {', '.join(names)}")
            workflow = candidates[0]
        else:
            workflow = next((w for w in workflows if w.document.kind in ("WorkflowTemplate", "Workflow")), None)
            if workflow is None:
                raise UserError(f"{self.source}: no WorkflowTemplate or Workflow to run; pick one with --template")
        kind, doc = workflow.document.kind, workflow.document.data
        metadata = doc["metadata"]
        scope = self.scope_of(workflow)
        return RunnableWorkflow(
            kind=kind, name=document_name(doc), generate_name=not metadata.get("name"),
            namespace=metadata.get("namespace") or "default",
            labels=dict(metadata.get("labels") or {}), annotations=dict(metadata.get("annotations") or {}),
            spec=scope.spec, scope=scope,
            cron_timezone=doc["spec"].get("timezone") if kind == "CronWorkflow" else None)


def load_documents(path: Path) -> list[dict]:
    """Every YAML document of a multi-document file, read as strictly as the linter reads it.

    Raises:
        UserError: The file is missing, not YAML, or repeats a key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror}") from error
    documents, problems = parse_documents(text, str(path))
    if problems:
        raise UserError("\n".join(str(problem) for problem in problems))
    return [document.data for document in documents]
