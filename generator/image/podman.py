"""The project's image names in podman's storage (the podman settings are the toolset's: argo_toolset.podman).

Stdlib only, as `make base-image` and `make image` run it with the system python3, before any virtualenv exists.
"""

from __future__ import annotations

# The project's image and the bookworm base image made here (shared podman storage: these tags only).
BASE_IMAGE = "localhost/argo-batch-scoring-base:bookworm"
PROJECT_IMAGE = "argo-batch-scoring:local"
