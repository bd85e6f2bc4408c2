"""The project's glue for the cluster tooling (argo_toolset.cluster): its name, image names, Go module, programs
folder and the controller setting its generated pods need.

`python3 -m generator.project_cluster` builds the cluster's programs (CI runs it in the background, `.ci/run`): it
runs with the system python3 before any virtualenv exists, so this module imports the standard library, the
stdlib-only image names and the toolset's stdlib-only build at its top, and `generator.specs` only when the
settings are made.
"""

from __future__ import annotations

from pathlib import Path

from argo_toolset.cluster.gobuild import build_programs
from argo_toolset.cluster.settings import ClusterSettings
from generator.image.podman import BASE_IMAGE, PROJECT_IMAGE

PROJECT_NAME = "argo-batch-scoring"
REPO = Path(__file__).resolve().parents[1]
# The Go module of etcd, Kubernetes and Argo's programs (docs/CLUSTER.md).
MODULE_DIR = REPO / "tools" / "cluster"
# The programs built from it, shared by every run dir (the tests' cluster and a developer's): one build.
PROGRAMS_DIR = REPO / ".run" / "cluster-programs"


def cluster_settings() -> ClusterSettings:
    """The settings every `generate-workflow` command (and test) that runs the cluster passes it."""
    from generator.specs.controller_config import controller_config_patch

    return ClusterSettings(name=PROJECT_NAME, project_image=PROJECT_IMAGE, base_image=BASE_IMAGE,
                           image_build_command="make image", module_dir=MODULE_DIR, programs_dir=PROGRAMS_DIR,
                           controller_config=controller_config_patch())


if __name__ == "__main__":
    build_programs(MODULE_DIR, PROGRAMS_DIR, echo=print)
