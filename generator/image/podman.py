"""The project's image names in podman's storage (the podman settings are the toolset's: argo_toolset.podman).

Stdlib only, as `make base-image` and `make image` run it with the system python3, before any virtualenv exists.
"""

from __future__ import annotations

# Read from here by the Kubernetes stand-in (tests/k8s_standin), which is being retired; delete with it.
from argo_toolset.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman  # noqa: F401

# The project's image and the bookworm base image made here (shared podman storage: these tags only).
BASE_IMAGE = "localhost/argo-batch-scoring-base:bookworm"
PROJECT_IMAGE = "argo-batch-scoring:local"
