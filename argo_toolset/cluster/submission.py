"""Submit a generated template to the cluster: check the request, apply the file's templates and the job's RBAC
into a namespace under the "restricted" Pod Security Standard, submit through the Argo Server, watch to the end."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from argo_toolset.cluster.argo_server import ArgoServer
from argo_toolset.cluster.kubeapi import KubeApi

SUBMITTABLE_KINDS = ("WorkflowTemplate", "CronWorkflow")
APPLIED_KINDS = ("WorkflowTemplate", "CronWorkflow")
RBAC_KINDS = ("Role", "RoleBinding", "ServiceAccount")
POD_SECURITY_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}
FINISHED = ("Succeeded", "Failed", "Error")


class SubmitRefused(Exception):
    """The request is wrong (no such template, a missing or unknown parameter): nothing was applied."""


@dataclass(frozen=True)
class SubmitPlan:
    """What `submit` will apply and submit, all checked before anything is sent.

    Attributes:
        namespace: where everything goes.
        kind: WorkflowTemplate or CronWorkflow.
        name: the template submitted.
        parameters: the workflow arguments given.
        documents: the file's WorkflowTemplates and CronWorkflows.
        rbac: the job's Role, RoleBinding (and ServiceAccount, when the file has one) from `<file>.rbac.yaml`.
        service_accounts: every service account the templates and bindings name (created when missing).
    """

    namespace: str
    kind: str
    name: str
    parameters: dict[str, str]
    documents: list[dict]
    rbac: list[dict]
    service_accounts: list[str]


def rbac_file(workflows_file: Path) -> Path:
    """The job's RBAC file, `<name>.rbac.yaml` beside the workflows file `<name>.yaml` (the project writes both)."""
    return workflows_file.with_name(workflows_file.name.removesuffix(".yaml") + ".rbac.yaml")


def plan_submission(documents: list[dict], source: Path, template: str | None, parameters: dict[str, str],
                    namespace: str | None) -> SubmitPlan:
    """Checks the request against the file; raises SubmitRefused naming every problem found."""
    candidates = [doc for doc in documents if doc.get("kind") in SUBMITTABLE_KINDS]
    names = [f"{doc['kind']}/{doc['metadata']['name']}" for doc in candidates]
    if template:
        kind_wanted, _, name_wanted = template.rpartition("/")
        chosen = [doc for doc in candidates if doc["metadata"]["name"] == name_wanted
                  and (not kind_wanted or doc["kind"] == kind_wanted)]
        chosen.sort(key=lambda doc: SUBMITTABLE_KINDS.index(doc["kind"]))
    else:
        chosen = [doc for doc in candidates if doc["kind"] == "WorkflowTemplate"]
    if not chosen:
        raise SubmitRefused(f"{source}: no template {template or '(any WorkflowTemplate)'}; "
                            f"allowed: {', '.join(names) or 'none (the file has no WorkflowTemplate or CronWorkflow)'}")
    target = chosen[0]
    spec = target["spec"]["workflowSpec"] if target["kind"] == "CronWorkflow" else target["spec"]
    declared = {p["name"]: p for p in (spec.get("arguments") or {}).get("parameters") or []}
    problems = [f"unknown parameter {name!r}; allowed: {', '.join(declared) or 'none'}"
                for name in parameters if name not in declared]
    problems += [f"missing parameter {name!r} ({(p.get('description') or 'no description').strip()}): "
                 f"pass -p {name}=VALUE"
                 for name, p in declared.items() if name not in parameters and "value" not in p
                 and "valueFrom" not in p and target["kind"] == "WorkflowTemplate"]
    for name, value in parameters.items():
        allowed = (declared.get(name) or {}).get("enum")
        if allowed and value not in allowed:
            problems.append(f"parameter {name}={value!r}; allowed: {', '.join(map(str, allowed))}")
    if problems:
        raise SubmitRefused(f"{source}: {target['kind']}/{target['metadata']['name']}: " + "; ".join(problems))
    target_namespace = namespace or target["metadata"].get("namespace") or "default"
    rbac_path = rbac_file(source)
    rbac = [doc for doc in yaml.safe_load_all(rbac_path.read_text()) if doc] if rbac_path.exists() else []
    rbac = [doc for doc in rbac if doc.get("kind") in RBAC_KINDS]
    applied = [doc for doc in documents if doc.get("kind") in APPLIED_KINDS]
    accounts = {doc["spec"].get("serviceAccountName") for doc in applied if doc["kind"] == "WorkflowTemplate"}
    accounts |= {doc["spec"]["workflowSpec"].get("serviceAccountName") for doc in applied
                 if doc["kind"] == "CronWorkflow"}
    accounts |= {subject["name"] for doc in rbac if doc["kind"] == "RoleBinding" for subject in doc["subjects"]
                 if subject.get("kind") == "ServiceAccount"}
    return SubmitPlan(target_namespace, target["kind"], target["metadata"]["name"], dict(parameters), applied, rbac,
                      sorted(account for account in accounts if account))


def apply_plan(api: KubeApi, plan: SubmitPlan, prepare_namespace: Callable[[KubeApi, str], None]) -> None:
    """The namespace (restricted), its service accounts, the job's RBAC, then the templates, all in plan.namespace."""
    api.apply({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": plan.namespace, "labels": dict(POD_SECURITY_LABELS)}})
    prepare_namespace(api, plan.namespace)
    for account in plan.service_accounts:
        api.apply({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}}, plan.namespace)
    for document in [*plan.rbac, *plan.documents]:
        placed = _in_namespace(document, plan.namespace)
        api.apply(placed, plan.namespace)


def submit_when_visible(server: ArgoServer, plan: SubmitPlan, timeout: float = 60.0) -> dict:
    """Submits from a template applied a moment before, waiting out Argo's caches.

    The Argo Server and the controller both read templates from informer caches that trail the API server: the
    server answers 404 until its cache has the template, and the controller ends a Workflow in Error ("... not
    found") when its cache lacks it. So: wait until the server can read the template, submit, and when the
    controller's first look ends the Workflow in that Error, delete it and submit again (a few times).
    """
    deadline = time.monotonic() + timeout
    while not server.template_visible(plan.namespace, plan.kind, plan.name) and time.monotonic() < deadline:
        time.sleep(0.5)
    missing = f'"{plan.name}" not found'
    while True:
        workflow = server.submit(plan.namespace, plan.kind, plan.name, plan.parameters)
        name = workflow["metadata"]["name"]
        status: dict = {}
        settle = time.monotonic() + 15
        while time.monotonic() < settle and not status.get("phase"):
            time.sleep(0.5)
            status = server.workflow(plan.namespace, name).get("status") or {}
        if status.get("phase") != "Error" or missing not in (status.get("message") or ""):
            return workflow
        if time.monotonic() > deadline:
            return workflow  # the caller reports the Error as it is
        server.delete_workflow(plan.namespace, name)
        time.sleep(2)


def _in_namespace(document: dict, namespace: str) -> dict:
    placed = yaml.safe_load(yaml.safe_dump(document))  # a deep copy
    placed["metadata"]["namespace"] = namespace
    for subject in placed.get("subjects", []):
        if subject.get("kind") == "ServiceAccount":
            subject["namespace"] = namespace
    return placed


def watch(server: ArgoServer, namespace: str, name: str, echo: Callable[[str], None], poll: float = 2.0,
          timeout: float = 3600.0) -> dict:
    """Follows the workflow until it finishes, printing each node as its phase changes (as `argo submit --wait`
    does); returns the finished Workflow."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while True:
        workflow = server.workflow(namespace, name)
        nodes = (workflow.get("status") or {}).get("nodes") or {}
        for node in sorted(nodes.values(), key=lambda n: n.get("startedAt") or ""):
            phase = node.get("phase", "Pending")
            if seen.get(node["id"]) != phase:
                seen[node["id"]] = phase
                message = f" ({node['message']})" if node.get("message") else ""
                echo(f"  {node.get('displayName', node['name']):<40} {node['type']:<10} {phase}{message}")
        phase = (workflow.get("status") or {}).get("phase")
        if phase in FINISHED:
            return workflow
        if time.monotonic() > deadline:
            return workflow
        time.sleep(poll)
