"""Cold runs: every path as a fresh process per run (Python start to exit), as a nightly step meets it.

ours is `python -m jobs.score` (on the direct path, and with `--file-io spark`); spark_udf is
`python -m bench.cold_udf` (as a user would run it, and with ours' thread cap). Each repeat runs every scale, each
scale every path in a rotated order, so the machine's noise hits them alike; the scores every run wrote are checked
against the limit's predictions before the next run (each run's output partition is dropped before it starts).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import data, spark_paths
from bench.memory import TreePeakSampler
from bench.results import COLD_PATHS, ColdRun
from bench.scores import ScoreCheck, require_equal
from demo.model import RegisteredModel
from jobs.common.jvm_archive import ARCHIVE_ENV

log = logging.getLogger("bench.cold")
REPO = Path(__file__).resolve().parents[1]
OUTPUT_TABLES = {
    "ours": "bench.scores_cold_ours",
    "ours_spark_io": "bench.scores_cold_ours_spark_io",
    "spark_udf": "bench.scores_cold_spark_udf",
    "spark_udf_threads_1": "bench.scores_cold_spark_udf_threads_1",
}
# Checks the partition a run wrote: (table, ds, rows) -> comparison with the limit's predictions.
ScoreChecker = Callable[[str, str, int], ScoreCheck]
# Drops partition ds of a table before a run writes it: (table, ds).
PartitionClearer = Callable[[str, str], None]


@dataclass(frozen=True)
class ColdSeries:
    """Fresh-process runs against one stack.

    Attributes:
        master: Spark master of every run.
        metastore_uri, tracking_uri, warehouse_dir: the stack.
        work_dir: per-run folders and logs go under it.
        model: the registered model every run scores with.
        requirements: the model's requirements.txt (the score step checks them, as in a workflow).
        check: reads back and compares what a run wrote.
        clear: drops the run's output partition before it starts (every run writes the same partition again: a
            run that wrote nothing must fail the check, not pass on an earlier run's scores).
    """

    master: str
    metastore_uri: str
    tracking_uri: str
    warehouse_dir: Path
    work_dir: Path
    model: RegisteredModel
    requirements: str
    check: ScoreChecker
    clear: PartitionClearer

    def command(self, path: str, ds: str, work: Path) -> list[str]:
        """The command line of one run of `path` on partition `ds`."""
        table = OUTPUT_TABLES[path]
        if path in ("ours", "ours_spark_io"):
            file_io = ["--file-io", "spark"] if path == "ours_spark_io" else []
            return [
                sys.executable, "-m", "jobs.score", "--ds", ds, "--model-uri", self.model.pinned_uri,
                "--model-name", self.model.name, "--model-version", self.model.version,
                "--model-run-id", self.model.run_id, "--input-table", spark_paths.INPUT_TABLE,
                "--input-partition-column", spark_paths.PARTITION_COLUMN, "--id-column", data.ID_COLUMN,
                "--output-table", table, "--output-partition-column", spark_paths.PARTITION_COLUMN,
                "--spark-master", self.master, "--metastore-uri", self.metastore_uri,
                "--tracking-uri", self.tracking_uri,
                "--spark-conf", f"spark.sql.warehouse.dir={self.warehouse_dir.as_uri()}",
                "--work-dir", str(work), "--out-dir", str(work / "outputs"), *file_io,
            ]
        cap = ["--threads-cap", "1"] if path == "spark_udf_threads_1" else []
        return [
            sys.executable, "-m", "bench.cold_udf", "--ds", ds, "--model-uri", self.model.pinned_uri,
            "--output-table", table, "--master", self.master, "--metastore-uri", self.metastore_uri,
            "--warehouse-dir", str(self.warehouse_dir), "--work-dir", str(work), *cap,
        ]

    def run_once(self, path: str, scale: int, ds: str, rows: int, archive: str, label: str) -> ColdRun:
        """One fresh process of `path` on `ds` (SPARK_CDS_ARCHIVE=`archive`): wall, peak RSS, scores checked.

        Raises:
            RuntimeError: the process failed.
            ScoreMismatch: it wrote other scores than the limit's predictions (or other rows).
        """
        work = self.work_dir / "cold" / label
        work.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, MODEL_REQUIREMENTS=self.requirements, MLFLOW_DISABLE_TELEMETRY="true",
                   MLFLOW_TRACKING_URI=self.tracking_uri, TMPDIR=str(work), PYSPARK_PYTHON=sys.executable,
                   **{ARCHIVE_ENV: archive})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        log_path = self.work_dir / "logs" / f"cold-{label}.log"
        self.clear(OUTPUT_TABLES[path], ds)
        started = time.monotonic()
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(self.command(path, ds, work), cwd=REPO, env=env, stdout=log_file,
                                       stderr=subprocess.STDOUT)
            with TreePeakSampler([process.pid]) as sampler:
                code = process.wait()
        wall = time.monotonic() - started
        if code != 0:
            raise RuntimeError(f"cold {path} failed on {scale}x (exit {code}); see {log_path}")
        check = require_equal(self.check(OUTPUT_TABLES[path], ds, rows), f"cold {label}")
        log.info("cold %s: %d rows, %.1fs, peak %.0f MiB, max abs diff %.2g", label, rows, wall,
                 sampler.peak / 2**20, check.max_abs_diff)
        return ColdRun(path, scale, rows, wall, sampler.peak, check.max_abs_diff, bool(archive))

    def run(self, partitions: list[tuple[int, str, int]], repeats: int, archive: str) -> list[ColdRun]:
        """`repeats` x every partition (scale, ds, rows) x every path, the path order rotated run by run."""
        names = list(COLD_PATHS)
        runs: list[ColdRun] = []
        turn = 0
        for repeat in range(repeats):
            for scale, ds, rows in partitions:
                order = names[turn % len(names):] + names[:turn % len(names)]
                turn += 1
                for path in order:
                    runs.append(self.run_once(path, scale, ds, rows, archive, f"{path}-{scale}x-{repeat}"))
        return runs
