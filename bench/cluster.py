"""A Spark standalone cluster on 127.0.0.1 (master + workers) from the pip pyspark package, stopped by PID.

pip's pyspark lacks sbin/start-*.sh, so each daemon is started with `bin/spark-class` (docs/ARCHITECTURE.md §2).
Executors run the Python named by PYSPARK_PYTHON: here the project's own virtualenv, which stands in for the
image's environment every node of a real cluster runs (the model's requirements are installed there). The
alternative for a cluster whose nodes lack them: ship a packed venv (`venv-pack`) with
`--spark-conf spark.archives=env.tar.gz#env` and `spark.pyspark.python=./env/bin/python`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from contract.spark import pyspark_home
from generator.localstack.processes import free_port

LOOPBACK = "127.0.0.1"


class ClusterError(RuntimeError):
    """The cluster did not come up (a daemon exited or its workers never registered)."""


def spark_home() -> Path:
    """The installed pyspark package folder (it ships bin/spark-class and jars/)."""
    home = pyspark_home()
    if home is None:
        raise ClusterError("pyspark is not installed in this environment")
    return home


@dataclass
class StandaloneCluster:
    """Master + `workers` workers, each `cores` cores and `memory` of executor memory, state under `run_dir`.

    Args:
        run_dir: folder for logs, work dirs and temp files (created).
        workers: number of workers (1 or more).
        cores: cores each worker offers.
        memory: memory each worker offers to executors (`1g`, `512m`).
        python: interpreter executors run (PYSPARK_PYTHON); default the running one (the venv's).
    """

    run_dir: Path
    workers: int = 2
    cores: int = 1
    memory: str = "1g"
    python: str = sys.executable
    master_port: int = 0
    master_ui_port: int = 0
    pids: list[int] = field(default_factory=list)

    @property
    def master_url(self) -> str:
        return f"spark://{LOOPBACK}:{self.master_port}"

    @property
    def tmp_dir(self) -> Path:
        return self.run_dir / "tmp"

    def executor_conf(self) -> dict[str, str]:
        """Spark settings a driver passes: loopback only, executors' temp files in this cluster's folder."""
        return {
            "spark.driver.host": LOOPBACK,
            "spark.executor.extraJavaOptions": f"-Djava.io.tmpdir={self.tmp_dir}",
            "spark.executor.memory": self.memory,
            "spark.pyspark.python": self.python,
        }

    def _env(self) -> dict[str, str]:
        home = spark_home()
        env = dict(os.environ)
        env.pop("SPARK_CONF_DIR", None)
        env.update(
            SPARK_HOME=str(home), SPARK_LOG_DIR=str(self.run_dir / "logs"), SPARK_LOCAL_DIRS=str(self.tmp_dir),
            SPARK_WORKER_DIR=str(self.run_dir / "work"), SPARK_DAEMON_JAVA_OPTS=f"-Djava.io.tmpdir={self.tmp_dir}",
            SPARK_DAEMON_MEMORY="512m", PYSPARK_PYTHON=self.python, TMPDIR=str(self.tmp_dir),
        )
        return env

    def _spawn(self, name: str, args: list[str]) -> int:
        log_path = self.run_dir / "logs" / f"{name}.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [str(spark_home() / "bin" / "spark-class"), *args], env=self._env(), cwd=self.run_dir,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.pids.append(process.pid)
        return process.pid

    def start(self, timeout: float = 120.0) -> StandaloneCluster:
        """Starts the master and the workers and waits until all workers are ALIVE.

        Raises:
            ClusterError: a daemon exited, or the workers did not register within `timeout` seconds (the
                daemons started are stopped again).
        """
        for sub in ("logs", "tmp", "work"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        self.master_port = self.master_port or free_port()
        self.master_ui_port = self.master_ui_port or free_port()
        try:
            self._spawn("master", ["org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
                                   "--port", str(self.master_port), "--webui-port", str(self.master_ui_port)])
            self._wait(lambda: self._alive_workers() is not None, timeout, "master")
            for index in range(self.workers):
                self._spawn(f"worker-{index}", [
                    "org.apache.spark.deploy.worker.Worker", self.master_url, "--host", LOOPBACK,
                    "--port", str(free_port()), "--webui-port", str(free_port()), "--cores", str(self.cores),
                    "--memory", self.memory, "--work-dir", str(self.run_dir / "work"),
                ])
            self._wait(lambda: (self._alive_workers() or 0) >= self.workers, timeout, "workers")
        except BaseException:
            self.stop()
            raise
        return self

    def _alive_workers(self) -> int | None:
        """ALIVE workers the master reports, None while its web UI does not answer."""
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{self.master_ui_port}/json/", timeout=2) as response:
                state = json.load(response)
        except (OSError, ValueError):
            return None
        return sum(1 for worker in state.get("workers", []) if worker.get("state") == "ALIVE")

    def _wait(self, ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [pid for pid in self.pids if _exited(pid)]
            if dead:
                raise ClusterError(f"Spark {what} exited while starting; see logs in {self.run_dir / 'logs'}")
            if time.monotonic() > deadline:
                raise ClusterError(f"Spark {what} not ready within {timeout:.0f}s; see {self.run_dir / 'logs'}")
            time.sleep(0.5)

    def stop(self, grace_seconds: float = 15.0) -> None:
        """Stops workers then master by PID (their process groups: SIGTERM, then SIGKILL after the grace)."""
        for pid in reversed(self.pids):
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline and not all(_exited(pid) for pid in self.pids):
            time.sleep(0.2)
        for pid in self.pids:
            if not _exited(pid):
                _signal_group(pid, signal.SIGKILL)
                _exited(pid)
        self.pids.clear()

    def __enter__(self) -> StandaloneCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _exited(pid: int) -> bool:
    # Our own children: reap them so a zombie never counts as running.
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        return reaped == pid
    except ChildProcessError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def _signal_group(pid: int, signum: int) -> None:
    # Started with start_new_session: the daemon's PID is its process group id (executors live in it too).
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
