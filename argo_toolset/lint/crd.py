"""Argo CRD schemas read from a CRD directory: parsed once per process, never copied into the repo."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from argo_toolset.core.documents import WORKFLOW_KINDS
from argo_toolset.errors import UserError

CRD_VERSION = "v1alpha1"


def crd_file(crd_dir: Path, kind: str) -> Path:
    """The CRD file for a workflow kind, e.g. `argoproj.io_cronworkflows.yaml` for CronWorkflow."""
    return crd_dir / f"argoproj.io_{WORKFLOW_KINDS[kind]}.yaml"


def check_crd_dir(crd_dir: Path) -> None:
    """Fail early, naming what is missing, when the CRD dir lacks one of the four workflow CRDs."""
    if not crd_dir.is_dir():
        raise UserError(f"--crd-dir {crd_dir}: not a directory (expected Argo's CRD YAML files)")
    missing = [crd_file(crd_dir, kind).name for kind in WORKFLOW_KINDS if not crd_file(crd_dir, kind).is_file()]
    if missing:
        raise UserError(f"--crd-dir {crd_dir}: missing {', '.join(missing)}")


@functools.cache
def load_crd_schema(crd_dir: Path, kind: str) -> dict[str, Any]:
    """The openAPIV3Schema of one kind's CRD, loaded with the C YAML loader once per process (each is large).

    Args:
        crd_dir: a directory holding Argo's `argoproj.io_<plural>.yaml` files (e.g. argo-crds/v4.1.2).
        kind: Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow.

    Raises:
        UserError: the file is missing or holds no v1alpha1 schema.
    """
    path = crd_file(crd_dir.resolve(), kind)
    try:
        with path.open("rb") as stream:
            crd = yaml.load(stream, Loader=yaml.CSafeLoader)
    except OSError as error:
        raise UserError(f"cannot read the {kind} CRD {path}: {error.strerror}") from error
    for version in crd.get("spec", {}).get("versions", []):
        if version.get("name") == CRD_VERSION:
            return version["schema"]["openAPIV3Schema"]
    raise UserError(f"{path}: no {CRD_VERSION} version with an openAPIV3Schema")
