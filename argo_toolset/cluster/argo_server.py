"""A client of the Argo Server's REST API, the one the Argo UI calls: submit from a template, get, logs."""

from __future__ import annotations

import json
from dataclasses import dataclass

from argo_toolset.cluster.http import HttpFailure, call


class ArgoServerError(Exception):
    """The Argo Server refused a call (status and message) or could not be reached (status 0)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"Argo Server HTTP {status}: {message}" if status else message)
        self.status = status


@dataclass(frozen=True)
class ArgoServer:
    """The Argo Server at `url` (plain HTTP on this machine; the server acts with its own identity)."""

    url: str
    timeout: float = 30.0

    def _call(self, method: str, path: str, body: dict | None = None, query: dict[str, str] | None = None) -> bytes:
        try:
            return call(method, self.url + path, body, query, timeout=self.timeout)
        except HttpFailure as failure:
            if failure.status:
                raise ArgoServerError(failure.status, failure.message) from None
            raise ArgoServerError(0, f"the Argo Server at {self.url} cannot be reached ({failure.message}); start "
                                     "the cluster with `generate-workflow cluster up`") from None

    def version(self) -> str:
        return json.loads(self._call("GET", "/api/v1/version"))["version"]

    def submit(self, namespace: str, kind: str, name: str, parameters: dict[str, str],
               labels: dict[str, str] | None = None) -> dict:
        """Submits a Workflow from the WorkflowTemplate (or CronWorkflow) `name`, as the UI's Submit button does."""
        options: dict = {"parameters": [f"{key}={value}" for key, value in parameters.items()]}
        if labels:
            options["labels"] = ",".join(f"{key}={value}" for key, value in sorted(labels.items()))
        body = {"namespace": namespace, "resourceKind": kind, "resourceName": name, "submitOptions": options}
        return json.loads(self._call("POST", f"/api/v1/workflows/{namespace}/submit", body))

    def template(self, namespace: str, kind: str, name: str) -> dict:
        """The WorkflowTemplate (or CronWorkflow) as the UI reads it before its Submit form."""
        collection = "workflow-templates" if kind == "WorkflowTemplate" else "cron-workflows"
        return json.loads(self._call("GET", f"/api/v1/{collection}/{namespace}/{name}"))

    def template_visible(self, namespace: str, kind: str, name: str) -> bool:
        """True once the server can read the template (it reads templates from an informer's cache, which trails
        a just-applied template by a moment)."""
        try:
            self.template(namespace, kind, name)
        except ArgoServerError as error:
            if error.status == 404:
                return False
            raise
        return True

    def workflow(self, namespace: str, name: str) -> dict:
        return json.loads(self._call("GET", f"/api/v1/workflows/{namespace}/{name}"))

    def delete_workflow(self, namespace: str, name: str) -> None:
        self._call("DELETE", f"/api/v1/workflows/{namespace}/{name}")

    def list_workflows(self, namespace: str, label_selector: str = "") -> list[dict]:
        query = {"listOptions.labelSelector": label_selector} if label_selector else None
        return json.loads(self._call("GET", f"/api/v1/workflows/{namespace}", query=query)).get("items") or []

    def pod_log(self, namespace: str, workflow: str, pod: str, container: str = "main") -> str:
        """The container's log as the UI shows it (the server streams one JSON object per line)."""
        raw = self._call("GET", f"/api/v1/workflows/{namespace}/{workflow}/log",
                         query={"podName": pod, "logOptions.container": container})
        lines = []
        for line in raw.decode(errors="replace").splitlines():
            try:
                lines.append(json.loads(line)["result"]["content"])
            except (ValueError, KeyError):
                continue
        return "\n".join(lines)
