"""Repeated measurements: warm-up runs are discarded, the rest summarized as min and median seconds."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class PathTimings:
    """Seconds of each measured repeat of one path, and the rows each repeat scored.

    Attributes:
        rows: rows scored per repeat.
        seconds: wall-clock seconds of each measured repeat (warm-up runs excluded).
        peak_rss_bytes: highest resident memory of the path's process tree seen while it ran (0 = not sampled).
        note: what the timed region of one round includes, and how a sample was extrapolated.
        max_abs_diff: largest |score - limit's prediction| over every measured round's rows (None: not checked).
    """

    rows: int
    seconds: list[float] = field(default_factory=list)
    peak_rss_bytes: int = 0
    note: str = ""
    max_abs_diff: float | None = None

    @property
    def best_seconds(self) -> float:
        return min(self.seconds)

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best_rows_per_s(self) -> float:
        """Rows per second of the fastest repeat."""
        return self.rows / self.best_seconds

    @property
    def median_rows_per_s(self) -> float:
        """Rows per second of the median repeat."""
        return self.rows / self.median_seconds
