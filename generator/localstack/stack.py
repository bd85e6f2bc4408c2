"""LocalStack: start, reuse, check and stop the metastore, Thrift server and MLflow server of one run dir."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argo_toolset.processes import is_alive, spawn, stop
from generator.localstack.endpoints import LOOPBACK, StackEndpoints, StackPorts
from generator.localstack.errors import StackError
from generator.localstack.hive_password import (
    NO_CHECK,
    PASSWORD_CHECK,
    ThriftAuth,
    install_password_check,
    remove_password_copy,
)
from generator.localstack.hive_site import metastore_properties, write_hive_site
from generator.localstack.processes import jdk_program, port_is_free
from generator.localstack.service_loop import stop_recorded, wait_until_ready
from generator.localstack.services import (
    METASTORE,
    MLFLOW,
    THRIFT,
    ServiceSpec,
    build_specs,
    spark_home,
)
from generator.localstack.state import ServiceRecord, read_state, write_state

SERVICE_ORDER = (METASTORE, THRIFT, MLFLOW)
SERVICE_TITLES = {
    METASTORE: "Hive metastore",
    THRIFT: "Spark Thrift Server (HiveServer2)",
    MLFLOW: "MLflow server",
}


@dataclass(frozen=True)
class ServiceStatus:
    """What `stack status` prints for one service.

    Attributes:
        name: `metastore`, `thrift` or `mlflow`.
        title: human name.
        address: `host:port` (or URL for MLflow).
        pid: recorded process id, None when never started.
        up: True when the recorded process runs and its port answers.
    """

    name: str
    title: str
    address: str
    pid: int | None
    up: bool


class LocalStack:
    """The local stack whose whole state (databases, warehouse, logs, tmp, PIDs) lives in `run_dir`.

    Args:
        run_dir: folder for all state and logs; created when missing.
        ports: ports for a fresh start; a service already running from this run dir keeps its recorded port.
        echo: receives one progress line at a time (the CLI passes click.echo; the default is silent).
        hive_password_file: opt-in password check: the Thrift server (when this call starts it) accepts only the
            user and password in this file (`user:password`, see hive_password.py); None keeps authentication NONE.
    """

    def __init__(self, run_dir: Path, ports: StackPorts | None = None, echo: Callable[[str], None] | None = None,
                 hive_password_file: Path | None = None):
        self.run_dir = Path(run_dir).resolve()
        self.ports = ports or StackPorts()
        self._echo = echo or (lambda _line: None)
        self.hive_password_file = hive_password_file

    # ---- queries -------------------------------------------------------------------------------------
    def status(self) -> list[ServiceStatus]:
        """One ServiceStatus per service, in start order."""
        records = read_state(self.run_dir)
        ports = self._effective_ports(records)
        statuses = []
        for name in SERVICE_ORDER:
            record = records.get(name)
            port = getattr(ports, name)
            address = f"http://{LOOPBACK}:{port}" if name == MLFLOW else f"{LOOPBACK}:{port}"
            up = record is not None and self._record_running(record)
            statuses.append(ServiceStatus(name, SERVICE_TITLES[name], address, record.pid if record else None, up))
        return statuses

    def is_up(self) -> bool:
        """True when all three services run from this run dir."""
        return all(service.up for service in self.status())

    def endpoints(self) -> StackEndpoints:
        """Endpoints of this stack (recorded ports and Hive auth when it was started, else the requested ones)."""
        records = read_state(self.run_dir)
        return StackEndpoints.for_ports(self._effective_ports(records), self.run_dir / "warehouse",
                                        self._hive_auth(records))

    # ---- commands ------------------------------------------------------------------------------------
    def up(self) -> StackEndpoints:
        """Starts every service that is not already running; reuses the ones that are.

        Starts the metastore and MLflow at once, then the Thrift server as soon as the metastore answers.

        Raises:
            StackError: Java is missing, a port is taken by another process, a service exits or does not
                become ready in time (the services this call started are stopped again), the Hive password file
                is unreadable or malformed or javac is missing, or the running Thrift server checks passwords
                differently from what was asked.
        """
        java = jdk_program("java")
        if java is None:
            raise StackError(
                "Java is missing: the Hive metastore and the Spark Thrift Server need a Java 17 runtime. "
                "Install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
            )
        records = read_state(self.run_dir)
        running = {name for name, record in records.items() if self._record_running(record)}
        for name in sorted(running, key=SERVICE_ORDER.index):
            self._echo(f"{SERVICE_TITLES[name]}: already up on port {records[name].port} (pid {records[name].pid})")
        requested_auth = self._requested_auth()
        if THRIFT in running and self._hive_auth(records) != requested_auth:
            raise StackError(
                f"the {SERVICE_TITLES[THRIFT]} of {self.run_dir} already runs with authentication "
                f"{self._hive_auth(records)}, not {requested_auth}: run `generate-workflow stack down --run-dir "
                f"{self.run_dir}` first (--hive-password-file applies when the server starts)"
            )
        if running == set(SERVICE_ORDER):
            return self.endpoints()

        ports = self._effective_ports({name: records[name] for name in running})
        self._prepare_dirs()
        auth = ThriftAuth()
        if THRIFT not in running and self.hive_password_file is not None:
            auth = install_password_check(self.run_dir, Path(self.hive_password_file), spark_home())
        specs = build_specs(self.run_dir, ports, java, auth)
        to_start = [specs[name] for name in SERVICE_ORDER if name not in running]
        for spec in to_start:
            if not port_is_free(spec.port):
                raise StackError(
                    f"port {spec.port} for the {spec.title} is already in use by another process; stop that "
                    f"process or choose another port with {spec.option}"
                )
        started: list[ServiceSpec] = []
        try:
            first_wave = [spec for spec in to_start if spec.name != THRIFT]
            for spec in first_wave:
                self._start(spec, records, started)
            if METASTORE in {spec.name for spec in first_wave}:
                self._wait_ready([specs[METASTORE]], records)
            if THRIFT not in running:
                self._start(specs[THRIFT], records, started, hive_auth=auth.mode)
            self._wait_ready([spec for spec in to_start if spec.name != METASTORE], records)
        except BaseException:
            for spec in reversed(started):
                stop(records[spec.name].pid, spec.marker)
                records.pop(spec.name, None)
            write_state(self.run_dir, records)
            if THRIFT not in running:
                remove_password_copy(self.run_dir)
            raise
        return self.endpoints()

    def down(self) -> None:
        """Stops every recorded service (SIGTERM, then SIGKILL) and clears the state file's records."""
        remove_password_copy(self.run_dir)  # no server will read it any more
        stop_recorded(self.run_dir, SERVICE_ORDER, SERVICE_TITLES.__getitem__, self._echo)

    # ---- internals -----------------------------------------------------------------------------------
    def _effective_ports(self, records: dict[str, ServiceRecord]) -> StackPorts:
        return StackPorts(
            metastore=records[METASTORE].port if METASTORE in records else self.ports.metastore,
            thrift=records[THRIFT].port if THRIFT in records else self.ports.thrift,
            mlflow=records[MLFLOW].port if MLFLOW in records else self.ports.mlflow,
        )

    def _requested_auth(self) -> str:
        return NO_CHECK if self.hive_password_file is None else PASSWORD_CHECK

    @staticmethod
    def _hive_auth(records: dict[str, ServiceRecord]) -> str:
        record = records.get(THRIFT)
        return (record.hive_auth if record else None) or NO_CHECK

    def _record_running(self, record: ServiceRecord) -> bool:
        return is_alive(record.pid, str(self.run_dir))

    def _prepare_dirs(self) -> None:
        # tmp/hive-resources, the parent of every session's resources folder (hive_site.session_resources_dir),
        # exists before the Thrift server starts, so sessions opening at once never race to create it.
        for sub in ("logs", "tmp", "tmp/spark-local", "tmp/hive-resources", "warehouse", "artifacts", "thrift", "conf"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        warehouse = self.run_dir / "warehouse"
        write_hive_site(self.run_dir / "conf", metastore_properties(self.run_dir, warehouse))

    def _start(self, spec: ServiceSpec, records: dict[str, ServiceRecord], started: list[ServiceSpec],
               hive_auth: str | None = None) -> None:
        pid = spawn(spec.command, spec.env, spec.cwd, spec.log_path)
        started.append(spec)
        records[spec.name] = ServiceRecord(spec.name, pid, spec.port, str(spec.log_path), hive_auth)
        write_state(self.run_dir, records)
        self._echo(f"{spec.title}: starting on port {spec.port} (pid {pid}, log {spec.log_path})")

    def _wait_ready(self, specs: list[ServiceSpec], records: dict[str, ServiceRecord]) -> None:
        wait_until_ready(specs, records, self._echo)
