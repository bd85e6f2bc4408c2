"""Where this project reads Argo's CRD files: $ARGO_CRD_DIR, else ../shared/argo-crds/<version> beside the checkout.

Never copied into the repo (docs/ARCHITECTURE.md §3). The Makefile's CRD_DIR and .ci/run spell the same folder in shell.
"""

from __future__ import annotations

import os
from pathlib import Path

CRD_VERSION = "v4.1.2"
REPO = Path(__file__).resolve().parents[1]


def default_crd_dir() -> Path:
    """$ARGO_CRD_DIR when set, else the Argo release's CRDs in ../shared/argo-crds beside this checkout."""
    return Path(os.environ.get("ARGO_CRD_DIR") or REPO.parent / "shared" / "argo-crds" / CRD_VERSION)
