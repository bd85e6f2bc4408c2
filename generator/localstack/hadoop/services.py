"""How each service of the hadoop profile starts and when it counts as ready."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.localstack.endpoints import StackPorts
from generator.localstack.errors import StackError
from generator.localstack.hadoop.ports import HadoopPorts
from generator.localstack.hadoop.site import JAVA_OPENS
from generator.localstack.processes import jdk_program
from generator.localstack.services import MLFLOW, ServiceSpec, build_specs

HDFS = "hdfs"
YARN = "yarn"
METASTORE = "metastore"
HIVESERVER2 = "hiveserver2"
SERVICE_ORDER = (HDFS, YARN, METASTORE, HIVESERVER2, MLFLOW)
LAUNCHER_SOURCE = Path(__file__).with_name("MiniHadoop.java")
LAUNCHER_CLASS = "localstack.MiniHadoop"
PYTHON_ENV_HDFS_PATH = "/apps/argo-batch-scoring/python-env.tar"


@dataclass(frozen=True)
class HadoopServiceSpec(ServiceSpec):
    """A ServiceSpec that may also wait for a file its process writes once ready (the minicluster launcher's)."""

    ready_file: Path | None = None

    def is_ready(self) -> bool:
        if self.ready_file is not None:
            return self.ready_file.exists()
        return super().is_ready()


def compile_launcher(classes_dir: Path, minicluster_jars: list[str]) -> Path:
    """Compiles MiniHadoop.java into `classes_dir` (once per source change) and returns the folder.

    Raises:
        StackError: javac is missing or the launcher does not compile.
    """
    compiled = classes_dir / "localstack" / "MiniHadoop.class"
    if compiled.exists() and compiled.stat().st_mtime > LAUNCHER_SOURCE.stat().st_mtime:
        return classes_dir
    javac = jdk_program("javac")
    if javac is None:
        raise StackError("javac is missing: the hadoop profile compiles its minicluster launcher with a Java 17 JDK. "
                         "Install it (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME to a JDK.")
    classes_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([javac, "--release", "17", "-nowarn", "-d", str(classes_dir), "-cp",
                             ":".join(minicluster_jars), str(LAUNCHER_SOURCE)], capture_output=True, text=True)
    if result.returncode != 0:
        raise StackError(f"javac could not compile {LAUNCHER_SOURCE}:\n{result.stdout}{result.stderr}")
    return classes_dir


def build_hadoop_specs(run_dir: Path, ports: HadoopPorts, java: str, env: dict[str, str], launcher_dir: Path,
                       minicluster_jars: list[str], hive_jars: list[str]) -> dict[str, ServiceSpec]:
    """The five services of a hadoop-profile stack whose state lives in `run_dir`."""
    tmp, logs, conf = run_dir / "tmp", run_dir / "logs", run_dir / "hadoop-conf"
    marker = str(run_dir)
    mini_cp = ":".join([str(launcher_dir), *minicluster_jars])
    hive_cp = ":".join([str(run_dir / "hive-conf"), str(conf), *hive_jars])
    common = [f"-Djava.io.tmpdir={tmp}", f"-Dlocalstack.run.dir={marker}"]
    hdfs = HadoopServiceSpec(
        name=HDFS, title="HDFS (MiniDFSCluster 3.5.0)", port=ports.namenode,
        command=[java, "-Xmx512m", *common, "-cp", mini_cp, LAUNCHER_CLASS, HDFS, str(run_dir / "hdfs"), str(conf),
                 str(run_dir / "hdfs.ready"), str(ports.namenode), str(ports.namenode_http)],
        env=env, cwd=run_dir, log_path=logs / "hdfs.log", marker=marker, option="--namenode-port",
        ready_timeout=300.0, ready_file=run_dir / "hdfs.ready",
    )
    yarn = HadoopServiceSpec(
        name=YARN, title="YARN (MiniYARNCluster 3.5.0)", port=ports.resourcemanager,
        command=[java, "-Xmx768m", *common, "-cp", f"{conf}:{mini_cp}", LAUNCHER_CLASS, YARN, str(run_dir / "yarn"),
                 str(conf), str(run_dir / "yarn.ready"), str(ports.resourcemanager)],
        env=env, cwd=run_dir, log_path=logs / "yarn.log", marker=marker, option="--resourcemanager-port",
        ready_timeout=300.0, ready_file=run_dir / "yarn.ready",
    )
    metastore = HadoopServiceSpec(
        name=METASTORE, title="Hive metastore 4.0.1", port=ports.metastore,
        command=[java, "-Xmx512m", *JAVA_OPENS, *common, f"-Dderby.system.home={run_dir}", f"-Dhive.log.dir={logs}",
                 "-cp", hive_cp, "org.apache.hadoop.hive.metastore.HiveMetaStore", "-p", str(ports.metastore)],
        env=env, cwd=run_dir, log_path=logs / "metastore.log", marker=marker, option="--metastore-port",
        ready_timeout=300.0,
    )
    hiveserver2 = HadoopServiceSpec(
        name=HIVESERVER2, title="HiveServer2 4.0.1", port=ports.hiveserver2,
        command=[java, "-Xmx1g", *JAVA_OPENS, *common, f"-Dhive.log.dir={logs}", "-cp", hive_cp,
                 "org.apache.hive.service.server.HiveServer2"],
        env=env, cwd=run_dir / "hiveserver2", log_path=logs / "hiveserver2.log", marker=marker,
        option="--hiveserver2-port", ready_timeout=400.0,
    )
    mlflow = build_specs(run_dir, StackPorts(ports.metastore, ports.hiveserver2, ports.mlflow), java)[MLFLOW]
    return {spec.name: spec for spec in (hdfs, yarn, metastore, hiveserver2, mlflow)}


