"""Bounded exponential backoff for connection failures; any other error propagates at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from jobs.common.errors import ServiceUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


def with_retry(
    action: Callable[[], T],
    *,
    service: str,
    transient: tuple[type[BaseException], ...],
    budget_seconds: float,
    first_delay: float = 1.0,
    max_delay: float = 15.0,
) -> T:
    """Runs `action`, retrying on `transient` errors with delays 1, 2, 4 ... `max_delay` s within the budget.

    Args:
        action: what to run.
        service: name and address of the service, used in messages (e.g. "HiveServer2 at 127.0.0.1:10000").
        transient: exception types meaning "could not reach the service" (never SQL errors).
        budget_seconds: total time after which the last failure becomes a ServiceUnavailable.

    Raises:
        ServiceUnavailable: the service never answered within `budget_seconds`.
    """
    deadline = time.monotonic() + budget_seconds
    delay = first_delay
    attempt = 1
    while True:
        try:
            return action()
        except transient as error:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceUnavailable(
                    f"{service} did not answer after {attempt} attempt(s) over {budget_seconds:.0f}s: {error}"
                ) from error
            wait = min(delay, max_delay, remaining)
            log.warning("%s unreachable (attempt %d: %s); retrying in %.1fs", service, attempt, error, wait)
            time.sleep(wait)
            delay *= 2
            attempt += 1
