"""The Argo controller setting the generated pods need: Argo's own `init` and `wait` containers take their
securityContext only from the workflow-controller-configmap's `executor` key (empty by default).

Argo builds both from that key alone (workflow/controller/workflowpod.go, newExecContainer); a workflow's
`securityContext` covers the pod, not their container fields, so without this setting a namespace that enforces
the "restricted" Pod Security Standard rejects every step pod.
"""

from __future__ import annotations

from typing import Any

import yaml
from hera.workflows import models as m

from generator.specs import pod

CONFIGMAP_NAME = "workflow-controller-configmap"


def executor_container() -> m.Container:
    """Argo's `executor` setting: the restricted container rules for init and wait (nothing else of theirs)."""
    return m.Container(security_context=pod.restricted_container_security_context())


def controller_config_patch() -> dict[str, Any]:
    """The ConfigMap as a merge patch: only `data.executor`, so the controller's other settings stay as they are."""
    executor = executor_container().model_dump(mode="json", by_alias=True, exclude_none=True)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": CONFIGMAP_NAME},
        "data": {"executor": yaml.safe_dump(executor, sort_keys=True)},
    }


def render_controller_config() -> str:
    """Deterministic YAML text of the patch (what `generate-workflow controller-config` prints)."""
    return yaml.safe_dump(controller_config_patch(), sort_keys=False, default_style=None)
