"""The limit: the pyfunc model's `predict` in this one process on the in-memory pandas frame (all cores)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pandas as pd


def run_limit(model, features: pd.DataFrame) -> tuple[float, np.ndarray]:
    """Seconds one `predict` over all rows of `features` (feature columns only) takes, and its predictions."""
    started = time.monotonic()
    predictions = model.predict(features)
    return time.monotonic() - started, np.asarray(predictions, dtype="float64").ravel()


def run_single_thread(model, features: pd.DataFrame, batch_rows: int) -> tuple[float, np.ndarray]:
    """Seconds `predict` takes over `features` in batches of `batch_rows` rows with the model's native threads capped
    at 1 (threadpoolctl), and its predictions: the model's own single-thread rate, on batches of the size the score
    step hands it. Times the cores a run may use, it is the ceiling every path is measured against."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        started = time.monotonic()
        predictions = [np.asarray(model.predict(features.iloc[start:start + batch_rows]), dtype="float64").ravel()
                       for start in range(0, len(features), batch_rows)]
        seconds = time.monotonic() - started
    return seconds, np.concatenate(predictions)


def reference_scores(model, blocks: Iterator[pd.DataFrame], features: list[str]) -> np.ndarray:
    """The limit's predictions for every row of `blocks` (in order), one block at a time (memory stays small).

    Every path's scores are compared with these; the model scores each row on its own, so a block gives a row the
    same score as the whole frame does (the limit's own rounds check that too).
    """
    return np.concatenate([np.asarray(model.predict(block[features]), dtype="float64").ravel() for block in blocks])
