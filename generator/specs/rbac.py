"""The Roles and RoleBindings a job's step service accounts need, as typed manifests beside the workflow."""

from __future__ import annotations

from argo_toolset.kube_rbac import Metadata, PolicyRule, Role, RoleBinding, RoleRef, Subject
from generator.config.models import JobConfig
from generator.specs import names
from generator.specs.spark_k8s import driver_service_account, is_k8s

# Argo's executor (the wait container of every step pod) reports outputs as WorkflowTaskResults (Argo >= 3.4).
ARGO_EXECUTOR_RULES = [
    PolicyRule(api_groups=["argoproj.io"], resources=["workflowtaskresults"], verbs=["create", "patch"]),
]
# What Spark's Kubernetes backend calls from a client-mode driver, read from the real API server's audit log
# (tests/cluster/test_spark_on_kubernetes.py holds these rules against it): it reads its own pod (owner of the
# executors), creates, watches and lists executor pods, deletes one that failed, creates their ConfigMap, lists
# claims by label, and on stop deletes by label every kind it may have created. `patch` on pods, the one right that
# test's run does not use: Spark labels `spark-exec-inactive` the executors it kills itself (heartbeat timeout,
# decommissioning, dynamic allocation) before deleting them.
SPARK_DRIVER_RULES = [
    PolicyRule(api_groups=[""], resources=["pods"],
               verbs=["get", "list", "watch", "create", "patch", "delete", "deletecollection"]),
    PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["create", "deletecollection"]),
    PolicyRule(api_groups=[""], resources=["persistentvolumeclaims"], verbs=["list", "deletecollection"]),
    PolicyRule(api_groups=[""], resources=["services"], verbs=["deletecollection"]),
]


def role_name(job: str) -> str:
    """The job's Role and RoleBinding name for what every step pod needs."""
    return f"{job}-steps"


def driver_role_name(job: str) -> str:
    """The Role and RoleBinding name of a k8s:// job's Spark driver steps."""
    return f"{job}-spark-driver"


def rbac_documents(config: JobConfig) -> list[Role | RoleBinding]:
    """Argo's executor rights for every step pod's account; for a k8s:// job, Spark's driver rights only for the
    driver steps' own account (spark_k8s.driver_service_account), so no other step may touch pods."""
    labels = {**names.APP_LABELS, f"{names.LABEL_DOMAIN}/job": config.name}
    steps = Metadata(name=role_name(config.name), namespace=config.namespace, labels=labels)
    accounts = [config.service_account]
    if is_k8s(config):
        accounts.append(driver_service_account(config))
    documents: list[Role | RoleBinding] = [
        Role(metadata=steps, rules=ARGO_EXECUTOR_RULES),
        RoleBinding(metadata=steps, role_ref=RoleRef(name=steps.name),
                    subjects=[Subject(name=account, namespace=config.namespace) for account in accounts]),
    ]
    if is_k8s(config):
        driver = Metadata(name=driver_role_name(config.name), namespace=config.namespace, labels=labels)
        documents += [
            Role(metadata=driver, rules=SPARK_DRIVER_RULES),
            RoleBinding(metadata=driver, role_ref=RoleRef(name=driver.name),
                        subjects=[Subject(name=driver_service_account(config), namespace=config.namespace)]),
        ]
    return documents
