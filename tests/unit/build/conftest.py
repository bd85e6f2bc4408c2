"""Fixtures for builder tests: the example job configs shipped in conf/."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_job

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def churn():
    """The scheduled example job (with prepare SQL and a CronWorkflow)."""
    return load_job(REPO / "conf" / "churn-daily.yaml")


@pytest.fixture(scope="module")
def credit():
    """The on-demand example job (no schedule, no prepare, k8s Spark, reference check)."""
    return load_job(REPO / "conf" / "credit-limit-review.yaml")


@pytest.fixture(scope="session")
def crd_dir() -> Path:
    """Argo v4.1.2 CRDs from ../shared (ARGO_CRD_DIR overrides); a missing dir fails the test, never skips it."""
    import os

    path = Path(os.environ.get("ARGO_CRD_DIR") or REPO.parent / "shared" / "argo-crds" / "v4.1.2")
    if not (path / "argoproj.io_workflows.yaml").is_file():
        pytest.fail(f"Argo CRDs not found in {path}: set ARGO_CRD_DIR or provide ../shared/argo-crds/v4.1.2")
    return path
