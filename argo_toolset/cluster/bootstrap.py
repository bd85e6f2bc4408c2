"""What the cluster holds before any job: Argo's CRDs, its namespace, service accounts and roles (all read from
Argo's Go module at run time, never copied here), the controller's configuration, and tokens for the controller
and the server."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from argo_toolset.cluster.components import (
    ARGO_NAMESPACE,
    ARGO_SERVER,
    ARGO_SERVER_ACCOUNT,
    WORKFLOW_CONTROLLER,
    WORKFLOW_CONTROLLER_ACCOUNT,
)
from argo_toolset.cluster.config_files import write_token_kubeconfig
from argo_toolset.cluster.controller_config import controller_configmap
from argo_toolset.cluster.kubeapi import KubeApi, KubeApiError
from argo_toolset.cluster.layout import ClusterLayout, ClusterPorts
from argo_toolset.cluster.pki import Pki

# Argo's install manifests inside its module: CRDs, then the accounts and roles of its cluster install.
MANIFEST_FOLDERS = (
    "manifests/base/crds/full",
    "manifests/cluster-install-no-crds/workflow-controller-rbac",
    "manifests/cluster-install-no-crds/argo-server-rbac",
)
ACCOUNT_FILES = (
    "manifests/base/workflow-controller/workflow-controller-sa.yaml",
    "manifests/base/argo-server/argo-server-sa.yaml",
)
TOKEN_SECONDS = 7 * 24 * 3600  # the controller's and server's tokens; renewed at every `cluster up`


def argo_manifests(argo_module: Path) -> list[dict]:
    """Every object of Argo's cluster install, namespaced ones (and binding subjects) placed in `argo`."""
    files = [*ACCOUNT_FILES]
    for folder in MANIFEST_FOLDERS:
        files += sorted(str(path.relative_to(argo_module)) for path in (argo_module / folder).glob("*.yaml")
                        if path.name != "kustomization.yaml")
    manifests = []
    for relative in files:
        for document in yaml.safe_load_all((argo_module / relative).read_text()):
            if not document:
                continue
            for subject in document.get("subjects", []):
                if subject.get("kind") == "ServiceAccount":
                    subject.setdefault("namespace", ARGO_NAMESPACE)
            manifests.append(document)
    return manifests


def install_argo(api: KubeApi, argo_module: Path, layout: ClusterLayout, pki: Pki, ports: ClusterPorts,
                 project_config: dict, pod_spec_patch: str | None = None) -> None:
    """Applies Argo's install and the controller's ConfigMap (controller_config.py); writes the controller's and
    server's kubeconfigs."""
    api.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ARGO_NAMESPACE}})
    manifests = argo_manifests(argo_module)
    for manifest in manifests:
        api.apply(manifest, ARGO_NAMESPACE)
    _wait_established(api, [m["metadata"]["name"] for m in manifests if m["kind"] == "CustomResourceDefinition"])
    api.apply(controller_configmap(project_config, pod_spec_patch), ARGO_NAMESPACE)
    for component, account in ((WORKFLOW_CONTROLLER, WORKFLOW_CONTROLLER_ACCOUNT),
                               (ARGO_SERVER, ARGO_SERVER_ACCOUNT)):
        token = api.token(ARGO_NAMESPACE, account, TOKEN_SECONDS)
        write_token_kubeconfig(layout.kubeconfig(component), pki, f"system:serviceaccount:{ARGO_NAMESPACE}:{account}",
                               token, ports, ARGO_NAMESPACE)


def _wait_established(api: KubeApi, names: list[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            crd = api.get("CustomResourceDefinition", name) or {}
            conditions = (crd.get("status") or {}).get("conditions") or []  # null until the server fills it
            if any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
                pending.discard(name)
        time.sleep(0.5)
    if pending:
        raise KubeApiError(0, f"Argo's CRDs not established within {timeout:.0f}s: {', '.join(sorted(pending))}")


def wait_node_ready(api: KubeApi, node: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = api.get("Node", node) or {}
        conditions = (found.get("status") or {}).get("conditions") or []
        if any(c["type"] == "Ready" and c["status"] == "True" for c in conditions):
            return
        time.sleep(1)
    raise KubeApiError(0, f"node {node} not Ready within {timeout:.0f}s (see the kubelet's log)")
