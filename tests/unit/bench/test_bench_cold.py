"""Cold runs: each clears its output partition first, so a run that wrote nothing fails the score check."""

import sys
from pathlib import Path

import pytest

from bench.cold import OUTPUT_TABLES, ColdSeries
from bench.scores import ScoreCheck, ScoreMismatch
from demo.model import RegisteredModel


class SilentSeries(ColdSeries):
    """A series whose every run is a process that exits 0 and writes nothing."""

    def command(self, path: str, ds: str, work: Path) -> list[str]:
        return [sys.executable, "-c", "pass"]


def test_a_run_that_writes_nothing_fails_after_its_partition_was_cleared(tmp_path):
    events: list[tuple] = []
    cleared: set[tuple[str, str]] = set()

    def clear(table: str, ds: str) -> None:
        events.append(("clear", table, ds))
        cleared.add((table, ds))

    def check(table: str, ds: str, rows: int) -> ScoreCheck:
        events.append(("check", table, ds))
        # What the table holds: nothing once cleared (this run wrote nothing), else an earlier run's good scores.
        return ScoreCheck(0, rows, 0, 0.0) if (table, ds) in cleared else ScoreCheck(rows, 0, 0, 0.0)

    (tmp_path / "logs").mkdir()
    series = SilentSeries("local[1]", "thrift://x:1", "http://x:2", tmp_path / "wh", tmp_path,
                          RegisteredModel("m", "1", "r", ""), "", check, clear)
    with pytest.raises(ScoreMismatch, match="100 ids missing"):
        series.run_once("ours", 1, "2024-02-01", 100, "", "ours-1x-0")
    table = OUTPUT_TABLES["ours"]
    assert events == [("clear", table, "2024-02-01"), ("check", table, "2024-02-01")]
