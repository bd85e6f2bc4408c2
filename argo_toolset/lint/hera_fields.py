"""Unknown-field check against Hera's generated Argo models, for when no CRD dir is given (and for metadata).

Hera's models (hera.workflows.models) mirror Argo's OpenAPI types; each field's alias is Argo's camelCase
name. Hera ignores unknown keys when it parses, so this walk compares keys itself, recursively.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from hera.workflows import models
from pydantic import BaseModel, RootModel

from argo_toolset.core.documents import Document, PathParts, format_path
from argo_toolset.core.findings import Finding, unknown_field_message
from argo_toolset.lint.legacy import legacy_replacement

KIND_MODELS: dict[str, type[BaseModel]] = {
    "Workflow": models.Workflow,
    "WorkflowTemplate": models.WorkflowTemplate,
    "ClusterWorkflowTemplate": models.ClusterWorkflowTemplate,
    "CronWorkflow": models.CronWorkflow,
}


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """Argo field name -> annotation of a Hera model."""
    return {field.alias or name: field.annotation for name, field in model.model_fields.items()}


def _shape_fits(value: Any, annotation: Any) -> bool:
    shape = _plan(annotation)[0]
    return (shape == "list" and isinstance(value, list)) or (shape in ("dict", "model") and isinstance(value, dict))


@functools.cache
def _plan(annotation: Any) -> tuple[str, Any]:
    """How to walk a value: ("list"/"dict", item), ("model", cls), ("union", options) or ("leaf", None)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plan(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = tuple(a for a in typing.get_args(annotation) if _plan(a)[0] != "leaf")
        return ("union", options) if len(options) > 1 else (_plan(options[0]) if options else ("leaf", None))
    if origin is list:
        return "list", typing.get_args(annotation)[0]
    if origin is dict:
        return "dict", typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return _plan(annotation.model_fields["root"].annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    return "leaf", None


class _ModelWalk:
    def __init__(self, document: Document):
        self.document = document
        self.findings: list[Finding] = []

    def check(self, value: Any, annotation: Any, parts: PathParts) -> None:
        shape, detail = _plan(annotation)
        if shape == "union":
            for option in detail:
                if _shape_fits(value, option):
                    self.check(value, option, parts)
                    return
        elif shape == "list" and isinstance(value, list):
            for position, child in enumerate(value):
                self.check(child, detail, (*parts, position))
        elif shape == "dict" and isinstance(value, dict):
            for key, child in value.items():
                self.check(child, detail, (*parts, key))
        elif shape == "model" and isinstance(value, dict):
            self.check_model(value, detail, parts)

    def check_model(self, value: dict[Any, Any], model: type[BaseModel], parts: PathParts) -> None:
        fields = _fields(model)
        if not fields:  # an open model such as Plugin: anything goes
            return
        for key, child in value.items():
            annotation = fields.get(key) if isinstance(key, str) else None
            if annotation is not None:
                self.check(child, annotation, (*parts, key))
            elif not isinstance(key, str) or legacy_replacement(self.document.kind, parts, key) is None:
                self.findings.append(
                    self.document.finding(
                        format_path((*parts, str(key))),
                        "unknown-field",
                        unknown_field_message(str(key), fields, model.__name__),
                    )
                )


def check_model_fields(document: Document, value: Any, model: type[BaseModel], parts: PathParts) -> list[Finding]:
    """Unknown-field findings for `value` (found at `parts`) read as the Hera model `model`."""
    walk = _ModelWalk(document)
    walk.check(value, model, parts)
    return walk.findings


def check_document_fields(document: Document) -> list[Finding]:
    """Unknown-field findings for a whole document, against the Hera model of its kind."""
    model = KIND_MODELS.get(document.kind)
    return check_model_fields(document, document.data, model, ()) if model else []


def check_metadata_fields(document: Document) -> list[Finding]:
    """Unknown-field findings for `metadata` (the CRD schemas leave ObjectMeta to the API server)."""
    metadata = document.data.get("metadata")
    return check_model_fields(document, metadata, models.ObjectMeta, ("metadata",)) if metadata else []
