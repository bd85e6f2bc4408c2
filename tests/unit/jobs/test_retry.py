"""`with_retry`: doubling delays capped at max_delay, trimmed to the budget; only transient errors are retried."""

from __future__ import annotations

import logging
import time

import click
import pytest

from jobs.common import retry
from jobs.common.errors import ServiceUnavailable
from jobs.common.retry import with_retry


class FakeClock:
    """Stands in for the `time` module inside jobs.common.retry: sleeping only advances the clock."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Flaky:
    """An action that fails `failures` times with `error` (each attempt costing `attempt_seconds`), then succeeds."""

    def __init__(self, clock: FakeClock, failures: int, error: BaseException | None = None,
                 attempt_seconds: float = 0.0):
        self.clock, self.failures, self.attempt_seconds = clock, failures, attempt_seconds
        self.error = error or ConnectionRefusedError("refused")
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        self.clock.now += self.attempt_seconds
        if self.calls <= self.failures:
            raise self.error
        return "answer"


@pytest.fixture()
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(retry, "time", fake)
    return fake


def _retry(action, budget: float, **kwargs):
    return with_retry(action, service="HiveServer2 at 127.0.0.1:1", transient=(OSError,), budget_seconds=budget,
                      **kwargs)


def test_an_answer_at_the_first_attempt_never_sleeps(clock):
    action = Flaky(clock, failures=0)
    assert _retry(action, budget=60) == "answer"
    assert action.calls == 1 and clock.sleeps == []


def test_transient_failures_are_retried_with_doubling_delays_until_the_service_answers(clock):
    action = Flaky(clock, failures=4)
    assert _retry(action, budget=60) == "answer"
    assert action.calls == 5
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_delays_stop_growing_at_max_delay_and_the_last_is_trimmed_to_the_budget(clock):
    action = Flaky(clock, failures=100)
    started = clock.now
    with pytest.raises(ServiceUnavailable) as caught:
        _retry(action, budget=40)
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 15.0, 10.0]  # 1+2+4+8+15 = 30, then the 10 s left
    assert clock.now - started == 40  # gave up exactly when the budget was spent, not one delay later
    assert action.calls == 7
    assert caught.value.message == ("HiveServer2 at 127.0.0.1:1 did not answer after 7 attempt(s) over 40s: refused")


def test_time_spent_inside_failed_attempts_counts_against_the_budget(clock):
    action = Flaky(clock, failures=100, attempt_seconds=5.0)  # e.g. a connect that times out after 5 s
    started = clock.now
    with pytest.raises(ServiceUnavailable):
        _retry(action, budget=20)
    # attempts end at 5, 11, 18 s; the waits after them are 1, 2 and the 2 s left; the 4th attempt ends at 25 s
    assert clock.sleeps == [1.0, 2.0, 2.0]
    assert action.calls == 4 and clock.now - started == 25


def test_custom_first_and_max_delay(clock):
    with pytest.raises(ServiceUnavailable):
        _retry(Flaky(clock, failures=100), budget=10, first_delay=0.5, max_delay=2.0)
    assert clock.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 0.5]


def test_zero_budget_tries_once_and_never_sleeps(clock):
    action = Flaky(clock, failures=1)
    with pytest.raises(ServiceUnavailable, match="did not answer after 1 attempt"):
        _retry(action, budget=0)
    assert action.calls == 1 and clock.sleeps == []


def test_a_non_transient_error_propagates_at_once(clock):
    action = Flaky(clock, failures=1, error=ValueError("syntax error in SQL"))
    with pytest.raises(ValueError, match="syntax error in SQL"):
        _retry(action, budget=60)
    assert action.calls == 1 and clock.sleeps == []


def test_giving_up_is_a_click_error_chained_to_the_last_failure(clock):
    last = ConnectionRefusedError("refused for the last time")
    with pytest.raises(ServiceUnavailable) as caught:
        _retry(Flaky(clock, failures=100, error=last), budget=3)
    assert isinstance(caught.value, click.ClickException) and caught.value.exit_code == 1
    assert caught.value.__cause__ is last


def test_each_retry_is_logged_with_the_service_attempt_and_wait(clock, caplog):
    with caplog.at_level(logging.WARNING, logger="jobs.common.retry"):
        _retry(Flaky(clock, failures=2), budget=60)
    assert [record.getMessage() for record in caplog.records] == [
        "HiveServer2 at 127.0.0.1:1 unreachable (attempt 1: refused); retrying in 1.0s",
        "HiveServer2 at 127.0.0.1:1 unreachable (attempt 2: refused); retrying in 2.0s",
    ]


def test_real_clock_waits_the_whole_budget_with_growing_gaps_between_attempts():
    attempts: list[float] = []

    def refused() -> None:
        attempts.append(time.monotonic())
        raise ConnectionRefusedError("refused")

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        with_retry(refused, service="s", transient=(OSError,), budget_seconds=0.7, first_delay=0.1)
    elapsed = time.monotonic() - started
    assert 0.7 <= elapsed < 1.5
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:], strict=False)]
    assert len(gaps) >= 3 and gaps[0] >= 0.1 and gaps[1] >= 0.2 and gaps[2] >= 0.3  # 0.1, 0.2, then the 0.4 left
    assert gaps[1] > gaps[0] * 1.5
