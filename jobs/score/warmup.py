"""Start the Python workers and load the model in them while the driver still checks the input and the tables.

Why: in a fresh step the first scoring job starts its Python workers itself, and each worker spends seconds
importing MLflow and the model's libraries and unpickling the model before scoring a row, while the executors'
cores wait for the driver's checks (metastore lookups, file footers, the probe). A small job of one task per
core, run from a background thread as soon as the model is shipped, does that start-up during the checks; Spark
keeps the workers (spark.python.worker.reuse, on by default) with the model in their cache
(worker.cached_model), and the scoring job's tasks reuse them. It pays where executors have cores of their own
(a cluster); in local mode on 2 cores the driver's checks already keep both busy, and it measured within the
noise (docs/BENCHMARKS.md).

Best effort: a warm-up that fails or is cancelled only logs; the scoring tasks then load the model themselves,
and report a real problem with the model the way they always did.
"""

from __future__ import annotations

import logging
import uuid

from pyspark import InheritableThread
from pyspark.sql import SparkSession

from jobs.score.bundle import ModelBundle
from jobs.score.worker import make_model_loader

log = logging.getLogger(__name__)


class WorkerWarmUp:
    """A background warm-up job; use as a context manager around the scoring run.

    On exit the job is cancelled if it still runs (an early failure or skip must not leave it holding the cores)
    and its thread is joined.
    """

    def __init__(self, spark: SparkSession, bundle: ModelBundle):
        self._context = spark.sparkContext
        self._bundle = bundle
        self._tag = f"score-warm-up-{uuid.uuid4().hex[:12]}"
        # InheritableThread: the caller's local properties (e.g. a scheduler pool) carry over to the warm-up job.
        self._thread = InheritableThread(target=self._run, name="warm-up-workers", daemon=True)

    def __enter__(self) -> WorkerWarmUp:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        if self._thread.is_alive():
            self._context.cancelJobsWithTag(self._tag)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        # Job tags are per thread: this one marks only the warm-up's job, so cancelling it touches no other job.
        self._context.addJobTag(self._tag)
        try:
            slots = max(1, self._context.defaultParallelism)
            loader = make_model_loader(self._bundle.key, self._bundle.archive_name)
            workers = self._context.parallelize(range(slots), slots).mapPartitions(loader).collect()
            log.info("warm-up: model loaded in %d Python worker(s)", len(set(workers)))
        except Exception as error:  # best effort, see the module docstring
            log.info("warm-up did not finish (%s); scoring tasks load the model themselves",
                     str(error).splitlines()[0][:300] if str(error) else type(error).__name__)
        finally:
            self._context.removeJobTag(self._tag)
