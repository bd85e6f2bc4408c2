"""Typed ports and endpoints of the local stack, and the environment a step process needs to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract import step_env

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class StackPorts:
    """TCP ports the three services listen on (all bound to 127.0.0.1).

    Attributes:
        metastore: Hive metastore Thrift port (default 9083).
        thrift: Spark Thrift Server = HiveServer2 port (default 10000).
        mlflow: MLflow tracking server HTTP port (default 5000).
    """

    metastore: int = 9083
    thrift: int = 10000
    mlflow: int = 5000


@dataclass(frozen=True)
class StackEndpoints:
    """Where the services of one running stack listen.

    Attributes:
        hive_host: HiveServer2 host for PyHive.
        hive_port: HiveServer2 port for PyHive.
        metastore_uri: `thrift://host:port` of the Hive metastore, for Spark jobs.
        mlflow_uri: `http://host:port` of the MLflow tracking server.
        warehouse_dir: local folder holding managed tables' data.
        hive_auth: PyHive auth mode the Thrift server expects: NONE, or CUSTOM when it checks a password.
    """

    hive_host: str
    hive_port: int
    metastore_uri: str
    mlflow_uri: str
    warehouse_dir: Path
    hive_auth: str = "NONE"

    @classmethod
    def for_ports(cls, ports: StackPorts, warehouse_dir: Path, hive_auth: str = "NONE") -> StackEndpoints:
        return cls(
            hive_host=LOOPBACK,
            hive_port=ports.thrift,
            metastore_uri=f"thrift://{LOOPBACK}:{ports.metastore}",
            mlflow_uri=f"http://{LOOPBACK}:{ports.mlflow}",
            warehouse_dir=warehouse_dir,
            hive_auth=hive_auth,
        )

    def service_ports(self) -> tuple[int, ...]:
        """The ports of the metastore, HiveServer2 and MLflow, in that order."""
        return (int(self.metastore_uri.rsplit(":", 1)[1]), self.hive_port, int(self.mlflow_uri.rsplit(":", 1)[1]))

    def step_env(self, spark_master: str = "local[2]") -> dict[str, str]:
        """Environment variables a `python -m jobs.<step>` process reads (see docs/STEPS.md).

        Args:
            spark_master: value for SPARK_MASTER; `local[2]` keeps Spark within this machine's two cores.
        """
        return {
            step_env.HIVE_HOST: self.hive_host,
            step_env.HIVE_PORT: str(self.hive_port),
            step_env.HIVE_AUTH: self.hive_auth,
            step_env.HIVE_METASTORE_URI: self.metastore_uri,
            step_env.MLFLOW_TRACKING_URI: self.mlflow_uri,
            step_env.MLFLOW_DISABLE_TELEMETRY: "true",
            step_env.SPARK_MASTER: spark_master,
        }
