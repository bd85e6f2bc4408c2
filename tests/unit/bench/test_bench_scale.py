"""A scale-out point's rounds: each clears its partition before scoring, only measured rounds count, and a round
that wrote the wrong rows or path stops the point (bench.scale, with a fake host that records its calls)."""

from __future__ import annotations

import pytest

from bench.scale import ScaleRounds, run_rounds
from bench.scores import ScoreCheck
from bench.timing import PathTimings
from demo.model import RegisteredModel

MODEL = RegisteredModel("bench-model", "1", "run-1", "")
ROUNDS = ScaleRounds("yarn-2", "bench.scores_yarn", "2024-01-01", 1000, "spark", warmup=1, repeats=2)


class FakeHost:
    """Answers `ours` with the given rows and file io and the next of `seconds`; records every op in order."""

    def __init__(self, seconds: list[float], rows: int = 1000, file_io: str = "spark"):
        self.seconds = list(seconds)
        self.rows = rows
        self.file_io = file_io
        self.ops: list[tuple[str, str, str]] = []

    def query(self, op: str, table: str, ds: str) -> dict:
        self.ops.append((op, table, ds))
        return {}

    def call(self, op: str, model: dict, ds: str, output_table: str) -> dict:
        self.ops.append((op, output_table, ds))
        return {"rows": self.rows, "file_io": self.file_io, "seconds": self.seconds.pop(0)}


def test_every_round_clears_its_partition_first_and_only_measured_rounds_are_timed():
    host, timings, checked = FakeHost([9.0, 2.0, 3.0]), PathTimings(1000), []

    def check(rounds: ScaleRounds) -> ScoreCheck:
        checked.append(rounds.label)
        return ScoreCheck(1000, 0, 0, 1e-12 * len(checked))

    run_rounds(host, MODEL, ROUNDS, timings, check)
    step = [("clear_partition", "bench.scores_yarn", "2024-01-01"), ("ours", "bench.scores_yarn", "2024-01-01")]
    assert host.ops == step * 3
    assert timings.seconds == [2.0, 3.0]  # the warm-up round's 9 s left out
    assert checked == ["yarn-2"] * 3 and timings.max_abs_diff == pytest.approx(3e-12)


@pytest.mark.parametrize(("host", "message"), [
    (FakeHost([1.0, 1.0, 1.0], rows=999), "yarn-2 wrote 999 rows; expected 1000"),
    (FakeHost([1.0, 1.0, 1.0], file_io="direct"), "yarn-2 scored with file io 'direct'; expected 'spark'"),
])
def test_a_round_with_the_wrong_rows_or_path_stops_the_point_unchecked(host, message):
    timings, checked = PathTimings(1000), []
    with pytest.raises(RuntimeError, match=message):
        run_rounds(host, MODEL, ROUNDS, timings, lambda rounds: checked.append(rounds))
    assert checked == [] and timings.seconds == []
