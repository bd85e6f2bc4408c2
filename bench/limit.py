"""The limit: the pyfunc model's `predict` in this one process on the in-memory pandas frame (all cores)."""

from __future__ import annotations

import time

import pandas as pd


def run_limit(model, features: pd.DataFrame) -> float:
    """Seconds one `predict` over all rows of `features` (feature columns only) takes."""
    started = time.monotonic()
    model.predict(features)
    return time.monotonic() - started
