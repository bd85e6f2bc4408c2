"""Everything one benchmark run measured, as typed records (turned into JSON and Markdown by report.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.machine import MachineInfo
from bench.timing import PathTimings

# Warm paths: measured round by round in long-lived sessions (or this process, for the limit and REST).
PATHS = ("limit", "single_thread", "ours", "ours_spark_io", "spark_udf", "spark_udf_threads_1", "rest", "row_udf")
DIAGNOSTICS = {
    "ours_constant_model": "ours with a constant model (no compute): the pipeline's own cost (read, write, publish)",
    "limit_1_thread": "the limit with the model's native threads capped at 1 (threadpoolctl)",
}
# Cold paths: a fresh process per run, Python start to exit, as a nightly step meets it.
COLD_PATHS = {
    "ours": "`python -m jobs.score` (the step's CLI)",
    "ours_spark_io": "`python -m jobs.score --file-io spark`: the same through Spark's reader and writer",
    "spark_udf": "`python -m bench.cold_udf`: plain session, `spark_udf`, INSERT OVERWRITE",
    "spark_udf_threads_1": "`python -m bench.cold_udf --threads-cap 1`: the same with ours' thread cap",
}


@dataclass(frozen=True)
class ColdRun:
    """One fresh process scoring one partition.

    Attributes:
        path: a COLD_PATHS name.
        scale: 1, 4 or 16 (times the base rows).
        rows: rows scored.
        wall_seconds: wall time of the whole command (Python start to exit).
        peak_rss_bytes: peak RSS summed over the process tree (driver, JVM, Python workers).
        max_abs_diff: largest |score - limit's prediction| of the partition it wrote.
        jvm_archive: the run's driver mapped the JVM class-data archive (SPARK_CDS_ARCHIVE).
    """

    path: str
    scale: int
    rows: int
    wall_seconds: float
    peak_rss_bytes: int
    max_abs_diff: float
    jvm_archive: bool = True


@dataclass(frozen=True)
class ClusterPoint:
    """The score step on a standalone cluster of `workers` workers (1 core, 1g each), or on YARN with `workers`
    executors (1 core each).

    Attributes:
        workers: worker count (standalone) or executor count (YARN).
        timings: the measured rounds.
        startup_seconds: master + workers up and registered (standalone); the session's application submitted
            and running (YARN).
        error: why scoring on the cluster failed ("" when it worked); the run goes on and reports it.
    """

    workers: int
    timings: PathTimings
    startup_seconds: float
    error: str = ""


def one_line(error: Exception) -> str:
    """The start of an error's message on one line (Spark puts the reason on the second line), for a table cell."""
    return " ".join(str(error).split()).replace("|", "/")[:300]


@dataclass
class BenchResults:
    """The whole run.

    Attributes:
        command: the command line that produced it.
        machine: where it ran.
        settings: the BenchSettings as a dict.
        paths: path name -> measured timings of the warm rounds (names in PATHS).
        fixed_costs: name -> seconds (requirement check, session start, model download/load, UDF build).
        cold: every fresh-process run (COLD_PATHS x scales x repeats), in the order they ran.
        cold_without_archive: ours' 1x step once more without the JVM class-data archive (None when the series
            ran without one).
        cluster: 1- and 2-worker points.
        yarn: 1- and 2-executor points on YARN.
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
    cold: list[ColdRun] = field(default_factory=list)
    cold_without_archive: ColdRun | None = None
    cluster: list[ClusterPoint] = field(default_factory=list)
    yarn: list[ClusterPoint] = field(default_factory=list)
    setup_seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    ours_phases: dict[str, float] = field(default_factory=dict)
    diagnostics: dict[str, PathTimings] = field(default_factory=dict)

    @property
    def ceiling_rows_per_s(self) -> float | None:
        """The model's single-thread predict rate (median round) times the cores the run may use; None unmeasured."""
        if "single_thread" not in self.paths:
            return None
        return self.paths["single_thread"].median_rows_per_s * self.settings["cores"]

    def ratio_to_limit(self, path: str, median: bool = False) -> float:
        """rows/s of `path` divided by rows/s of the limit (best of each, or median of each)."""
        if median:
            return self.paths[path].median_rows_per_s / self.paths["limit"].median_rows_per_s
        return self.paths[path].best_rows_per_s / self.paths["limit"].best_rows_per_s

    def cold_runs(self, path: str) -> list[ColdRun]:
        """The fresh-process runs of `path` (with the archive setting of the series)."""
        return [run for run in self.cold if run.path == path]
