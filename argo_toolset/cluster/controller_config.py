"""The workflow controller's ConfigMap on the cluster built here: the project's setting (what its pods need of
every controller, ClusterSettings.controller_config), plus this cluster's own workflow defaults (the stack's
warehouse mount, stack_access.py)."""

from __future__ import annotations

import copy

import yaml

from argo_toolset.cluster.components import ARGO_NAMESPACE


def controller_configmap(project_config: dict, pod_spec_patch: str | None = None) -> dict:
    """The ConfigMap: `project_config` (a ConfigMap merge patch, left as it is) in namespace `argo`;
    `pod_spec_patch` goes into every workflow through the controller's workflow defaults, which the generated
    templates do not set."""
    configmap = copy.deepcopy(project_config)
    configmap["metadata"]["namespace"] = ARGO_NAMESPACE
    if pod_spec_patch:
        configmap["data"]["workflowDefaults"] = yaml.safe_dump({"spec": {"podSpecPatch": pod_spec_patch}},
                                                               sort_keys=True)
    return configmap
