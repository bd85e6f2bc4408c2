"""The Role and RoleBinding a job's step service account needs, as typed manifests beside the workflow."""

from __future__ import annotations

from generator.argo.core.kube_rbac import Metadata, PolicyRule, Role, RoleBinding, RoleRef, Subject
from generator.config.models import JobConfig
from generator.specs import names
from generator.specs.spark_k8s import is_k8s

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
