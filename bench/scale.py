"""One scale-out point's rounds (standalone cluster or YARN): each clears its partition, scores it, checks it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bench.host import HostProcess
from bench.scores import ScoreCheck, worst
from bench.timing import PathTimings
from bench.warm import check_file_io, check_rows, model_dict
from demo.model import RegisteredModel

log = logging.getLogger("bench.scale")


@dataclass(frozen=True)
class ScaleRounds:
    """What a scale-out point scores, and how often.

    Attributes:
        label: the point's name in logs and errors (`cluster-2`, `yarn-1`).
        table, ds, rows: the output partition each round writes, and the rows it must hold.
        file_io: the path the step must report (`direct` or `spark`): a silent fallback would mislabel the point.
        warmup, repeats: unmeasured, then measured rounds.
    """

    label: str
    table: str
    ds: str
    rows: int
    file_io: str
    warmup: int
    repeats: int


def run_rounds(host: HostProcess, model: RegisteredModel, rounds: ScaleRounds, timings: PathTimings,
               check: Callable[[ScaleRounds], ScoreCheck]) -> None:
    """Runs the rounds in `host`, the measured ones' seconds into `timings` (kept when a round fails part way).

    Every round starts from a dropped partition, so a round that wrote nothing cannot pass on the previous one's
    rows; `check` reads the rounds' partition back and compares it with the reference scores.
    """
    checks: list[ScoreCheck] = []
    for round_index in range(rounds.warmup + rounds.repeats):
        host.query("clear_partition", table=rounds.table, ds=rounds.ds)
        answer = host.call("ours", model=model_dict(model), ds=rounds.ds, output_table=rounds.table)
        check_rows(answer, rounds.rows, rounds.label)
        check_file_io(answer, rounds.file_io, rounds.label)
        checks.append(check(rounds))
        log.info("%s round %d: %.2fs", rounds.label, round_index, answer["seconds"])
        if round_index >= rounds.warmup:
            timings.seconds.append(answer["seconds"])
    timings.max_abs_diff = worst(checks)
