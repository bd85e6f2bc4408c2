"""RBAC manifests beside the workflows (<job>.rbac.yaml): strict parse of Role and RoleBinding; bindings resolve."""

from __future__ import annotations

from pydantic import ValidationError

from argo_toolset.core.documents import Document
from argo_toolset.core.findings import Finding
from argo_toolset.kube_rbac import RBAC_API_VERSION, RBAC_MODELS


def is_rbac(document: Document) -> bool:
    """Whether the document claims to be a Kubernetes RBAC object (then the Argo stages do not apply)."""
    return isinstance(document.data, dict) and document.data.get("apiVersion") == RBAC_API_VERSION


def check_rbac(document: Document) -> list[Finding]:
    """A Role or RoleBinding with no unknown field, no missing one and only known verbs."""
    model = RBAC_MODELS.get(document.kind)
    if model is None:
        return [document.finding("kind", "kind", f"kind is {document.kind!r}; allowed with {RBAC_API_VERSION}: "
                                 f"{', '.join(RBAC_MODELS)}")]
    try:
        model.model_validate(document.data)
    except ValidationError as error:
        return [document.finding(".".join(str(part) for part in issue["loc"]) or "<root>", "rbac", issue["msg"])
                for issue in error.errors()]
    return []


def check_role_refs(documents: list[Document]) -> list[Finding]:
    """Every RoleBinding names a Role of the same namespace among the linted documents."""
    roles = {(doc.data["metadata"]["namespace"], doc.data["metadata"]["name"])
             for doc in documents if doc.kind == "Role"}
    findings = []
    for doc in documents:
        if doc.kind != "RoleBinding":
            continue
        wanted = (doc.data["metadata"]["namespace"], doc.data["roleRef"]["name"])
        if wanted not in roles:
            findings.append(doc.finding("roleRef.name", "template-ref",
                                        f"RoleBinding names Role {wanted[1]!r} in namespace {wanted[0]!r}, which "
                                        "none of the linted files defines"))
    return findings
