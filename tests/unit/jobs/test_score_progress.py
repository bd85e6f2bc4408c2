"""Progress lines of a long score: throttled to one per interval, only when counts moved, ending at done/total."""

from __future__ import annotations

from jobs.score.progress import Progress, ProgressReport


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _report(counts: list[Progress], clock: FakeClock, lines: list[str]) -> ProgressReport:
    report = ProgressReport(lambda: counts[-1], interval=5.0, clock=clock, emit=lines.append)
    report._started = report._last_logged_at = clock.now  # as __enter__ does, without starting the thread
    return report


def test_lines_come_at_most_once_per_interval_and_only_when_counts_moved():
    clock, lines = FakeClock(), []
    counts = [Progress(0, 8, 0)]
    report = _report(counts, clock, lines)

    clock.now += 6
    report.tick()  # nothing done yet: no line
    counts.append(Progress(2, 8, 200))
    clock.now += 1
    report.tick()
    clock.now += 2
    counts.append(Progress(3, 8, 300))
    report.tick()  # 2 s after the last line: held back
    clock.now += 3
    report.tick()
    clock.now += 10
    report.tick()  # nothing moved: no line

    assert lines == ["scored 2/8 work units, 200 rows, 7.0s", "scored 3/8 work units, 300 rows, 12.0s"]


def test_the_end_reports_the_final_counts_once_and_a_short_score_logs_nothing():
    clock, lines = FakeClock(), []
    counts = [Progress(1, 4, 10)]
    report = _report(counts, clock, lines)
    clock.now += 5
    report.tick()
    counts.append(Progress(4, 4, 40))
    clock.now += 1
    report.tick(final=True)
    report.tick(final=True)
    assert lines == ["scored 1/4 work units, 10 rows, 5.0s", "scored 4/4 work units, 40 rows, 6.0s"]

    short_lines: list[str] = []
    short = _report([Progress(4, 4, 40)], FakeClock(), short_lines)
    short.tick(final=True)
    assert short_lines == []


def test_the_thread_logs_while_the_block_runs_and_stops_with_it():
    lines: list[str] = []
    done = [0]

    def read() -> Progress:
        done[0] = min(done[0] + 1, 3)
        return Progress(done[0], 3, done[0] * 10)

    import time

    with ProgressReport(read, interval=0.02, emit=lines.append):
        time.sleep(0.3)
    assert lines and lines[-1].startswith("scored 3/3 work units, 30 rows")
    count = len(lines)
    time.sleep(0.1)
    assert len(lines) == count
