"""Warm rounds: every path once per round in long-lived sessions, order rotated; each round's scores checked.

Warm means what a long-lived session gives each route: ours keeps the model loaded in its reused Python workers;
spark_udf's UDF object is built once per session and reused (in local mode MLflow still loads the model in every
task); the limit and REST keep their loaded model in their process.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.host import HostProcess
from bench.limit import run_limit, run_single_thread
from bench.rest import RestServer, run_rest
from bench.results import DIAGNOSTICS, PATHS, BenchResults
from bench.scores import ScoreCheck, compare_in_order, require_equal, worst
from bench.settings import MAIN_DS, ROW_UDF_DS, BenchSettings
from bench.timing import PathTimings
from demo.model import RegisteredModel

log = logging.getLogger("bench.warm")
# What the timed region of one round holds, per path (the Markdown table says it beside the figures).
INCLUDES = {
    "limit": "`predict` on the in-memory frame (no I/O)",
    "single_thread": "`predict` on the in-memory frame in batches of the step's default size, the model's native "
                     "threads capped at 1 (no I/O); times the cores, the ceiling",
    "ours": "`score_partition`: model download, checks, probe, score with the model cached in the Python workers, "
            "write Parquet, atomic publish (direct Parquet path)",
    "ours_spark_io": "the same through Spark's reader and writer (`--file-io spark`, mapInArrow), in a session of "
                     "its own started as the step starts one for `--file-io spark`",
    "spark_udf": "read, score with the session's spark_udf (built once, outside the rounds; MLflow loads the model in "
                 "every task in local mode), INSERT OVERWRITE, count; no thread cap (a user's default session)",
    "spark_udf_threads_1": "the same as spark_udf in a session with ours' thread cap "
                           "(`spark.executorEnv.OMP_NUM_THREADS=1` etc.)",
}
OUTPUT_TABLES = {
    "ours": "bench.scores_ours",
    "spark_udf": "bench.scores_spark_udf",
    "spark_udf_threads_1": "bench.scores_spark_udf_threads_1",
    "row_udf": "bench.scores_row_udf",
    "ours_spark_io": "bench.scores_ours_spark_io",
    "ours_constant_model": "bench.scores_constant",
}


@dataclass
class WarmHosts:
    """The long-lived processes the rounds run in.

    Attributes:
        plain: a user's own session (spark_udf, row UDF).
        plain_threads_1: the same with ours' thread cap (spark_udf again).
        ours: the score step's session (ours and its diagnostics); it also reads back every output for the checks.
        ours_spark_io: the score step's session for `--file-io spark`.
        rest: `mlflow models serve`.
    """

    plain: HostProcess
    plain_threads_1: HostProcess
    ours: HostProcess
    ours_spark_io: HostProcess
    rest: RestServer


def model_dict(model: RegisteredModel) -> dict[str, str]:
    return {"name": model.name, "version": model.version, "run_id": model.run_id, "uri": model.pinned_uri}


def check_rows(answer: dict, expected: int, path: str) -> None:
    if answer["rows"] != expected:
        raise RuntimeError(f"{path} wrote {answer['rows']} rows; expected {expected}")


def read_back_check(host: HostProcess, table: str, ds: str, rows: int, reference_path: Path, path: str) -> ScoreCheck:
    """Reads partition `ds` of `table` back in `host` and requires the first `rows` reference scores, by row id."""
    answer = host.query("check_scores", table=table, ds=ds, rows=rows, reference=str(reference_path))
    return require_equal(ScoreCheck(answer["rows"], answer["missing"], answer["unexpected"], answer["max_abs_diff"]),
                         path)


def check_file_io(answer: dict, expected: str, path: str) -> None:
    """The benchmark must measure the path it names: a silent fallback to Spark's reader would mislabel it."""
    if answer["file_io"] != expected:
        raise RuntimeError(f"{path} scored with file io {answer['file_io']!r}; expected {expected!r}")


class WarmRounds:
    """Warm-up then measured rounds of every path (and diagnostic) over `hosts`, written into `results`."""

    def __init__(self, settings: BenchSettings, hosts: WarmHosts, reference_path: Path, reference: np.ndarray,
                 results: BenchResults):
        self.settings = settings
        self.hosts = hosts
        self.reference_path = reference_path
        self.reference = reference
        self.results = results
        self.checks: dict[str, list[ScoreCheck]] = {}
        self.phases: dict[str, list[float]] = {}

    def check_table(self, table: str, ds: str, rows: int, path: str) -> ScoreCheck:
        """Reads partition `ds` of `table` back (in ours' host) and requires the limit's predictions, by row id."""
        return self._record(path, read_back_check(self.hosts.ours, table, ds, rows, self.reference_path, path))

    def clear_table(self, table: str, ds: str) -> None:
        """Drops partition `ds` of `table` (in ours' host) before a run writes it again."""
        self.hosts.ours.query("clear_partition", table=table, ds=ds)

    def _record(self, path: str, check: ScoreCheck) -> ScoreCheck:
        self.checks.setdefault(path, []).append(check)
        return check

    def _spark(self, host: HostProcess, path: str, op: str, model: dict, ds: str, rows: int, **extra) -> float:
        answer = host.call(op, model=model, ds=ds, output_table=OUTPUT_TABLES[path], **extra)
        check_rows(answer, rows, path)
        if op == "ours":
            check_file_io(answer, "spark" if extra.get("file_io") == "spark" else "direct", path)
        if path == "ours":
            for name, seconds in answer["phases"].items():
                self.phases.setdefault(name, []).append(seconds)
        if path != "ours_constant_model":  # another model: its 0.5s are not the limit's predictions
            self.check_table(OUTPUT_TABLES[path], ds, rows, path)
        return answer["seconds"]

    def _in_memory(self, path: str, run: Callable[[], tuple[float, np.ndarray]]) -> float:
        seconds, predictions = run()
        self._record(path, require_equal(compare_in_order(predictions, self.reference[:len(predictions)]), path))
        return seconds

    def runners(self, model: RegisteredModel, constant: RegisteredModel | None,
                limit_model, features: pd.DataFrame) -> dict[str, Callable[[], float]]:
        """path name -> one timed run of it (scores checked after the timer stops)."""
        from threadpoolctl import threadpool_limits

        from jobs.score.pipeline import BATCH_FEATURE_BYTES, BATCH_ROWS_BOUNDS

        settings, hosts, pinned = self.settings, self.hosts, model_dict(model)
        low, high = BATCH_ROWS_BOUNDS  # the step's default batch rows for these features (pipeline.batch_rows)
        step_batch = max(low, min(high, BATCH_FEATURE_BYTES // (8 * features.shape[1])))
        rest_features = features.iloc[:settings.rest_rows]
        rows = settings.rows

        def limit_1_thread() -> tuple[float, np.ndarray]:
            with threadpool_limits(1):
                return run_limit(limit_model, features)

        runners: dict[str, Callable[[], float]] = {
            "limit": lambda: self._in_memory("limit", lambda: run_limit(limit_model, features)),
            "single_thread": lambda: self._in_memory("single_thread", lambda: run_single_thread(
                limit_model, features, step_batch)),
            "ours": lambda: self._spark(hosts.ours, "ours", "ours", pinned, MAIN_DS, rows),
            "ours_spark_io": lambda: self._spark(hosts.ours_spark_io, "ours_spark_io", "ours", pinned, MAIN_DS, rows,
                                                 file_io="spark"),
            "spark_udf": lambda: self._spark(hosts.plain, "spark_udf", "spark_udf", pinned, MAIN_DS, rows),
            "spark_udf_threads_1": lambda: self._spark(hosts.plain_threads_1, "spark_udf_threads_1", "spark_udf",
                                                       pinned, MAIN_DS, rows),
            "rest": lambda: self._in_memory("rest", lambda: run_rest(
                hosts.rest.url, rest_features, settings.rest_batch_rows, settings.cores)),
            "row_udf": lambda: self._spark(hosts.plain, "row_udf", "row_udf", pinned, ROW_UDF_DS,
                                           settings.row_udf_rows),
        }
        if constant is not None:
            runners["ours_constant_model"] = lambda: self._spark(
                hosts.ours, "ours_constant_model", "ours", model_dict(constant), MAIN_DS, rows, file_io="auto")
            runners["limit_1_thread"] = lambda: self._in_memory("limit_1_thread", limit_1_thread)
        return runners

    def run(self, model: RegisteredModel, constant: RegisteredModel | None, limit_model,
            features: pd.DataFrame) -> None:
        settings = self.settings
        runners = self.runners(model, constant, limit_model, features)
        timings = {
            **{name: PathTimings(settings.rows, note=INCLUDES.get(name, "")) for name in runners},
            "rest": PathTimings(settings.rest_rows, note=(
                f"HTTP round trips of the first {settings.rest_rows:,} rows of the same data per round, "
                f"{settings.rest_batch_rows:,} rows per request (`dataframe_split` JSON, encoded in the timed "
                f"region), {settings.cores} requests in flight; rows/s extrapolated to the full data")),
            "row_udf": PathTimings(settings.row_udf_rows, note=(
                f"own partition of {settings.row_udf_rows:,} rows (same stream): read, a Python UDF calling "
                "`predict` on a one-row frame per row (model loaded once per worker), INSERT OVERWRITE, count; "
                "rows/s extrapolated from this sample")),
        }
        names = list(runners)
        for round_index in range(settings.warmup + settings.repeats):
            measured = round_index >= settings.warmup
            if round_index == settings.warmup:
                self.phases.clear()  # phase timings of the measured rounds only
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                seconds = runners[name]()
                log.info("round %d %s %s: %.2fs (%.0f rows/s)", round_index, "measured" if measured else "warm-up",
                         name, seconds, timings[name].rows / seconds)
                if measured:
                    timings[name].seconds.append(seconds)
        for name, checks in self.checks.items():
            timings[name].max_abs_diff = worst(checks)
        timings["ours"].peak_rss_bytes = self.hosts.ours.peak_rss_bytes
        timings["ours_spark_io"].peak_rss_bytes = self.hosts.ours_spark_io.peak_rss_bytes
        timings["spark_udf"].peak_rss_bytes = self.hosts.plain.peak_rss_bytes
        timings["spark_udf_threads_1"].peak_rss_bytes = self.hosts.plain_threads_1.peak_rss_bytes
        self.results.paths = {name: timings[name] for name in PATHS}
        self.results.diagnostics = {name: timings[name] for name in DIAGNOSTICS if name in timings}
        self.results.ours_phases = {name: statistics.median(values) for name, values in self.phases.items()}
