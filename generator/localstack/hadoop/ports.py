"""Ports and endpoints of the hadoop profile, and the environment a step process needs to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.localstack.endpoints import LOOPBACK


@dataclass(frozen=True)
class HadoopPorts:
    """TCP ports on 127.0.0.1 (defaults differ from the default profile's, so both stacks can run at once).

    Attributes:
        namenode: HDFS NameNode RPC (fs.defaultFS).
        namenode_http: NameNode HTTP (WebHDFS).
        resourcemanager: YARN ResourceManager client port (its other listeners take free ports).
        metastore: Hive metastore 4 Thrift port.
        hiveserver2: HiveServer2 4 Thrift port.
        mlflow: MLflow tracking server HTTP port.
    """

    namenode: int = 8020
    namenode_http: int = 9870
    resourcemanager: int = 8032
    metastore: int = 9183
    hiveserver2: int = 10100
    mlflow: int = 5100


@dataclass(frozen=True)
class HadoopEndpoints:
    """Where one running hadoop-profile stack listens, and its client configuration folders."""

    ports: HadoopPorts
    hadoop_conf_dir: Path
    spark_conf_dir: Path

    @property
    def hdfs_uri(self) -> str:
        return f"hdfs://{LOOPBACK}:{self.ports.namenode}"

    @property
    def metastore_uri(self) -> str:
        return f"thrift://{LOOPBACK}:{self.ports.metastore}"

    @property
    def mlflow_uri(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.mlflow}"

    def step_env(self) -> dict[str, str]:
        """Environment of a step process against this stack (docs/STEPS.md's variables, plus Hadoop's and Spark's
        configuration folders and the executors' Python inside the shipped archive; docs/HADOOP.md)."""
        from generator.localstack.hadoop.site import PYTHON_ENV_LINK

        return {
            "HIVE_HOST": LOOPBACK,
            "HIVE_PORT": str(self.ports.hiveserver2),
            "HIVE_AUTH": "NONE",
            "HIVE_METASTORE_URI": self.metastore_uri,
            "MLFLOW_TRACKING_URI": self.mlflow_uri,
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "SPARK_MASTER": "yarn",
            "HADOOP_CONF_DIR": str(self.hadoop_conf_dir),
            "SPARK_CONF_DIR": str(self.spark_conf_dir),
            "PYSPARK_PYTHON": f"./{PYTHON_ENV_LINK}/bin/python",
        }
