"""How each service of the local stack is started and health-checked (docs/ARCHITECTURE.md §2)."""

from __future__ import annotations

import os
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from contract.spark import pyspark_home
from generator.localstack.endpoints import LOOPBACK, StackPorts
from generator.localstack.hive_password import ThriftAuth
from generator.localstack.hive_site import session_resources_dir
from generator.localstack.processes import port_accepts

METASTORE = "metastore"
THRIFT = "thrift"
MLFLOW = "mlflow"


@dataclass(frozen=True)
class ServiceSpec:
    """One service: how to start it and how to tell it is ready.

    Attributes:
        name: `metastore`, `thrift` or `mlflow`.
        title: human name used in messages.
        port: TCP port on 127.0.0.1.
        command: argv to start it.
        env: full environment of the process.
        cwd: working folder (inside the run dir: Derby and Spark drop files there).
        log_path: where stdout and stderr go.
        marker: text found in the process's command line, so a recycled PID is never mistaken for ours.
        health_url: HTTP URL that answers 200 when ready; None means "the port accepts connections".
        ready_timeout: seconds to wait for readiness.
        option: the `stack up` option that sets this port, named in messages.
    """

    name: str
    title: str
    port: int
    command: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    marker: str
    health_url: str | None = None
    ready_timeout: float = 180.0
    option: str = ""

    def is_ready(self) -> bool:
        if not port_accepts(self.port):
            return False
        if self.health_url is None:
            return True
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False


def spark_home() -> Path:
    """The installed pyspark package folder (pip's pyspark ships bin/ and jars/); found without importing it."""
    home = pyspark_home()
    if home is None:
        raise FileNotFoundError("pyspark is not installed in this environment: pip install -e '.[jobs]'")
    return home


def _base_env(tmp_dir: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(home),
        TMPDIR=str(tmp_dir),
        SPARK_LOCAL_DIRS=str(tmp_dir / "spark-local"),
        SPARK_DAEMON_JAVA_OPTS=f"-Djava.io.tmpdir={tmp_dir}",
        MLFLOW_DISABLE_TELEMETRY="true",
    )
    # A stack must not inherit a caller's SPARK_CONF_DIR (it would add someone else's hive-site.xml).
    env.pop("SPARK_CONF_DIR", None)
    return env


def build_specs(run_dir: Path, ports: StackPorts, java: str, auth: ThriftAuth | None = None) -> dict[str, ServiceSpec]:
    """The three services of a stack whose state lives in `run_dir`; `auth` is how the Thrift server checks
    clients (default: no check, `hive.server2.authentication=NONE`)."""
    auth = auth or ThriftAuth()
    home = spark_home()
    tmp_dir = run_dir / "tmp"
    logs = run_dir / "logs"
    warehouse = run_dir / "warehouse"
    conf_dir = run_dir / "conf"
    env = _base_env(tmp_dir, home)
    marker = str(run_dir)

    metastore = ServiceSpec(
        name=METASTORE,
        title="Hive metastore",
        port=ports.metastore,
        command=[
            java, "-Xmx512m", f"-Djava.io.tmpdir={tmp_dir}", f"-Dhive.log.dir={logs}",
            f"-Dderby.system.home={run_dir}", f"-Dlocalstack.run.dir={marker}",
            "-cp", f"{conf_dir}:{home / 'jars'}/*",
            "org.apache.hadoop.hive.metastore.HiveMetaStore", "-p", str(ports.metastore),
        ],
        env=env,
        cwd=run_dir,
        log_path=logs / "metastore.log",
        marker=marker,
        option="--metastore-port",
    )
    thrift = ServiceSpec(
        name=THRIFT,
        title="Spark Thrift Server (HiveServer2)",
        port=ports.thrift,
        command=[
            str(home / "bin" / "spark-submit"), "--master", "local[2]", "--driver-memory", "1g",
            "--driver-java-options", " ".join([f"-Djava.io.tmpdir={tmp_dir}", f"-Dlocalstack.run.dir={marker}",
                                               *auth.java_options]),
            *(["--driver-class-path", ":".join(map(str, auth.class_path))] if auth.class_path else []),
            "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--conf", f"spark.hadoop.hive.metastore.uris=thrift://{LOOPBACK}:{ports.metastore}",
            "--conf", f"spark.sql.warehouse.dir={warehouse.as_uri()}",
            # A long-lived session would otherwise serve stale file lists after a job swapped a partition.
            "--conf", "spark.sql.filesourceTableRelationCacheSize=0",
            # INSERTs into a partitioned Hive table go through Hive's writer, which stages each query in its own
            # folder as HiveServer2 does. Spark's built-in writer stages every query in the table's one
            # `_temporary/0` and the first to commit deletes the others' files, so a retro's lanes preparing
            # different dates of one table failed (SPARK-36571; docs/STEPS.md, prepare).
            "--conf", "spark.sql.hive.convertInsertingPartitionedTable=false",
            "--conf", "spark.ui.enabled=false",
            "--conf", f"spark.local.dir={tmp_dir / 'spark-local'}",
            "--conf", "spark.sql.shuffle.partitions=2",
            "spark-internal",
            "--hiveconf", f"hive.server2.thrift.bind.host={LOOPBACK}",
            "--hiveconf", f"hive.server2.thrift.port={ports.thrift}",
            *[arg for name, value in auth.hiveconf.items() for arg in ("--hiveconf", f"{name}={value}")],
            "--hiveconf", f"hive.server2.logging.operation.log.location={tmp_dir / 'operation-logs'}",
            "--hiveconf", f"hive.exec.local.scratchdir={tmp_dir / 'hive-local-scratch'}",
            "--hiveconf", f"hive.downloaded.resources.dir={session_resources_dir(tmp_dir)}",
            "--hiveconf", f"hive.querylog.location={tmp_dir / 'hive-querylog'}",
        ],
        env=env,
        cwd=run_dir / "thrift",
        log_path=logs / "thrift.log",
        marker=marker,
        option="--thrift-port",
    )
    mlflow_env = dict(env)
    # Without this the server also starts its job-execution workers (a large extra memory cost, docs/BENCHMARKS.md).
    mlflow_env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    mlflow = ServiceSpec(
        name=MLFLOW,
        title="MLflow server",
        port=ports.mlflow,
        command=[
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{run_dir / 'mlflow.db'}",
            # Proxied artifacts: clients up- and download over HTTP, exactly as pods in a cluster must.
            "--artifacts-destination", str(run_dir / "artifacts"), "--serve-artifacts",
            "--host", LOOPBACK, "--port", str(ports.mlflow), "--workers", "2",
        ],
        env=mlflow_env,
        cwd=run_dir,
        log_path=logs / "mlflow.log",
        marker=marker,
        health_url=f"http://{LOOPBACK}:{ports.mlflow}/health",
        option="--mlflow-port",
    )
    return {spec.name: spec for spec in (metastore, thrift, mlflow)}
