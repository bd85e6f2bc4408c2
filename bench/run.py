"""Runs the whole benchmark: stack, model, data, rounds of every path, memory series, cluster, report."""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import data, spark_paths
from bench.cluster import StandaloneCluster
from bench.host import OURS, PLAIN, HostError, HostProcess, HostSpec
from bench.limit import run_limit
from bench.machine import describe
from bench.memory import TreePeakSampler
from bench.model import RegisteredBenchModel, register
from bench.rest import RestServer, run_rest
from bench.results import DIAGNOSTICS, PATHS, BenchResults, ClusterPoint, MemoryPoint
from bench.settings import MAIN_DS, ROW_UDF_DS, BenchSettings
from bench.timing import PathTimings
from jobs.common.jvm_archive import ARCHIVE_ENV

log = logging.getLogger("bench")
REPO = Path(__file__).resolve().parents[1]


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


def _model_dict(model: RegisteredBenchModel) -> dict[str, str]:
    return {"name": model.name, "version": model.version, "run_id": model.run_id, "uri": model.pinned_uri}


class Benchmark:
    """One run over `services`, all temporary files under `work_dir`."""

    def __init__(self, settings: BenchSettings, services: Services, work_dir: Path, command: str):
        self.settings = settings
        self.services = services
        self.work_dir = work_dir
        self.results = BenchResults(command=command, machine=describe(), settings=asdict(settings))

    def _timed(self, name: str, action: Callable):
        started = time.monotonic()
        value = action()
        self.results.setup_seconds[name] = time.monotonic() - started
        log.info("%s: %.1fs", name, self.results.setup_seconds[name])
        return value

    def _spec(self, flavour: str, master: str, name: str, requirements: str = "",
              conf: dict[str, str] | None = None) -> HostSpec:
        return HostSpec(flavour=flavour, master=master, metastore_uri=self.services.metastore_uri,
                        warehouse_dir=str(self.services.warehouse_dir), tmp_dir=str(self.work_dir / name),
                        tracking_uri=self.services.tracking_uri, requirements=requirements, conf=conf or {})

    def run(self) -> BenchResults:
        started = time.monotonic()
        settings = self.settings
        model = self._timed("register_model", lambda: register(self.services.tracking_uri,
                                                               settings.model_iterations))
        constant = register(self.services.tracking_uri, noop=True) if settings.diagnose else None
        if settings.jvm_archive:
            # Steps in the image map a class-data archive (Dockerfile); the step's sessions here do the same.
            os.environ[ARCHIVE_ENV] = str(self._timed("jvm_archive", self._ensure_jvm_archive))
        requirements = (self.work_dir / "requirements.txt")
        requirements.write_text("\n".join(_requirements_of(model, self.services.tracking_uri)) + "\n")
        partitions = {MAIN_DS: settings.rows, ROW_UDF_DS: settings.row_udf_rows,
                      **{ds: rows for _, ds, rows in settings.memory_partitions}}
        folders = self._timed("write_parquet", lambda: {
            ds: str(data.write_partition(self.work_dir / "input" / ds, settings.seed, rows,
                                         spark_paths.files_for(rows))) for ds, rows in partitions.items()})
        with ExitStack() as stack:
            rest = RestServer(model.pinned_uri, self.services.tracking_uri, settings.cores,
                              self.work_dir / "logs" / "rest.log")
            stack.callback(rest.stop)
            plain = self._timed("start_plain_host", lambda: HostProcess(
                self._spec(PLAIN, settings.master, "plain"), self.work_dir / "logs" / "plain.log"))
            stack.callback(plain.stop)
            self._timed("load_hive", lambda: plain.call("load", folders=folders))
            ours = HostProcess(self._spec(OURS, settings.master, "ours", requirements.read_text()),
                               self.work_dir / "logs" / "ours.log")
            stack.callback(ours.stop)
            self.results.fixed_costs.update({f"{name} (once per run)": s for name, s in ours.setup.items()})
            self.results.fixed_costs.update({f"{name} (driver, once per run)": s for name, s in
                                             ours.call("model_load", model_uri=model.pinned_uri)["phases"].items()})
            self.results.setup_seconds["rest_ready"] = rest.wait_ready()
            self._rounds(model, constant, plain, ours, rest)
        self._memory_series(model, requirements.read_text())
        if settings.cluster:
            self._cluster(model, requirements.read_text())
        self.results.total_seconds = time.monotonic() - started
        return self.results

    def _rounds(self, model: RegisteredBenchModel, constant: RegisteredBenchModel | None, plain: HostProcess,
                ours: HostProcess, rest: RestServer) -> None:
        """Warm-up then measured rounds; each round runs every path (and diagnostic) once, in a rotated order."""
        import mlflow.pyfunc
        from threadpoolctl import threadpool_limits

        settings = self.settings
        frame = data.frame(settings.seed, settings.rows)
        features = frame[data.feature_names()]
        rest_features = features.iloc[:settings.rest_rows]
        limit_model = mlflow.pyfunc.load_model(model.pinned_uri)
        model_dict = _model_dict(model)
        timings = {
            "limit": PathTimings(settings.rows),
            "ours": PathTimings(settings.rows),
            "spark_udf": PathTimings(settings.rows),
            "rest": PathTimings(settings.rest_rows, note=(
                f"first {settings.rest_rows:,} rows of the same data per round, {settings.rest_batch_rows:,} rows "
                f"per request (`dataframe_split` JSON), {settings.cores} requests in flight; rows/s = rows "
                "posted / seconds, extrapolated to the full data")),
            "row_udf": PathTimings(settings.row_udf_rows, note=(
                f"own partition of {settings.row_udf_rows:,} rows (same stream); rows/s extrapolated from this "
                "sample; model loaded once per task")),
        }
        phases: dict[str, list[float]] = {}

        def run_ours() -> float:
            answer = ours.call("ours", model=model_dict, ds=MAIN_DS)
            _check_rows(answer, settings.rows, "ours")
            _check_file_io(answer, "direct", "ours")
            for name, seconds in answer["phases"].items():
                phases.setdefault(name, []).append(seconds)
            return answer["seconds"]

        def run_spark_udf() -> float:
            answer = plain.call("spark_udf", model=model_dict, ds=MAIN_DS)
            _check_rows(answer, settings.rows, "spark_udf")
            return answer["seconds"]

        def run_row_udf() -> float:
            answer = plain.call("row_udf", model=model_dict, ds=ROW_UDF_DS)
            _check_rows(answer, settings.row_udf_rows, "row_udf")
            return answer["seconds"]

        runners: dict[str, Callable[[], float]] = {
            "limit": lambda: run_limit(limit_model, features),
            "ours": run_ours,
            "spark_udf": run_spark_udf,
            "rest": lambda: run_rest(rest.url, rest_features, settings.rest_batch_rows, settings.cores),
            "row_udf": run_row_udf,
        }
        if constant is not None:
            def run_ours_variant(output_table: str, variant_model: dict, file_io: str) -> float:
                answer = ours.call("ours", model=variant_model, ds=MAIN_DS, output_table=output_table,
                                   file_io=file_io)
                _check_rows(answer, settings.rows, output_table)
                _check_file_io(answer, "spark" if file_io == "spark" else "direct", output_table)
                return answer["seconds"]

            def run_limit_1_thread() -> float:
                with threadpool_limits(1):
                    return run_limit(limit_model, features)

            runners["ours_constant_model"] = lambda: run_ours_variant("bench.scores_constant",
                                                                      _model_dict(constant), "auto")
            runners["ours_spark_io"] = lambda: run_ours_variant("bench.scores_ours_spark_io", model_dict, "spark")
            runners["limit_1_thread"] = run_limit_1_thread
            timings.update({name: PathTimings(settings.rows) for name in DIAGNOSTICS})
        names = list(runners)
        for round_index in range(settings.warmup + settings.repeats):
            measured = round_index >= settings.warmup
            if round_index == settings.warmup:
                phases.clear()  # phase timings of the measured rounds only
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                seconds = runners[name]()
                log.info("round %d %s %s: %.2fs (%.0f rows/s)", round_index, "measured" if measured else "warm-up",
                         name, seconds, timings[name].rows / seconds)
                if measured:
                    timings[name].seconds.append(seconds)
        timings["ours"].peak_rss_bytes = ours.peak_rss_bytes
        timings["spark_udf"].peak_rss_bytes = plain.peak_rss_bytes
        timings["ours"].note = ("score_partition per round (direct Parquet path): model download, checks, probe, "
                                "score, atomic publish")
        timings["spark_udf"].note = "per round: spark_udf built (model download), scored, INSERT OVERWRITE"
        self.results.paths = {name: timings[name] for name in PATHS}
        self.results.diagnostics = {name: timings[name] for name in DIAGNOSTICS if name in timings}
        self.results.ours_phases = {name: statistics.median(values) for name, values in phases.items()}

    def _ensure_jvm_archive(self) -> Path:
        """The archive SPARK_CDS_ARCHIVE names (e.g. `make`'s), else one built into the work dir."""
        given = os.environ.get(ARCHIVE_ENV, "")
        if given and Path(given).is_file():
            return Path(given)
        archive = self.work_dir / "jvm" / "spark-driver.jsa"
        subprocess.run([sys.executable, "-m", "jobs.common.jvm_archive", str(archive)], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return archive

    def _memory_series(self, model: RegisteredBenchModel, requirements: str) -> None:
        """Runs `python -m jobs.score` on the 1x, 4x and 16x partitions, sampling the process tree's RSS; then
        the 1x again without the JVM class-data archive, for its side-by-side effect on the fixed overhead."""
        archive = os.environ.get(ARCHIVE_ENV, "")
        for scale, ds, rows in self.settings.memory_partitions:
            self.results.memory.append(self._fresh_step(model, requirements, scale, ds, rows, archive))
        if archive:
            scale, ds, rows = self.settings.memory_partitions[0]
            self.results.memory_without_archive = self._fresh_step(model, requirements, scale, ds, rows, "")

    def _fresh_step(self, model: RegisteredBenchModel, requirements: str, scale: int, ds: str, rows: int,
                    archive: str) -> MemoryPoint:
        """One `python -m jobs.score` run (SPARK_CDS_ARCHIVE=`archive`) with its peak RSS and wall time."""
        work = self.work_dir / f"memory-{scale}x{'' if archive else '-no-archive'}"
        command = [
            sys.executable, "-m", "jobs.score", "--ds", ds, "--model-uri", model.pinned_uri,
            "--model-name", model.name, "--model-version", model.version, "--model-run-id", model.run_id,
            "--input-table", spark_paths.INPUT_TABLE, "--input-partition-column", spark_paths.PARTITION_COLUMN,
            "--id-column", data.ID_COLUMN, "--output-table", "bench.scores_memory",
            "--output-partition-column", spark_paths.PARTITION_COLUMN, "--spark-master", self.settings.master,
            "--metastore-uri", self.services.metastore_uri, "--tracking-uri", self.services.tracking_uri,
            "--spark-conf", f"spark.sql.warehouse.dir={self.services.warehouse_dir.as_uri()}",
            "--work-dir", str(work), "--out-dir", str(work / "outputs"),
        ]
        env = dict(os.environ, MODEL_REQUIREMENTS=requirements, MLFLOW_DISABLE_TELEMETRY="true",
                   TMPDIR=str(work), **{ARCHIVE_ENV: archive})
        work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with open(self.work_dir / "logs" / f"{work.name}.log", "wb") as log_file:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT)
            with TreePeakSampler([process.pid]) as sampler:
                code = process.wait()
        wall = time.monotonic() - started
        if code != 0:
            raise RuntimeError(f"python -m jobs.score failed on {scale}x; see {log_file.name}")
        written = int((work / "outputs" / "rows-written").read_text())
        if written != rows:
            raise RuntimeError(f"python -m jobs.score wrote {written} rows for {rows} on {scale}x")
        log.info("memory %dx%s: %d rows, peak %.0f MiB, %.1fs", scale, "" if archive else " (no JVM archive)",
                 rows, sampler.peak / 2**20, wall)
        return MemoryPoint(scale, rows, sampler.peak, wall)

    def _cluster(self, model: RegisteredBenchModel, requirements: str) -> None:
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
                try:
                    for round_index in range(settings.warmup + settings.repeats):
                        answer = host.call("ours", model=_model_dict(model), ds=settings.cluster_ds,
                                           output_table="bench.scores_cluster")
                        _check_rows(answer, settings.cluster_partition_rows, f"cluster-{workers}")
                        _check_file_io(answer, "direct", f"cluster-{workers}")
                        log.info("cluster %d workers round %d: %.2fs", workers, round_index, answer["seconds"])
                        if round_index >= settings.warmup:
                            timings.seconds.append(answer["seconds"])
                except HostError as error:
                    # Reported in the results (the local figures stand on their own); the run goes on.
                    log.error("scoring on the %d-worker cluster failed: %s", workers, error)
                    self.results.cluster.append(ClusterPoint(workers, timings, startup, _first_line(error)))
                    continue
                finally:
                    host.stop()
            self.results.cluster.append(ClusterPoint(workers, timings, startup))


def _first_line(error: Exception) -> str:
    """The start of the error's message on one line (Spark puts the reason on the second line), for a table cell."""
    return " ".join(str(error).split()).replace("|", "/")[:300]


def _check_rows(answer: dict, expected: int, path: str) -> None:
    if answer["rows"] != expected:
        raise RuntimeError(f"{path} wrote {answer['rows']} rows; expected {expected}")


def _check_file_io(answer: dict, expected: str, path: str) -> None:
    """The benchmark must measure the path it names: a silent fallback to Spark's reader would mislabel it."""
    if answer["file_io"] != expected:
        raise RuntimeError(f"{path} scored with file io {answer['file_io']!r}; expected {expected!r}")


def _requirements_of(model: RegisteredBenchModel, tracking_uri: str) -> list[str]:
    """The registered model's requirements.txt lines, fetched the way fetch-model does."""
    from jobs.common.registry import ModelRegistry

    return ModelRegistry(tracking_uri).requirements(model.pinned_uri).splitlines()
