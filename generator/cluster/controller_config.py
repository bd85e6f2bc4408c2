"""The workflow controller's ConfigMap on the cluster built here: the generator's `executor` setting (what the
generated pods need of every controller, generator/specs/controller_config.py), plus this cluster's own
workflow defaults (the stack's warehouse mount, stack_access.py)."""

from __future__ import annotations

import yaml

from generator.cluster.components import ARGO_NAMESPACE
from generator.specs.controller_config import controller_config_patch


def controller_configmap(pod_spec_patch: str | None = None) -> dict:
    """The ConfigMap; `pod_spec_patch` goes into every workflow through the controller's workflow defaults, which
    the generated templates do not set."""
    configmap = controller_config_patch()
    configmap["metadata"]["namespace"] = ARGO_NAMESPACE
    if pod_spec_patch:
        configmap["data"]["workflowDefaults"] = yaml.safe_dump({"spec": {"podSpecPatch": pod_spec_patch}},
                                                               sort_keys=True)
    return configmap
