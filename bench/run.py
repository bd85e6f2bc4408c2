"""Runs the whole benchmark: stack, model, data, reference scores, warm rounds, cold runs, cluster, YARN."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import data, spark_paths
from bench.cluster import StandaloneCluster
from bench.cold import ColdSeries
from bench.host import OURS, PLAIN, HostError, HostProcess, HostSpec, start_hosts
from bench.limit import reference_scores
from bench.machine import describe
from bench.model import register
from bench.rest import RestServer
from bench.results import BenchResults, ClusterPoint, one_line
from bench.scale import ScaleRounds, run_rounds
from bench.scores import write_reference
from bench.settings import MAIN_DS, ROW_UDF_DS, BenchSettings
from bench.timing import PathTimings
from bench.warm import WarmHosts, WarmRounds
from bench.yarn import YarnRun, run_series
from demo.model import RegisteredModel
from jobs.common.jvm_archive import ARCHIVE_ENV

log = logging.getLogger("bench")
REPO = Path(__file__).resolve().parents[1]
CLUSTER_TABLE = "bench.scores_cluster"


@dataclass(frozen=True)
class Services:
    """Where the stack the benchmark uses listens.

    Attributes:
        metastore_uri: `thrift://host:port`.
        tracking_uri: MLflow server URL.
        warehouse_dir: the warehouse folder the metastore uses.
    """

    metastore_uri: str
    tracking_uri: str
    warehouse_dir: Path


def start_stack(run_dir: Path) -> tuple[Services, Callable[[], None]]:
    """Starts a private local stack on free ports under `run_dir`; returns it and its stop function."""
    from generator.localstack import LocalStack, StackPorts
    from generator.localstack.processes import free_port

    stack = LocalStack(run_dir, StackPorts(free_port(), free_port(), free_port()), echo=log.info)
    endpoints = stack.up()
    return Services(endpoints.metastore_uri, endpoints.mlflow_uri, endpoints.warehouse_dir), stack.down


class Benchmark:
    """One run over `services`, all temporary files under `work_dir`; `load_before` as read before the stack
    started (bench.machine.describe)."""

    def __init__(self, settings: BenchSettings, services: Services, work_dir: Path, command: str,
                 load_before: float | None = None):
        self.settings = settings
        self.services = services
        self.work_dir = work_dir
        self.results = BenchResults(command=command, machine=describe(load_before), settings=asdict(settings))

    def _timed(self, name: str, action: Callable):
        started = time.monotonic()
        value = action()
        self.results.setup_seconds[name] = time.monotonic() - started
        log.info("%s: %.1fs", name, self.results.setup_seconds[name])
        return value

    def _spec(self, flavour: str, master: str, name: str, requirements: str = "",
              conf: dict[str, str] | None = None, file_io: str = "auto") -> HostSpec:
        return HostSpec(flavour=flavour, master=master, metastore_uri=self.services.metastore_uri,
                        warehouse_dir=str(self.services.warehouse_dir), tmp_dir=str(self.work_dir / name),
                        tracking_uri=self.services.tracking_uri, requirements=requirements, conf=conf or {},
                        file_io=file_io)

    def run(self) -> BenchResults:
        started = time.monotonic()
        settings = self.settings
        model = self._timed("register_model", lambda: register(self.services.tracking_uri,
                                                               settings.model_iterations))
        constant = register(self.services.tracking_uri, noop=True) if settings.diagnose else None
        if settings.jvm_archive:
            # Steps in the image map a class-data archive (Dockerfile); the step's sessions here do the same.
            os.environ[ARCHIVE_ENV] = str(self._timed("jvm_archive", self._ensure_jvm_archive))
        requirements = "\n".join(_requirements_of(model, self.services.tracking_uri)) + "\n"
        partitions = {MAIN_DS: settings.rows, ROW_UDF_DS: settings.row_udf_rows,
                      **{ds: rows for _, ds, rows in settings.memory_partitions}}
        folders = self._timed("write_parquet", lambda: {
            ds: str(data.write_partition(self.work_dir / "input" / ds, settings.seed, rows,
                                         spark_paths.files_for(rows))) for ds, rows in partitions.items()})
        import mlflow.pyfunc

        limit_model = mlflow.pyfunc.load_model(model.pinned_uri)
        reference = self._timed("reference_scores", lambda: reference_scores(
            limit_model, data.blocks(settings.seed, max(partitions.values())), data.feature_names()))
        reference_path = write_reference(self.work_dir / "reference.parquet", reference)
        with ExitStack() as stack:
            hosts = self._start_hosts(stack, model, requirements, folders)
            frame = data.frame(settings.seed, settings.rows)
            rounds = WarmRounds(settings, hosts, reference_path, reference, self.results)
            rounds.run(model, constant, limit_model, frame[data.feature_names()])
            del frame
            for host in (hosts.plain, hosts.plain_threads_1, hosts.ours_spark_io, hosts.rest):
                host.stop()  # the cold runs and the cluster get the machine; ours' host stays for the checks
            self._cold_series(model, requirements, rounds.check_table, rounds.clear_table)
            if settings.cluster:
                self._cluster(model, requirements, rounds.check_table)
        if settings.yarn:  # after the local sessions stopped: the hadoop profile's five services get the machine
            self.results.yarn = run_series(
                YarnRun(settings.cluster_ds, settings.cluster_partition_rows, Path(folders[settings.cluster_ds]),
                        reference_path, settings.warmup, settings.repeats, settings.model_iterations),
                self.work_dir, self.results.setup_seconds)
        self.results.total_seconds = time.monotonic() - started
        return self.results

    def _start_hosts(self, stack: ExitStack, model: RegisteredModel, requirements: str,
                     folders: dict[str, str]) -> WarmHosts:
        """REST server and the four sessions, started side by side; fixed costs recorded; stopped when `stack`
        closes."""
        settings, logs = self.settings, self.work_dir / "logs"
        rest = RestServer(model.pinned_uri, self.services.tracking_uri, settings.cores, logs / "rest.log")
        stack.callback(rest.stop)
        specs = {
            "plain": (self._spec(PLAIN, settings.master, "plain"), logs / "plain.log"),
            "plain_threads_1": (self._spec(PLAIN, settings.master, "plain-threads-1",
                                           conf=spark_paths.thread_cap_conf(1)), logs / "plain-threads-1.log"),
            "ours": (self._spec(OURS, settings.master, "ours", requirements), logs / "ours.log"),
            "ours_spark_io": (self._spec(OURS, settings.master, "ours-spark-io", requirements, file_io="spark"),
                              logs / "ours-spark-io.log"),
        }
        hosts = self._timed("start_hosts", lambda: start_hosts(stack, specs))
        plain, capped, ours = hosts["plain"], hosts["plain_threads_1"], hosts["ours"]
        self._timed("load_hive", lambda: plain.call("load", folders=folders))
        costs = self.results.fixed_costs
        costs.update({f"ours: {name} (once per session)": s for name, s in ours.setup.items()})
        costs.update({f"ours: {name} (driver, once per session)": s for name, s in
                      ours.call("model_load", model_uri=model.pinned_uri)["phases"].items()})
        costs["spark_udf: session_start (once per session)"] = plain.setup["session_start"]
        costs["spark_udf: build spark_udf (download, ship; once per session)"] = plain.call(
            "build_spark_udf", model_uri=model.pinned_uri)["seconds"]
        costs["spark_udf_threads_1: build spark_udf (once per session)"] = capped.call(
            "build_spark_udf", model_uri=model.pinned_uri)["seconds"]
        self.results.setup_seconds["rest_ready"] = rest.wait_ready()
        return WarmHosts(plain, capped, ours, hosts["ours_spark_io"], rest)

    def _ensure_jvm_archive(self) -> Path:
        """The archive SPARK_CDS_ARCHIVE names (e.g. `make`'s), else one built into the work dir."""
        given = os.environ.get(ARCHIVE_ENV, "")
        if given and Path(given).is_file():
            return Path(given)
        archive = self.work_dir / "jvm" / "spark-driver.jsa"
        subprocess.run([sys.executable, "-m", "jobs.common.jvm_archive", str(archive)], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return archive

    def _cold_series(self, model: RegisteredModel, requirements: str, check, clear) -> None:
        """Fresh processes of every cold path at 1x, 4x, 16x, `cold_runs` times each (scores checked); then
        ours' 1x once more without the JVM class-data archive, for its side-by-side effect on the fixed overhead."""
        settings = self.settings
        archive = os.environ.get(ARCHIVE_ENV, "")
        series = ColdSeries(settings.master, self.services.metastore_uri, self.services.tracking_uri,
                            self.services.warehouse_dir, self.work_dir, model, requirements,
                            lambda table, ds, rows: check(table, ds, rows, f"cold {table}"), clear)
        self.results.cold = series.run(settings.memory_partitions, settings.cold_runs, archive)
        if archive:
            scale, ds, rows = settings.memory_partitions[0]
            self.results.cold_without_archive = series.run_once("ours", scale, ds, rows, "", "ours-1x-no-archive")

    def _cluster(self, model: RegisteredModel, requirements: str, check) -> None:
        """The score step on a standalone cluster of 1, then 2 workers (1 core, 1g each)."""
        settings = self.settings
        for workers in (1, 2):
            cluster = StandaloneCluster(self.work_dir / f"cluster-{workers}", workers=workers)
            started = time.monotonic()
            with cluster:
                startup = time.monotonic() - started
                conf = cluster.executor_conf()
                env = dict(os.environ, PYSPARK_PYTHON=cluster.python)
                host = HostProcess(self._spec(OURS, cluster.master_url, f"cluster-{workers}-host", requirements,
                                              conf), self.work_dir / "logs" / f"cluster-{workers}.log", env)
                timings = PathTimings(settings.cluster_partition_rows)
                rounds = ScaleRounds(f"cluster-{workers}", CLUSTER_TABLE, settings.cluster_ds,
                                     settings.cluster_partition_rows, "direct", settings.warmup, settings.repeats)
                try:
                    run_rounds(host, model, rounds, timings, lambda r: check(r.table, r.ds, r.rows, r.label))
                except HostError as error:
                    # Reported in the results (the local figures stand on their own); the run goes on.
                    log.error("scoring on the %d-worker cluster failed: %s", workers, error)
                    self.results.cluster.append(ClusterPoint(workers, timings, startup, one_line(error)))
                    continue
                finally:
                    host.stop()
            self.results.cluster.append(ClusterPoint(workers, timings, startup))


def _requirements_of(model: RegisteredModel, tracking_uri: str) -> list[str]:
    """The registered model's requirements.txt lines, fetched the way fetch-model does."""
    from jobs.common.registry import ModelRegistry

    return ModelRegistry(tracking_uri).requirements(model.pinned_uri).splitlines()
