"""The fixed overhead of a fresh process: a line `wall = fixed + rows / rate` through repeated runs per scale."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

# Fewer runs per scale than this and one noisy run on a shared machine decides the intercept.
MIN_RUNS_PER_SCALE = 3


@dataclass(frozen=True)
class LineFit:
    """`wall = fixed_seconds + rows / rows_per_s`, fitted through the median wall time of each scale.

    Attributes:
        fixed_seconds: the intercept: what a run costs before its first row.
        rows_per_s: the inverse slope: the marginal rate.
        runs_per_scale: the fewest runs any scale had.
    """

    fixed_seconds: float
    rows_per_s: float
    runs_per_scale: int


def medians_by_rows(runs: Iterable[tuple[int, float]]) -> dict[int, float]:
    """rows -> median wall seconds of the runs at that size."""
    grouped: dict[int, list[float]] = {}
    for rows, seconds in runs:
        grouped.setdefault(rows, []).append(seconds)
    return {rows: statistics.median(values) for rows, values in sorted(grouped.items())}


def fit_fixed_overhead(runs: Iterable[tuple[int, float]]) -> LineFit | None:
    """Least-squares line through the per-scale medians of `runs` ((rows, wall seconds) pairs).

    Medians, not every run: one run slowed by other work on the machine moves a median of three far less than it
    moves a least-squares line. None with fewer than two scales, or when the wall time does not grow with the rows
    (noise swamps tiny sizes, e.g. in `--quick`).
    """
    runs = list(runs)
    medians = medians_by_rows(runs)
    if len(medians) < 2:
        return None
    slope, intercept = statistics.linear_regression(list(medians), list(medians.values()))
    if slope <= 0:
        return None
    counts = [sum(1 for rows, _ in runs if rows == size) for size in medians]
    return LineFit(fixed_seconds=intercept, rows_per_s=1.0 / slope, runs_per_scale=min(counts))
