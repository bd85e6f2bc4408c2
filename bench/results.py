"""Everything one benchmark run measured, as typed records (turned into JSON and Markdown by report.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.machine import MachineInfo
from bench.timing import PathTimings

PATHS = ("limit", "ours", "spark_udf", "rest", "row_udf")
DIAGNOSTICS = {
    "ours_constant_model": "ours with a constant model (no compute): the pipeline's own cost (read, write, publish)",
    "ours_spark_io": "ours through Spark's reader and writer (`--file-io spark`, mapInPandas), not the direct path",
    "limit_1_thread": "the limit with the model's native threads capped at 1 (threadpoolctl)",
}


@dataclass(frozen=True)
class MemoryPoint:
    """One run of `python -m jobs.score` in the memory series.

    Attributes:
        scale: 1, 4 or 16 (times the base rows).
        rows: rows scored.
        peak_rss_bytes: peak RSS summed over the step's process tree (driver, JVM, Python workers).
        wall_seconds: wall time of the whole command (Python start to exit).
    """

    scale: int
    rows: int
    peak_rss_bytes: int
    wall_seconds: float


@dataclass(frozen=True)
class ClusterPoint:
    """The score step on a standalone cluster of `workers` workers (1 core, 1g each).

    Attributes:
        workers: worker count.
        timings: the measured rounds.
        startup_seconds: master + workers up and registered.
        error: why scoring on the cluster failed ("" when it worked); the run goes on and reports it.
    """

    workers: int
    timings: PathTimings
    startup_seconds: float
    error: str = ""


@dataclass
class BenchResults:
    """The whole run.

    Attributes:
        command: the command line that produced it.
        machine: where it ran.
        settings: the BenchSettings as a dict.
        paths: path name -> measured timings (names in PATHS).
        fixed_costs: name -> seconds (requirement check, session start, model download/load, checks, probe).
        memory: the 1x/4x/16x series (with the JVM class-data archive when settings say so).
        memory_without_archive: the 1x run again without the archive (None when the series ran without one).
        cluster: 1- and 2-worker points.
        setup_seconds: name -> seconds of the harness's own preparation (stack, model, data).
        total_seconds: wall time of the whole run.
        ours_phases: phase -> median seconds inside score_partition over the measured rounds.
        diagnostics: name -> timings of the diagnostic variants measured in the same rounds (see DIAGNOSTICS).
    """

    command: str
    machine: MachineInfo
    settings: dict
    paths: dict[str, PathTimings] = field(default_factory=dict)
    fixed_costs: dict[str, float] = field(default_factory=dict)
    memory: list[MemoryPoint] = field(default_factory=list)
    memory_without_archive: MemoryPoint | None = None
    cluster: list[ClusterPoint] = field(default_factory=list)
    setup_seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    ours_phases: dict[str, float] = field(default_factory=dict)
    diagnostics: dict[str, PathTimings] = field(default_factory=dict)

    def ratio_to_limit(self, path: str, median: bool = False) -> float:
        """rows/s of `path` divided by rows/s of the limit (best of each, or median of each)."""
        if median:
            return self.paths[path].median_rows_per_s / self.paths["limit"].median_rows_per_s
        return self.paths[path].best_rows_per_s / self.paths["limit"].best_rows_per_s
