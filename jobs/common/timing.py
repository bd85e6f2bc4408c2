"""`timed()`: records how long a phase of a step took, for the step's one-line summary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    """Stores the seconds the `with` block took as `timings[phase]` (only when it ends without an error)."""
    started = time.monotonic()
    yield
    timings[phase] = time.monotonic() - started
