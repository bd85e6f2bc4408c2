"""Progress of a long score in the step's log: work units done of all, rows scored, time since scoring began."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("jobs.score.progress")
# At most one line per this many seconds: a step's log stays readable and a long score still shows it is moving.
PROGRESS_SECONDS = 5.0


@dataclass(frozen=True)
class Progress:
    """Where the score stands: units done (each a Spark task) of `total_units`, rows scored so far."""

    units_done: int
    total_units: int
    rows: int

    def line(self, elapsed: float) -> str:
        return f"scored {self.units_done}/{self.total_units} work units, {self.rows} rows, {elapsed:.1f}s"


class ProgressReport:
    """Logs a Progress line every `interval` seconds while the `with` block runs, when anything moved since the last.

    `read` is called from a background thread; it returns the counts so far (from Spark accumulators, which the
    driver updates as each task ends). When the block ends, a last line reports the final counts if they were not
    logged yet, so a long score's log always ends its progress at done/total (a short one logs none).
    """

    def __init__(self, read: Callable[[], Progress], interval: float | None = None,
                 clock: Callable[[], float] = time.monotonic, emit: Callable[[str], None] = log.info):
        self._read = read
        self._interval = PROGRESS_SECONDS if interval is None else interval
        self._clock = clock
        self._emit = emit
        self._started = clock()
        self._last_logged_at = self._started
        self._last_logged: Progress | None = None
        self._stop = threading.Event()
        # Wakes often enough to keep the interval; reading the counts is cheap, logging is throttled by tick().
        self._poll_seconds = max(0.01, min(self._interval / 4, 0.5))
        self._thread = threading.Thread(target=self._run, name="score-progress", daemon=True)

    def __enter__(self) -> ProgressReport:
        self._started = self._last_logged_at = self._clock()
        self._thread.start()
        return self

    def __exit__(self, error_type, *_) -> None:
        self._stop.set()
        self._thread.join()
        if error_type is None:
            self.tick(final=True)

    def tick(self, final: bool = False) -> None:
        """Logs the current counts when `interval` has passed since the last line (or at the end) and they moved."""
        now = self._clock()
        if not final and now - self._last_logged_at < self._interval:
            return
        progress = self._read()
        if progress == self._last_logged or (progress.units_done == 0 and not final):
            return
        if final and self._last_logged is None:  # a score short enough to log nothing on the way needs no last line
            return
        self._emit(progress.line(now - self._started))
        self._last_logged, self._last_logged_at = progress, now

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            self.tick()
