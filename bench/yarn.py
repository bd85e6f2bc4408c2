"""The score step on YARN: the hadoop profile's stack (MiniDFS, MiniYARN, Hive metastore 4), 1 then 2 executors.

What a cluster user gets: input and output on HDFS, the catalog in Hive 4's metastore, executors in YARN containers
running the packed environment the stack ships (docs/HADOOP.md). Without libhdfs the step reads and writes through
Spark (`file_io` auto picks it), so this measures the Spark-I/O path scaled out, not the direct one.
One NodeManager offers the containers: on a single machine, executors are the unit that scales, as workers are
for the standalone cluster (bench/cluster.py).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.host import OURS, HostError, HostProcess, HostSpec
from bench.results import ClusterPoint, one_line
from bench.scale import ScaleRounds, run_rounds
from bench.timing import PathTimings
from bench.warm import read_back_check
from demo.model import RegisteredModel

log = logging.getLogger("bench.yarn")
INPUT_FOLDER = "/bench/input"
OUTPUT_TABLE = "bench.scores_yarn"
EXECUTOR_COUNTS = (1, 2)


@dataclass(frozen=True)
class YarnRun:
    """What the YARN series needs from the main run.

    Attributes:
        ds, rows: the partition scored (the same one the standalone cluster scores).
        local_folder: its Parquet files on local disk (copied onto HDFS first).
        reference_path: the limit's scores, by row id, for the score check.
        warmup, repeats: unmeasured and measured rounds per executor count.
        model_iterations: boosting iterations of the model registered in this stack's MLflow.
    """

    ds: str
    rows: int
    local_folder: Path
    reference_path: Path
    warmup: int
    repeats: int
    model_iterations: int


def run_series(run: YarnRun, work_dir: Path, setup_seconds: dict[str, float]) -> list[ClusterPoint]:
    """Starts the hadoop profile's stack under `work_dir`, scores `run.ds` with 1 then 2 executors, stops it.

    A stack that does not start gives one failed point per executor count (the other figures stand on their own).
    """
    from generator.localstack.errors import StackError
    from generator.localstack.hadoop.ports import HadoopPorts
    from generator.localstack.hadoop.stack import HadoopStack
    from generator.localstack.processes import free_port

    stack = HadoopStack(work_dir / "hadoop-stack", HadoopPorts(*(free_port() for _ in range(6))), echo=log.info)
    started = time.monotonic()
    try:
        endpoints = stack.up()
        setup_seconds["hadoop_stack_up"] = time.monotonic() - started
        model, requirements = _register(endpoints.mlflow_uri, run.model_iterations)
        started = time.monotonic()
        input_uri = _copy_to_hdfs(run, endpoints)
        setup_seconds["hadoop_copy_input"] = time.monotonic() - started
        env = dict(os.environ, **endpoints.step_env())
        points = []
        for index, executors in enumerate(EXECUTOR_COUNTS):
            spec = HostSpec(flavour=OURS, master="yarn", metastore_uri=endpoints.metastore_uri,
                            warehouse_dir=f"{endpoints.hdfs_uri}/warehouse/managed",
                            tmp_dir=str(work_dir / f"yarn-{executors}"), tracking_uri=endpoints.mlflow_uri,
                            requirements=requirements,
                            conf={"spark.executor.instances": str(executors), "spark.executor.cores": "1"})
            points.append(_point(run, spec, env, work_dir / "logs" / f"yarn-{executors}.log", executors, model,
                                 {run.ds: input_uri} if index == 0 else None))
        return points
    except (StackError, OSError) as error:  # reported in the results; the run goes on
        log.error("the hadoop profile's stack failed: %s", error)
        return [ClusterPoint(executors, PathTimings(run.rows), time.monotonic() - started, one_line(error))
                for executors in EXECUTOR_COUNTS]
    finally:
        stack.down()


def _register(tracking_uri: str, iterations: int) -> tuple[RegisteredModel, str]:
    """The benchmark's model in this stack's MLflow (same training data and seed: the same predictions)."""
    from bench.model import register
    from jobs.common.registry import ModelRegistry

    model = register(tracking_uri, iterations)
    return model, ModelRegistry(tracking_uri).requirements(model.pinned_uri)


def _copy_to_hdfs(run: YarnRun, endpoints) -> str:
    """The partition's Parquet files onto HDFS (WebHDFS, no JVM on our side); returns the folder's URI."""
    from generator.localstack.endpoints import LOOPBACK
    from generator.localstack.hadoop.webhdfs import upload

    folder = f"{INPUT_FOLDER}/{run.ds}"
    for path in sorted(run.local_folder.glob("*.parquet")):
        upload(f"{LOOPBACK}:{endpoints.ports.namenode_http}", path, f"{folder}/{path.name}")
    return f"{endpoints.hdfs_uri}{folder}"


def _point(run: YarnRun, spec: HostSpec, env: dict[str, str], log_path: Path, executors: int,
           model: RegisteredModel, load: dict[str, str] | None) -> ClusterPoint:
    """One host session on YARN with `executors` executors: warm-up and measured rounds, every output checked."""
    started = time.monotonic()
    timings = PathTimings(run.rows)
    rounds = ScaleRounds(f"yarn-{executors}", OUTPUT_TABLE, run.ds, run.rows, "spark", run.warmup, run.repeats)
    host = None
    try:
        host = HostProcess(spec, log_path, env)
        startup = time.monotonic() - started  # application submitted, its master and executors running
        if load is not None:
            host.call("load", folders=load)
        run_rounds(host, model, rounds, timings,
                   lambda r: read_back_check(host, r.table, r.ds, r.rows, run.reference_path, r.label))
    except HostError as error:
        log.error("scoring on YARN with %d executors failed: %s", executors, error)
        return ClusterPoint(executors, timings, time.monotonic() - started, one_line(error))
    finally:
        if host is not None:
            host.stop()
    return ClusterPoint(executors, timings, startup)
