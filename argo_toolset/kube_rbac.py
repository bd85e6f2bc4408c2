"""Typed Kubernetes Role and RoleBinding: the RBAC manifests the builders write and the linter reads back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RBAC_API_VERSION = "rbac.authorization.k8s.io/v1"
Verb = Literal["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Metadata(_Strict):
    name: str = Field(min_length=1, max_length=253)
    namespace: str = Field(min_length=1, max_length=63)
    labels: dict[str, str] = Field(default_factory=dict)


class PolicyRule(_Strict):
    api_groups: list[str] = Field(alias="apiGroups", min_length=1)
    resources: list[str] = Field(min_length=1)
    verbs: list[Verb] = Field(min_length=1)


class Role(_Strict):
    api_version: Literal["rbac.authorization.k8s.io/v1"] = Field(RBAC_API_VERSION, alias="apiVersion")
    kind: Literal["Role"] = "Role"
    metadata: Metadata
    rules: list[PolicyRule] = Field(min_length=1)


class Subject(_Strict):
    kind: Literal["ServiceAccount"] = "ServiceAccount"
    name: str = Field(min_length=1, max_length=253)
    namespace: str = Field(min_length=1, max_length=63)


class RoleRef(_Strict):
    api_group: Literal["rbac.authorization.k8s.io"] = Field("rbac.authorization.k8s.io", alias="apiGroup")
    kind: Literal["Role"] = "Role"
    name: str = Field(min_length=1, max_length=253)


class RoleBinding(_Strict):
    api_version: Literal["rbac.authorization.k8s.io/v1"] = Field(RBAC_API_VERSION, alias="apiVersion")
    kind: Literal["RoleBinding"] = "RoleBinding"
    metadata: Metadata
    role_ref: RoleRef = Field(alias="roleRef")
    subjects: list[Subject] = Field(min_length=1)


RBAC_MODELS: dict[str, type[Role] | type[RoleBinding]] = {"Role": Role, "RoleBinding": RoleBinding}
