"""Score equality: every path's scores, matched by row id, must equal the limit's predictions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# Largest difference allowed between a path's score and the limit's for the same row: the same pyfunc model on
# the same float64 features gives the same value; anything above this is another computation, not rounding.
TOLERANCE = 1e-9


class ScoreMismatch(RuntimeError):
    """A path wrote scores that differ from the limit's predictions (or missed, repeated or added rows)."""


@dataclass(frozen=True)
class ScoreCheck:
    """How a path's scores compare with the reference, by row id.

    Attributes:
        rows: rows the path returned.
        missing: reference ids the path did not return.
        unexpected: ids the path returned that the reference lacks, or returned more than once.
        max_abs_diff: largest |score - reference| over the ids both have (NaN if a score is NaN; 0.0 if none).
    """

    rows: int
    missing: int
    unexpected: int
    max_abs_diff: float

    @property
    def equal(self) -> bool:
        return self.missing == 0 and self.unexpected == 0 and self.max_abs_diff < TOLERANCE


def compare(ids: np.ndarray, scores: np.ndarray, reference: np.ndarray) -> ScoreCheck:
    """Compares `scores` (for row `ids`, any order) with `reference`, where `reference[i]` is the score of id i.

    The ids expected are exactly 0 .. len(reference) - 1 (the synthetic stream numbers rows from 0).
    """
    ids = np.asarray(ids, dtype="int64")
    scores = np.asarray(scores, dtype="float64")
    inside = (ids >= 0) & (ids < len(reference))
    known = ids[inside]
    unique_known = np.unique(known)
    unexpected = int((~inside).sum()) + (len(known) - len(unique_known))
    missing = len(reference) - len(unique_known)
    diffs = np.abs(scores[inside] - reference[known])
    max_abs_diff = float(np.max(diffs)) if len(diffs) else 0.0
    if np.isnan(diffs).any():
        max_abs_diff = float("nan")
    return ScoreCheck(rows=len(ids), missing=missing, unexpected=unexpected, max_abs_diff=max_abs_diff)


def compare_in_order(scores: np.ndarray, reference: np.ndarray) -> ScoreCheck:
    """Compares predictions returned in row order (limit, REST: row i of the input is id i) with `reference`."""
    scores = np.asarray(scores, dtype="float64").ravel()
    return compare(np.arange(len(scores)), scores, reference)


def require_equal(check: ScoreCheck, path: str) -> ScoreCheck:
    """`check` when the scores are equal; raises ScoreMismatch naming the path and the difference otherwise."""
    if not check.equal:
        raise ScoreMismatch(
            f"{path}: scores differ from the limit's predictions: max abs diff {check.max_abs_diff:.3g} "
            f"(allowed < {TOLERANCE:g}), {check.missing} ids missing, {check.unexpected} unexpected or repeated, "
            f"{check.rows} rows returned")
    return check


def worst(checks: list[ScoreCheck]) -> float:
    """The largest max_abs_diff over `checks` (NaN wins), for the report."""
    values = [check.max_abs_diff for check in checks]
    if any(np.isnan(value) for value in values):
        return float("nan")
    return max(values, default=0.0)


def write_reference(path: Path, scores: np.ndarray) -> Path:
    """Writes the reference (score of row id i at position i) as Parquet `row_id, score`, for the hosts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"row_id": np.arange(len(scores), dtype="int64"), "score": scores}).to_parquet(path, index=False)
    return path


def read_reference(path: Path) -> np.ndarray:
    """The reference written by write_reference, as scores indexed by row id."""
    frame = pd.read_parquet(path).sort_values("row_id")
    if not np.array_equal(frame["row_id"].to_numpy(), np.arange(len(frame))):
        raise ValueError(f"{path}: reference ids must be 0 .. {len(frame) - 1}, each once")
    return frame["score"].to_numpy(dtype="float64")
