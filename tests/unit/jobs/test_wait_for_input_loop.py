"""The sensor's polling loop with a fake HiveServer2 client and a fake clock (the real one: tests/integration)."""

from __future__ import annotations

import pytest

from jobs.common.errors import ServerSqlFailure, ServiceUnavailable, SqlError
from jobs.wait_for_input import InputNotReady, wait


class FakeClient:
    """Answers SHOW PARTITIONS from a script of states: None (missing), 'down' (outage), 'no table', 'server
    failed' (a failure its SQLSTATE blames on the server) or a row count."""

    def __init__(self, states):
        self.states = list(states)
        self.current = None

    def query(self, statement: str):
        if statement.startswith("SHOW PARTITIONS"):
            self.current = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            if self.current == "down":
                raise ServiceUnavailable("HiveServer2 at h:1 did not answer")
            if self.current == "no table":
                raise SqlError(statement, "[TABLE_OR_VIEW_NOT_FOUND] The table or view `db`.`t` cannot be found.")
            if self.current == "server failed":
                raise ServerSqlFailure(statement, "[TASK_WRITE_FAILED] ...", " (SQLSTATE 58030, system error)")
            return [] if self.current is None else [("dt=2024-01-02",)]
        return [(self.current,)]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_waits_through_missing_table_outage_and_too_few_rows():
    clock = FakeClock()
    client = FakeClient(["no table", None, "down", "server failed", 3, 10])
    rows = wait(client, "db.t", "dt", "2024-01-02", timeout=600, poll=60, min_rows=5, clock=clock,
                sleep=clock.sleep)
    assert rows == 10 and clock.now == 300


def test_times_out_naming_table_and_partition():
    clock = FakeClock()
    with pytest.raises(InputNotReady, match=r"input partition db\.t dt=2024-01-02 did not appear within 300s "
                                            r"\(polled every 120s\)"):
        wait(FakeClient([None]), "db.t", "dt", "2024-01-02", timeout=300, poll=120, min_rows=0, clock=clock,
             sleep=clock.sleep)
    assert clock.now == 300


def test_too_few_rows_at_timeout_says_so():
    clock = FakeClock()
    with pytest.raises(InputNotReady, match="holds 2 rows, fewer than min_rows 5"):
        wait(FakeClient([2]), "db.t", "dt", "2024-01-02", timeout=10, poll=5, min_rows=5, clock=clock,
             sleep=clock.sleep)
