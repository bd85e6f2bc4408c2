"""The project's settings give the cluster the same names it had before they were passed in: image tags, firewall
comments, the controller's ConfigMap; and the toolset never changes the project's setting it was given."""

from __future__ import annotations

from pathlib import Path

from argo_toolset.cluster.components import WORKFLOW_CONTROLLER, argo
from argo_toolset.cluster.config_files import write_containerd_config
from argo_toolset.cluster.controller_config import controller_configmap
from argo_toolset.cluster.layout import ClusterLayout, ClusterPorts
from generator.project_cluster import PROGRAMS_DIR, cluster_settings
from generator.specs.controller_config import controller_config_patch


def test_the_project_names_the_nodes_images_and_rules_as_before():
    settings = cluster_settings()
    assert settings.node_project_image == "localhost/argo-batch-scoring:local"
    assert settings.executor_image == "localhost/argo-batch-scoring-argoexec:local"
    assert settings.pause_image == "localhost/argo-batch-scoring-pause:local"
    assert settings.guard_comment == "argo-batch-scoring cluster: machine-local only"
    assert settings.nat_comment == "argo-batch-scoring cluster: stack at the node address"
    assert settings.module_dir == Path(__file__).resolve().parents[2] / "tools" / "cluster"
    assert (settings.module_dir / "go.mod").exists()


def test_the_controller_gets_the_executor_image_and_containerd_the_pause_image(tmp_path):
    settings = cluster_settings()
    layout = ClusterLayout(tmp_path, PROGRAMS_DIR)
    controller = next(c for c in argo(layout, ClusterPorts(), settings.executor_image) if c.name == WORKFLOW_CONTROLLER)
    assert controller.command[controller.command.index("--executor-image") + 1] == settings.executor_image
    assert controller.command[0] == str(PROGRAMS_DIR / "platform")
    containerd = write_containerd_config(layout, settings.pause_image).read_text()
    assert f'sandbox_image = "{settings.pause_image}"' in containerd


def test_the_configmap_is_the_projects_setting_in_argos_namespace_and_leaves_it_as_given():
    project = controller_config_patch()
    configmap = controller_configmap(project, "volumes: []\n")
    assert configmap["metadata"] == {"name": "workflow-controller-configmap", "namespace": "argo"}
    assert configmap["data"]["executor"] == project["data"]["executor"]
    assert "workflowDefaults" in configmap["data"]
    assert project == controller_config_patch()
