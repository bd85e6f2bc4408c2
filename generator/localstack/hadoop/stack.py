"""HadoopStack: start, reuse, check and stop the hadoop profile's five services of one run dir.

Order: the Python environment is packed and the jars resolved first (Maven, once per machine); then HDFS and
MLflow; then YARN and the Hive metastore (both need HDFS's address); then HiveServer2 (needs the metastore).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from argo_toolset.processes import is_alive, spawn, stop
from generator.localstack.endpoints import LOOPBACK
from generator.localstack.errors import StackError
from generator.localstack.hadoop import jars
from generator.localstack.hadoop.ports import HadoopEndpoints, HadoopPorts
from generator.localstack.hadoop.python_env import pack
from generator.localstack.hadoop.services import (
    HDFS,
    HIVESERVER2,
    METASTORE,
    PYTHON_ENV_HDFS_PATH,
    SERVICE_ORDER,
    YARN,
    build_hadoop_specs,
    compile_launcher,
)
from generator.localstack.hadoop.site import hive_properties, spark_defaults, write_spark_defaults
from generator.localstack.hadoop.webhdfs import upload
from generator.localstack.hive_site import write_hive_site
from generator.localstack.processes import jdk_program, port_is_free
from generator.localstack.service_loop import stop_recorded, wait_until_ready
from generator.localstack.services import MLFLOW, ServiceSpec, _base_env, spark_home
from generator.localstack.stack import ServiceStatus
from generator.localstack.state import ServiceRecord, read_state, write_state

PROFILE = "hadoop"
PROFILE_FILE = "profile"
ADDRESS_FORMATS = {
    HDFS: "hdfs://{host}:{port}",
    YARN: "{host}:{port}",
    METASTORE: "thrift://{host}:{port}",
    HIVESERVER2: "{host}:{port}",
    MLFLOW: "http://{host}:{port}",
}


class HadoopStack:
    """The hadoop profile's stack whose whole state (HDFS blocks, metastore db, logs, PIDs) lives in `run_dir`."""

    def __init__(self, run_dir: Path, ports: HadoopPorts | None = None, echo: Callable[[str], None] | None = None):
        self.run_dir = Path(run_dir).resolve()
        self.ports = ports or HadoopPorts()
        self._echo = echo or (lambda _line: None)

    # ---- queries -------------------------------------------------------------------------------------
    def status(self) -> list[ServiceStatus]:
        """One ServiceStatus per service, in start order."""
        records = read_state(self.run_dir)
        ports = self._effective_ports(records)
        statuses = []
        for name in SERVICE_ORDER:
            record = records.get(name)
            address = ADDRESS_FORMATS[name].format(host=LOOPBACK, port=self._port_of(name, ports))
            up = record is not None and is_alive(record.pid, str(self.run_dir))
            title = self._titles().get(name, name)
            statuses.append(ServiceStatus(name, title, address, record.pid if record else None, up))
        return statuses

    def is_up(self) -> bool:
        return all(service.up for service in self.status())

    def endpoints(self) -> HadoopEndpoints:
        return HadoopEndpoints(self._effective_ports(read_state(self.run_dir)), self.run_dir / "hadoop-conf",
                               self.run_dir / "spark-conf")

    # ---- commands ------------------------------------------------------------------------------------
    def up(self) -> HadoopEndpoints:
        """Starts every service not already running from this run dir; reuses the ones that are.

        Raises:
            StackError: Java, javac or Maven is missing, Maven cannot resolve the jars, a port is taken, or a
                service exits or does not become ready in time (the services this call started are stopped).
        """
        java = jdk_program("java")
        if java is None:
            raise StackError("Java is missing: the hadoop profile's services need a Java 17 runtime. Install it "
                             "(Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.")
        records = read_state(self.run_dir)
        running = {name for name, record in records.items() if is_alive(record.pid, str(self.run_dir))}
        for name in sorted(running, key=SERVICE_ORDER.index):
            self._echo(f"{name}: already up on port {records[name].port} (pid {records[name].pid})")
        ports = self._effective_ports({name: records[name] for name in running})
        self._prepare_dirs()
        started_at = time.monotonic()
        cache = self.run_dir / "classpath"
        minicluster_jars = jars.class_path(jars.MINICLUSTER, cache)
        hive_jars = jars.class_path(jars.HIVE4, cache)
        launcher = compile_launcher(self.run_dir / "launcher", minicluster_jars)
        python_env = pack(self.run_dir / "python-env.tar")
        self._echo(f"jars, launcher and Python environment ready after {time.monotonic() - started_at:.1f}s")
        env = _base_env(self.run_dir / "tmp", spark_home())
        env.setdefault("JAVA_HOME", str(Path(os.path.realpath(java)).parents[1]))
        specs = build_hadoop_specs(self.run_dir, ports, java, env, launcher, minicluster_jars, hive_jars)
        to_start = [specs[name] for name in SERVICE_ORDER if name not in running]
        for spec in to_start:
            if not port_is_free(spec.port):
                raise StackError(f"port {spec.port} for {spec.title} is already in use by another process; stop "
                                 f"that process or choose another port with {spec.option}")
        hdfs_uri = f"hdfs://{LOOPBACK}:{ports.namenode}"
        (self.run_dir / PROFILE_FILE).write_text(PROFILE + "\n")
        write_hive_site(self.run_dir / "hive-conf",
                        hive_properties(self.run_dir, hdfs_uri, ports.metastore, ports.hiveserver2))
        write_spark_defaults(self.run_dir / "spark-conf", spark_defaults(
            hive_jars, spark_home(), f"{hdfs_uri}{PYTHON_ENV_HDFS_PATH}", hdfs_uri))
        started: list[ServiceSpec] = []
        try:
            for wave in ((HDFS, MLFLOW), (YARN, METASTORE), (HIVESERVER2,)):
                batch = [specs[name] for name in wave if name not in running]
                for spec in batch:
                    self._start(spec, records, started)
                self._wait_ready(batch, records, started_at)
        except BaseException:
            for spec in reversed(started):
                stop(records[spec.name].pid, spec.marker)
                records.pop(spec.name, None)
            write_state(self.run_dir, records)
            raise
        self._ship_python_env(python_env, ports)
        return self.endpoints()

    def _ship_python_env(self, python_env: Path, ports: HadoopPorts) -> None:
        """Puts the packed Python environment on HDFS unless the copy there is from the same pack."""
        shipped = self.run_dir / "python-env.shipped"
        stamp = f"{python_env.stat().st_mtime_ns} {ports.namenode}"
        if shipped.exists() and shipped.read_text() == stamp:
            return
        began = time.monotonic()
        upload(f"{LOOPBACK}:{ports.namenode_http}", python_env, PYTHON_ENV_HDFS_PATH)
        shipped.write_text(stamp)
        self._echo(f"Python environment for YARN's containers: {python_env.stat().st_size / 1e6:.0f} MB to "
                   f"hdfs://{LOOPBACK}:{ports.namenode}{PYTHON_ENV_HDFS_PATH} in {time.monotonic() - began:.1f}s")

    def down(self) -> None:
        """Stops every recorded service (SIGTERM, then SIGKILL) and clears the state file's records."""
        stop_recorded(self.run_dir, SERVICE_ORDER, lambda name: name, self._echo)

    # ---- internals -----------------------------------------------------------------------------------
    @staticmethod
    def _titles() -> dict[str, str]:
        return {HDFS: "HDFS NameNode (MiniDFSCluster 3.5.0)", YARN: "YARN ResourceManager (MiniYARNCluster 3.5.0)",
                METASTORE: "Hive metastore 4.0.1", HIVESERVER2: "HiveServer2 4.0.1", MLFLOW: "MLflow server"}

    @staticmethod
    def _port_of(name: str, ports: HadoopPorts) -> int:
        return {HDFS: ports.namenode, YARN: ports.resourcemanager, METASTORE: ports.metastore,
                HIVESERVER2: ports.hiveserver2, MLFLOW: ports.mlflow}[name]

    def _effective_ports(self, records: dict[str, ServiceRecord]) -> HadoopPorts:
        def port(name: str, default: int) -> int:
            return records[name].port if name in records else default

        requested = self.ports
        return HadoopPorts(
            namenode=port(HDFS, requested.namenode), namenode_http=requested.namenode_http,
            resourcemanager=port(YARN, requested.resourcemanager), metastore=port(METASTORE, requested.metastore),
            hiveserver2=port(HIVESERVER2, requested.hiveserver2), mlflow=port(MLFLOW, requested.mlflow),
        )

    def _prepare_dirs(self) -> None:
        for sub in ("logs", "tmp", "tmp/spark-local", "tmp/hive-resources", "artifacts", "hiveserver2",
                    "hadoop-conf", "hive-conf", "spark-conf"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)

    def _start(self, spec: ServiceSpec, records: dict[str, ServiceRecord], started: list[ServiceSpec]) -> None:
        ready_file = getattr(spec, "ready_file", None)
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)
        pid = spawn(spec.command, spec.env, spec.cwd, spec.log_path)
        started.append(spec)
        records[spec.name] = ServiceRecord(spec.name, pid, spec.port, str(spec.log_path))
        write_state(self.run_dir, records)
        self._echo(f"{spec.title}: starting on port {spec.port} (pid {pid}, log {spec.log_path})")

    def _wait_ready(self, specs: list[ServiceSpec], records: dict[str, ServiceRecord], started_at: float) -> None:
        wait_until_ready(specs, records, self._echo, started_at)


def profile_of(run_dir: Path) -> str:
    """The profile a run dir's stack was started with: `hadoop` or `default`."""
    marker = Path(run_dir) / PROFILE_FILE
    return marker.read_text().strip() if marker.exists() else "default"
