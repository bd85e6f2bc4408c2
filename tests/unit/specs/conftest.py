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

