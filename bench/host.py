"""A bench host: one long-lived process holding one SparkSession, running paths on request (JSON lines).

The orchestrator keeps one host per session (a plain session for MLflow's spark_udf and the row UDF, a plain
session with the step's thread cap for spark_udf once more, the score step's own session for ours) and
alternates their runs round by round, so the machine's noise hits every path alike. Protocol: the host answers
each stdin line `{"op": ...}` with one stdout line `{"ok": true, ...}` or `{"ok": false, "error": ...}`;
everything else the process prints goes to stderr.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.memory import TreePeakSampler

REPO = Path(__file__).resolve().parents[1]
PLAIN = "plain"
OURS = "ours"


@dataclass
class HostSpec:
    """How a host starts its session.

    Attributes:
        flavour: `plain` (a user's own job: Hive support, defaults) or `ours` (jobs.common.spark.build_spark
            after the score step's requirement check).
        master: Spark master, `local[2]`, `spark://...` or `yarn`.
        metastore_uri, warehouse_dir, tmp_dir: the stack's catalog, its warehouse (a path or a URI), our temp
            folder.
        tracking_uri: MLflow server.
        requirements: the model's requirements.txt text (ours checks it as the step does).
        conf: extra Spark settings.
        model_threads: native threads per Python worker (ours; the step's --model-threads).
        file_io: the step's --file-io the session is started for (ours; see jobs.common.spark.build_spark).
    """

    flavour: str
    master: str
    metastore_uri: str
    warehouse_dir: str
    tmp_dir: str
    tracking_uri: str
    requirements: str = ""
    conf: dict[str, str] = field(default_factory=dict)
    model_threads: int = 1
    file_io: str = "auto"


class HostError(RuntimeError):
    """A host failed to start or a run failed inside it (message from the host, log path)."""


class HostProcess:
    """Orchestrator side of a host: start it, send ops, sample its process tree's memory, stop it by PID."""

    def __init__(self, spec: HostSpec, log_path: Path, env: dict[str, str] | None = None):
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self.peak_rss_bytes = 0
        process_env = dict(os.environ if env is None else env)
        process_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), process_env.get("PYTHONPATH")]))
        process_env["MLFLOW_TRACKING_URI"] = spec.tracking_uri
        # Python workers must run this virtualenv's Python (as a job's would run the image's), not PATH's python3.
        process_env.setdefault("PYSPARK_PYTHON", sys.executable)
        process_env.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.host", json.dumps(asdict(spec))], cwd=REPO, env=process_env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, start_new_session=True,
        )
        self.setup = self._answer("start")["setup"]

    def call(self, op: str, **arguments) -> dict:
        """Runs `op` in the host; returns its answer. Memory of the whole tree is sampled meanwhile."""
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()
        with TreePeakSampler([self.process.pid]) as sampler:
            answer = self._answer(op)
        self.peak_rss_bytes = max(self.peak_rss_bytes, sampler.peak)
        return answer

    def query(self, op: str, **arguments) -> dict:
        """Runs `op` without sampling memory (reading results back must not count as the path's peak)."""
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()
        return self._answer(op)

    def _answer(self, op: str) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise HostError(f"bench host exited during {op!r}; see {self.log_path}")
        answer = json.loads(line)
        if not answer.get("ok"):
            raise HostError(f"{op!r} failed in the bench host: {answer.get('error')} (log: {self.log_path})")
        return answer

    def stop(self) -> None:
        """Asks the host to stop its session, then ends its process group by PID if it lingers."""
        try:
            if self.process.poll() is None:
                self.process.stdin.write(json.dumps({"op": "stop"}) + "\n")
                self.process.stdin.flush()
                self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, signum)
            except (ProcessLookupError, PermissionError):
                break
            time.sleep(1)
        self._log.close()


def start_hosts(stack: ExitStack, specs: dict[str, tuple[HostSpec, Path]]) -> dict[str, HostProcess]:
    """Starts a host per (spec, log path) side by side (each waits on its JVM, not on the others); every host that
    started is stopped when `stack` closes, also when another failed to start."""
    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        futures = {name: pool.submit(HostProcess, spec, log_path) for name, (spec, log_path) in specs.items()}
    hosts, failure = {}, None
    for name, future in futures.items():
        try:
            hosts[name] = future.result()
            stack.callback(hosts[name].stop)
        except Exception as error:  # the others are stopped by the stack; the first failure is raised
            failure = failure or error
    if failure is not None:
        raise failure
    return hosts


def _start(spec: HostSpec):
    """Starts the session of `spec`; returns it and the fixed costs measured on the way (seconds)."""
    from bench import spark_paths

    tmp_dir = Path(spec.tmp_dir)
    conf = spark_paths.session_conf(spec.warehouse_dir, tmp_dir, spec.metastore_uri) | spec.conf
    setup: dict[str, float] = {}
    if spec.flavour == OURS:
        from jobs.common.spark import build_spark
        from jobs.score.requirements import install_missing, parse_requirements, plan_install

        started = time.monotonic()
        install_missing(plan_install(parse_requirements(spec.requirements)), tmp_dir / "model-deps")
        setup["requirements_check"] = time.monotonic() - started
        started = time.monotonic()
        spark = build_spark("bench-ours", spec.master, spec.metastore_uri, tmp_dir, spec.model_threads, conf,
                            spec.file_io)
        setup["session_start"] = time.monotonic() - started
    else:
        started = time.monotonic()
        spark = spark_paths.plain_session(spec.master, conf)
        setup["session_start"] = time.monotonic() - started
    return spark, setup


def _model_load_seconds(model_uri: str, work_dir: Path) -> dict[str, float]:
    import mlflow.artifacts
    import mlflow.pyfunc

    started = time.monotonic()
    local = mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=str(work_dir))
    downloaded = time.monotonic()
    mlflow.pyfunc.load_model(local)
    return {"model_download": downloaded - started, "model_load": time.monotonic() - downloaded}


def _serve(spec: HostSpec, reply) -> None:
    from bench import spark_paths

    spark, setup = _start(spec)
    reply({"ok": True, "setup": setup})
    work = Path(spec.tmp_dir) / "work"
    state = HostState()
    for line in sys.stdin:
        command = json.loads(line)
        op = command.pop("op")
        if op == "stop":
            spark.stop()
            return
        try:
            if op == "load":
                started = time.monotonic()
                spark_paths.load_input(spark, command["folders"])
                reply({"ok": True, "seconds": time.monotonic() - started})
            elif op == "model_load":
                reply({"ok": True, "phases": _model_load_seconds(command["model_uri"], work / "model-load")})
            elif op == "build_spark_udf":
                started = time.monotonic()
                state.udfs[command["model_uri"]] = spark_paths.build_spark_udf(spark, command["model_uri"])
                reply({"ok": True, "seconds": time.monotonic() - started})
            elif op == "clear_partition":
                spark_paths.clear_partition(spark, command["table"], command["ds"])
                reply({"ok": True})
            elif op == "check_scores":
                reply({"ok": True, **asdict(_check_scores(spark, state, command))})
            else:
                outcome = _run_path(spark, spec, op, command, work, state)
                reply({"ok": True, **asdict(outcome)})
        except Exception as error:  # the orchestrator reports it; the host stays up for the next op
            reply({"ok": False, "error": f"{type(error).__name__}: {str(error)[-1500:]}"})


@dataclass
class HostState:
    """What a host keeps between ops: spark_udf objects and row-UDF model folders by model URI, reference scores.

    Attributes:
        udfs: model URI -> the spark_udf built once and reused by every round (the warm route).
        row_model_dirs: model URI -> local model folder of the row UDF.
        references: reference Parquet path -> scores indexed by row id.
    """

    udfs: dict = field(default_factory=dict)
    row_model_dirs: dict[str, str] = field(default_factory=dict)
    references: dict = field(default_factory=dict)


def _check_scores(spark, state: HostState, command: dict):
    """Compares partition `ds` of `table` with the first `rows` reference scores (by row id)."""
    from bench import scores, spark_paths

    path = command["reference"]
    if path not in state.references:
        state.references[path] = scores.read_reference(Path(path))
    ids, values = spark_paths.read_scores(spark, command["table"], command["ds"])
    return scores.compare(ids, values, state.references[path][:command["rows"]])


def _run_path(spark, spec: HostSpec, op: str, command: dict, work: Path, state: HostState):
    from bench import spark_paths

    if op == "spark_udf":
        uri = command["model"]["uri"]
        if uri not in state.udfs:
            raise ValueError(f"spark_udf of {uri} not built: send build_spark_udf first")
        return spark_paths.run_spark_udf(spark, state.udfs[uri], command["ds"],
                                         command.get("output_table", "bench.scores_spark_udf"))
    if op == "row_udf":
        uri = command["model"]["uri"]
        if uri not in state.row_model_dirs:
            import mlflow.artifacts

            state.row_model_dirs[uri] = mlflow.artifacts.download_artifacts(artifact_uri=uri,
                                                                            dst_path=str(work / "row"))
        return spark_paths.run_row_udf(spark, state.row_model_dirs[uri], command["ds"])
    if op == "ours":
        request = spark_paths.ours_request(command["model"], command["ds"], work / "ours",
                                           command.get("output_table", "bench.scores_ours"),
                                           command.get("arrow_batch_size"),
                                           command.get("file_io", "auto"))
        return spark_paths.run_ours(spark, request)
    raise ValueError(f"unknown op {op!r}; known: load, model_load, build_spark_udf, clear_partition, check_scores, "
                     "spark_udf, "
                     "row_udf, ours, stop")


def main() -> None:
    """Entry: `python -m bench.host '<HostSpec JSON>'`."""
    spec = HostSpec(**json.loads(sys.argv[1]))
    # Answers travel on the original stdout; everything else (Spark's JVM included) writes to stderr.
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(payload: dict) -> None:
        answers.write(json.dumps(payload) + "\n")

    try:
        _serve(spec, reply)
    except Exception as error:
        reply({"ok": False, "error": f"{type(error).__name__}: {str(error)[-1500:]}"})
        raise


if __name__ == "__main__":
    main()
