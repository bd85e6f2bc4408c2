"""The Role and RoleBinding a job's step service account needs, as typed manifests beside the workflow."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.config.models import JobConfig
from generator.specs import names
from generator.specs.spark_k8s import is_k8s

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

# Argo's executor (the wait container of every step pod) reports outputs as WorkflowTaskResults (Argo >= 3.4).
ARGO_EXECUTOR_RULES = [
    PolicyRule(api_groups=["argoproj.io"], resources=["workflowtaskresults"], verbs=["create", "patch"]),
]
# What Spark's Kubernetes backend calls from a client-mode driver, as measured against the test stand-in
# (tests/k8s_standin; tests/integration/test_spark_k8s.py checks every recorded call against these rules): it reads
# its own pod (owner of the executors), creates, watches, lists and deletes executor pods, creates their ConfigMap,
# lists claims by label, and on stop deletes by label every kind it may have created. `patch` on pods: Spark labels
# executors it gives up on `spark-exec-inactive` (dynamic allocation, decommissioning).
SPARK_DRIVER_RULES = [
    PolicyRule(api_groups=[""], resources=["pods"],
               verbs=["get", "list", "watch", "create", "patch", "delete", "deletecollection"]),
    PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["create", "deletecollection"]),
    PolicyRule(api_groups=[""], resources=["persistentvolumeclaims"], verbs=["list", "deletecollection"]),
    PolicyRule(api_groups=[""], resources=["services"], verbs=["deletecollection"]),
]


def role_name(job: str) -> str:
    """The job's Role and RoleBinding name."""
    return f"{job}-steps"


def rbac_documents(config: JobConfig) -> list[Role | RoleBinding]:
    """The Role (Argo's executor; Spark's driver for a k8s:// job) and its binding to the job's service account."""
    metadata = Metadata(name=role_name(config.name), namespace=config.namespace,
                        labels={**names.APP_LABELS, f"{names.LABEL_DOMAIN}/job": config.name})
    rules = ARGO_EXECUTOR_RULES + (SPARK_DRIVER_RULES if is_k8s(config) else [])
    return [
        Role(metadata=metadata, rules=rules),
        RoleBinding(metadata=metadata, role_ref=RoleRef(name=metadata.name),
                    subjects=[Subject(name=config.service_account, namespace=config.namespace)]),
    ]


def allows(rules: list[PolicyRule], api_group: str, resource: str, verb: str) -> bool:
    """Whether any rule grants `verb` on `resource` of `api_group` (exact names; the rules use no wildcards)."""
    return any(api_group in rule.api_groups and resource in rule.resources and verb in rule.verbs for rule in rules)
