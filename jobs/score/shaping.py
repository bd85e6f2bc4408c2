"""Turn whatever a pyfunc `predict` returns into typed score columns (pure pandas; used on driver and workers).

The stored schema (documented in docs/STEPS.md):
  - one output (1-D array, Series, list, or a 2-D array / DataFrame with one column): column `<score>`;
  - k > 1 outputs, e.g. predict_proba-style class probabilities: one column per output,
    `<score>_<i>` for a 2-D array (i = 0..k-1) or `<score>_<name>` for a DataFrame column `name`
    (lower-cased, non [a-z0-9_] characters replaced by `_`);
  - numeric and boolean outputs are DOUBLE (NaN and infinities are stored as NULL, so validate's null check
    sees them); anything else is STRING.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jobs.common.errors import StepError

DOUBLE = "double"
STRING = "string"


@dataclass(frozen=True)
class ScoreColumn:
    """One stored output column: `name` and Spark type `double` or `string`."""

    name: str
    type: str


def _as_frame(prediction: object) -> pd.DataFrame:
    if isinstance(prediction, pd.DataFrame):
        return prediction.reset_index(drop=True)
    if isinstance(prediction, pd.Series):
        return prediction.reset_index(drop=True).to_frame()
    array = np.asarray(prediction)
    if array.ndim == 1:
        return pd.DataFrame({0: array})
    if array.ndim == 2:
        return pd.DataFrame(array)
    raise StepError(f"model output has {array.ndim} dimensions; only 1-D and 2-D outputs can be stored")


def _suffix(label: object) -> str:
    text = re.sub(r"[^a-z0-9_]", "_", str(label).lower())
    return text or "output"


def describe_output(prediction: object, score_column: str) -> list[ScoreColumn]:
    """The stored columns for a model output (decided once, from a sample prediction on the driver)."""
    frame = _as_frame(prediction)
    if frame.shape[1] == 0:
        raise StepError("model output has no columns")
    kinds = [DOUBLE if pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
             else STRING for c in frame.columns]
    if frame.shape[1] == 1:
        return [ScoreColumn(score_column, kinds[0])]
    names = [f"{score_column}_{_suffix(label)}" for label in frame.columns]
    if len(set(names)) != len(names):
        names = [f"{score_column}_{i}" for i in range(len(names))]
    return [ScoreColumn(name, kind) for name, kind in zip(names, kinds, strict=True)]


def shape_output(prediction: object, columns: list[ScoreColumn], rows: int) -> pd.DataFrame:
    """A DataFrame with exactly `columns` (typed) and `rows` rows from one batch's prediction.

    Raises:
        StepError: the batch's output has a different number of rows or columns than planned.
    """
    frame = _as_frame(prediction)
    if frame.shape != (rows, len(columns)):
        raise StepError(
            f"model returned shape {frame.shape} for a batch of {rows} rows; expected ({rows}, {len(columns)})"
        )
    shaped = {}
    for position, column in enumerate(columns):
        values = frame.iloc[:, position]
        if column.type == DOUBLE:
            numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(copy=True)
            numbers[~np.isfinite(numbers)] = np.nan
            shaped[column.name] = numbers
        else:
            shaped[column.name] = values.astype(object).where(values.notna(), None).map(
                lambda v: None if v is None else str(v))
    return pd.DataFrame(shaped)
