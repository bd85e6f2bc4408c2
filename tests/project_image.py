"""The project image in podman's storage for the tests that run it: built once with `make image` when missing, under a
lock, since the cluster tests and the pod-mode tests run in two pytest processes side by side (`make test`)."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

from argo_toolset.podman import podman
from generator.image.podman import PROJECT_IMAGE

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / ".run" / "project-image.lock"
# A fresh machine builds the base (~2 min) and the image (~5-10 min) first; later sessions reuse both.
IMAGE_BUILD_TIMEOUT = 3600


def ensure_project_image() -> str:
    """argo-batch-scoring:local, built with `make image` if podman lacks it (a failed build fails the test)."""
    if shutil.which("podman") is None:
        pytest.fail("podman is missing: the pod-mode and cluster tests need it (.ci/run installs podman, runc, "
                    "uidmap, fuse-overlayfs)")
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other process's build finishes first; then the image exists
        if subprocess.run(podman("image", "exists", PROJECT_IMAGE), check=False).returncode != 0:
            built = subprocess.run(["make", "image"], cwd=REPO, capture_output=True, text=True,
                                   timeout=IMAGE_BUILD_TIMEOUT, check=False)
            assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return PROJECT_IMAGE
