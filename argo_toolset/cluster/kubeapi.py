"""A small client of the Kubernetes API (stdlib HTTPS with the admin client certificate): apply, get, delete,
list and service-account tokens; all the cluster tooling needs, without a Kubernetes client library."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any

from argo_toolset.cluster.http import HttpFailure, call

# kind -> (API path prefix, plural, namespaced) for every kind the tooling writes or reads.
KINDS: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("/api/v1", "namespaces", False),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "ConfigMap": ("/api/v1", "configmaps", True),
    "Secret": ("/api/v1", "secrets", True),
    "Pod": ("/api/v1", "pods", True),
    "Node": ("/api/v1", "nodes", False),
    "Service": ("/api/v1", "services", True),
    "PersistentVolume": ("/api/v1", "persistentvolumes", False),
    "PersistentVolumeClaim": ("/api/v1", "persistentvolumeclaims", True),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "PriorityClass": ("/apis/scheduling.k8s.io/v1", "priorityclasses", False),
    "CustomResourceDefinition": ("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", False),
    "Workflow": ("/apis/argoproj.io/v1alpha1", "workflows", True),
    "WorkflowTemplate": ("/apis/argoproj.io/v1alpha1", "workflowtemplates", True),
    "CronWorkflow": ("/apis/argoproj.io/v1alpha1", "cronworkflows", True),
    "WorkflowTaskResult": ("/apis/argoproj.io/v1alpha1", "workflowtaskresults", True),
}


class KubeApiError(Exception):
    """The API server answered with an error status (or could not be reached: status 0)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class KubeApi:
    """The API server at `url`, reached with `tls` (admin client certificate, cluster CA); our server-side
    applies own their fields as `field_manager`."""

    url: str
    tls: ssl.SSLContext
    field_manager: str
    timeout: float = 30.0

    def request(self, method: str, path: str, body: Any = None, content_type: str = "application/json",
                query: dict[str, str] | None = None) -> dict:
        try:
            payload = call(method, self.url + path, body, query, content_type, self.timeout, self.tls)
        except HttpFailure as failure:
            if failure.status:
                raise KubeApiError(failure.status, failure.message) from None
            raise KubeApiError(0, f"the API server at {self.url} cannot be reached: {failure.message}") from None
        return json.loads(payload) if payload else {}

    def path(self, kind: str, name: str | None = None, namespace: str | None = None) -> str:
        if kind not in KINDS:
            raise KubeApiError(0, f"kind {kind!r} is not known to this client; known: {', '.join(sorted(KINDS))}")
        prefix, plural, namespaced = KINDS[kind]
        parts = [prefix]
        if namespaced:
            if not namespace:
                raise KubeApiError(0, f"a {kind} needs a namespace")
            parts += ["namespaces", namespace]
        parts.append(plural)
        if name:
            parts.append(name)
        return "/".join(parts)

    def apply(self, manifest: dict, namespace: str | None = None) -> dict:
        """Server-side apply: creates or updates `manifest` (its namespace, else `namespace`)."""
        metadata = manifest.setdefault("metadata", {})
        namespaced = KINDS.get(manifest["kind"], ("", "", False))[2]
        if namespaced:
            metadata.setdefault("namespace", namespace)
        path = self.path(manifest["kind"], metadata["name"], metadata.get("namespace"))
        return self.request("PATCH", path, manifest, "application/apply-patch+yaml",
                            {"fieldManager": self.field_manager, "force": "true"})

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """The object, or None when it does not exist."""
        try:
            return self.request("GET", self.path(kind, name, namespace))
        except KubeApiError as error:
            if error.status == 404:
                return None
            raise

    def list(self, kind: str, namespace: str | None = None, label_selector: str | None = None) -> list[dict]:
        query = {"labelSelector": label_selector} if label_selector else None
        return self.request("GET", self.path(kind, None, namespace), query=query).get("items", [])

    def delete(self, kind: str, name: str, namespace: str | None = None) -> None:
        try:
            self.request("DELETE", self.path(kind, name, namespace), {"propagationPolicy": "Foreground"})
        except KubeApiError as error:
            if error.status != 404:
                raise

    def token(self, namespace: str, service_account: str, seconds: int) -> str:
        """A token of `service_account` from the TokenRequest API, valid for `seconds`."""
        path = self.path("ServiceAccount", service_account, namespace) + "/token"
        answer = self.request("POST", path, {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                             "spec": {"expirationSeconds": seconds}})
        return answer["status"]["token"]
