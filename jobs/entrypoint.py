"""The image's entry point: a Spark executor or standalone master/worker when asked, else the command as given.

Spark's Kubernetes backend starts an executor pod from the job's image with only the argument `executor` and
SPARK_* variables in the environment (no command), so the image's ENTRYPOINT has to turn those into the executor
JVM, as Spark's own images do with their entrypoint.sh. The generated step templates name their command, which
replaces the ENTRYPOINT on Kubernetes; `podman run IMAGE python -m jobs.score ...` runs unchanged through here.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from contract.spark import pyspark_home

EXECUTOR_CLASS = "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend"
STANDALONE_CLASSES = {"master": "org.apache.spark.deploy.master.Master",
                      "worker": "org.apache.spark.deploy.worker.Worker"}
# (flag, variable) in the order Spark's entrypoint.sh passes them; every one is set on an executor pod.
EXECUTOR_FLAGS = (
    ("--driver-url", "SPARK_DRIVER_URL"),
    ("--executor-id", "SPARK_EXECUTOR_ID"),
    ("--cores", "SPARK_EXECUTOR_CORES"),
    ("--app-id", "SPARK_APPLICATION_ID"),
    ("--hostname", "SPARK_EXECUTOR_POD_IP"),
    ("--resourceProfileId", "SPARK_RESOURCE_PROFILE_ID"),
    ("--podName", "SPARK_EXECUTOR_POD_NAME"),
)
_JAVA_OPT = re.compile(r"^SPARK_JAVA_OPT_([0-9]+)$")
# The root filesystem is read-only: a standalone worker keeps its application folders under /tmp.
WORKER_DIR = "/tmp/spark-worker"


class EntrypointError(Exception):
    """The environment lacks what the requested role needs."""


def spark_home() -> Path:
    """SPARK_HOME, else the installed pyspark package (its jars/ and bin/ are Spark's)."""
    if os.environ.get("SPARK_HOME"):
        return Path(os.environ["SPARK_HOME"])
    home = pyspark_home()
    if home is None:
        raise EntrypointError("pyspark is not installed and SPARK_HOME is not set")
    return home


def executor_command(env: Mapping[str, str], home: Path) -> list[str]:
    """The executor JVM's argv from the pod's env, as Spark's entrypoint.sh builds it."""
    missing = [name for _, name in EXECUTOR_FLAGS if not env.get(name)] + \
        [name for name in ("SPARK_EXECUTOR_MEMORY",) if not env.get(name)]
    if missing:
        raise EntrypointError(f"executor: Spark's Kubernetes backend sets {', '.join(missing)}; missing here")
    numbered = ((_JAVA_OPT.match(name), value) for name, value in env.items())
    java_options = [value for _, value in sorted((int(match.group(1)), value) for match, value in numbered if match)]
    classpath = [env[name] for name in ("SPARK_CONF_DIR", "HADOOP_CONF_DIR") if env.get(name)]
    classpath += [str(home / "jars" / "*")] + [env[name] for name in ("SPARK_EXTRA_CLASSPATH",) if env.get(name)]
    java = str(Path(env["JAVA_HOME"]) / "bin" / "java") if env.get("JAVA_HOME") else "java"
    memory = env["SPARK_EXECUTOR_MEMORY"]
    return [java, *java_options, f"-Xms{memory}", f"-Xmx{memory}", "-cp", ":".join(classpath), EXECUTOR_CLASS,
            *[part for flag, name in EXECUTOR_FLAGS for part in (flag, env[name])]]


def standalone_command(role: str, args: list[str], home: Path) -> list[str]:
    """`master [options]` or `worker <master-url> [options]` through Spark's launcher."""
    if role == "worker" and not any(arg.startswith("spark://") for arg in args):
        raise EntrypointError("worker: give the master URL, e.g. `worker spark://master:7077 --cores 2`")
    return [str(home / "bin" / "spark-class"), STANDALONE_CLASSES[role], *args]


def command(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """What to exec for the container's arguments: an executor, a master or worker, or argv itself."""
    if not argv:
        raise EntrypointError("no command: give `executor`, `master`, `worker <url>` or a command to run")
    role, rest = argv[0], argv[1:]
    if role == "executor":
        return executor_command(env, spark_home())
    if role in STANDALONE_CLASSES:
        return standalone_command(role, rest, spark_home())
    return argv


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    env = dict(os.environ)
    if argv[:1] == ["worker"]:
        env.setdefault("SPARK_WORKER_DIR", WORKER_DIR)
    try:
        argv_to_run = command(argv, env)
    except EntrypointError as error:
        print(f"entrypoint: {error}", file=sys.stderr)
        sys.exit(2)
    sys.stdout.flush()
    os.execvpe(argv_to_run[0], argv_to_run, env)


if __name__ == "__main__":
    main()
