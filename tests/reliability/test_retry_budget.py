"""MLflow's own HTTP retries are capped to the step's retry budget (jobs/common/services.py)."""

from __future__ import annotations

import pytest

from jobs.common.services import mlflow_retries_within


def _backoff_total(retries: int) -> int:
    """Seconds MLflow's client sleeps over `retries` retries (backoff factor 2: 2, 4, 8 ... seconds)."""
    return sum(2 ** attempt for attempt in range(1, retries + 1))


@pytest.mark.parametrize("budget", [0, 1, 3, 10, 20, 120, 600])
def test_mlflow_retries_fit_the_budget_and_one_more_would_not(budget):
    retries = mlflow_retries_within(budget)
    assert _backoff_total(retries) <= budget
    assert _backoff_total(retries + 1) > budget
