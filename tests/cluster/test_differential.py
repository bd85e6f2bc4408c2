"""Differential check: the same Workflow through `run-local` (argo_toolset.runner, local processes) and through Argo's
own controller on the cluster built here gives the same nodes, phases, output parameters and exit codes.

The Workflows are Argo's own examples, read at test time from Argo's Go module (the one tools/cluster builds from),
never copied into this repo: those whose steps are deterministic shell commands and need no artifact repository.
They name public images the machine cannot pull, so under the controller each runs the project image (it has the
shell and coreutils they call); run-local runs them as processes on this machine.
"""

from __future__ import annotations

import uuid

import pytest
import yaml

from argo_toolset.cluster.gobuild import argo_module_dir
from argo_toolset.runner.api import run_workflow
from generator.project_cluster import MODULE_DIR
from tests.cluster.conftest import FINAL_PHASES, NODE_PROJECT_IMAGE, controller_summary, local_summary, wait_for

pytestmark = [pytest.mark.slow]

EXAMPLES = (
    "steps.yaml", "dag-diamond.yaml", "dag-multiroot.yaml", "dag-nested.yaml", "loops.yaml", "loops-sequence.yaml",
    "output-parameter.yaml", "global-parameters.yaml", "continue-on-fail.yaml",
    "dag-enhanced-depends.yaml", "exit-handlers.yaml", "exit-code-output-variable.yaml",
    "parameter-aggregation-dag.yaml",
)
# Left out: dag-continue-on-fail.yaml, whose task D (`B.Failed && C`) runs or not depending on whether the controller
# saw B and C end before E's failure stopped the DAG (failFast): it agreed in one run here and not in the next.


def example(name: str) -> dict:
    return yaml.safe_load((argo_module_dir(MODULE_DIR) / "examples" / name).read_text())


def with_images(document: dict, image: str) -> dict:
    """The example with every container and script template on `image`."""
    for template in document["spec"]["templates"]:
        for kind in ("container", "script"):
            if kind in template:
                template[kind]["image"] = image
    return document


@pytest.fixture(scope="module")
def examples_namespace(cluster) -> str:
    """A namespace without the restricted standard (Argo's examples set no securityContext) whose default account
    has the one right Argo's executor needs."""
    api, namespace = cluster.api(), f"argo-examples-{uuid.uuid4().hex[:6]}"
    api.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    api.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "executor"},
               "rules": [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"],
                          "verbs": ["create", "patch"]}]}, namespace)
    api.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "executor"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "executor"},
               "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": namespace}]}, namespace)
    wait_for(lambda: api.get("ServiceAccount", "default", namespace), 60, f"default account of {namespace}")
    cluster.prepare_namespace(api, namespace)  # the controller's workflow defaults mount the warehouse claim
    return namespace


@pytest.fixture(scope="module")
def submitted(cluster, examples_namespace) -> dict[str, str]:
    """Every example applied at once (the controller runs them side by side while run-local takes them in turn):
    example file -> Workflow name."""
    names = {}
    for name in EXAMPLES:
        document = with_images(example(name), NODE_PROJECT_IMAGE)
        prefix = document["metadata"].pop("generateName", None) or f"{document['metadata']['name']}-"
        names[name] = document["metadata"]["name"] = f"{prefix}{uuid.uuid4().hex[:5]}"
        cluster.api().apply(document, examples_namespace)
    return names


@pytest.mark.parametrize("name", EXAMPLES)
def test_run_local_and_the_controller_agree_on_argos_example(name, cluster, examples_namespace, submitted, tmp_path):
    local = run_workflow([example(name)], echo=None, check_services=False, work_dir=tmp_path / "local",
                         lock_dir=tmp_path / "locks", backoff_scale=0)
    api, workflow = cluster.api(), submitted[name]

    def ended() -> dict | None:
        status = (api.get("Workflow", workflow, examples_namespace) or {}).get("status") or {}
        return status if status.get("phase") in FINAL_PHASES else None

    status = wait_for(ended, 600, f"end of {workflow}")
    assert str(local.phase) == status["phase"], (local.phase, status.get("message"))
    assert local_summary(local.nodes(), local.workflow_name) == controller_summary(status, workflow)
