"""The image's entry point: executor argv from the env Spark's Kubernetes backend sets, standalone roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs import entrypoint
from jobs.entrypoint import EXECUTOR_CLASS, EntrypointError, command, executor_command

HOME = Path("/opt/spark-home")
EXECUTOR_ENV = {
    "SPARK_DRIVER_URL": "spark://CoarseGrainedScheduler@10.0.0.5:7078",
    "SPARK_EXECUTOR_ID": "3",
    "SPARK_EXECUTOR_CORES": "2",
    "SPARK_EXECUTOR_MEMORY": "3072m",
    "SPARK_APPLICATION_ID": "spark-application-1",
    "SPARK_EXECUTOR_POD_IP": "10.0.0.9",
    "SPARK_RESOURCE_PROFILE_ID": "0",
    "SPARK_EXECUTOR_POD_NAME": "score-exec-3",
    "SPARK_CONF_DIR": "/opt/spark/conf",
    "SPARK_JAVA_OPT_10": "-Dlast=1",
    "SPARK_JAVA_OPT_2": "-Dsecond=1",
    "SPARK_JAVA_OPT_0": "-Dfirst=1",
}


def test_executor_command_is_what_spark_entrypoint_builds():
    argv = executor_command(EXECUTOR_ENV, HOME)
    assert argv[:6] == ["java", "-Dfirst=1", "-Dsecond=1", "-Dlast=1", "-Xms3072m", "-Xmx3072m"]  # numeric order
    assert argv[6:9] == ["-cp", f"/opt/spark/conf:{HOME}/jars/*", EXECUTOR_CLASS]
    flags = dict(zip(argv[9::2], argv[10::2], strict=True))
    assert flags == {"--driver-url": EXECUTOR_ENV["SPARK_DRIVER_URL"], "--executor-id": "3", "--cores": "2",
                     "--app-id": "spark-application-1", "--hostname": "10.0.0.9", "--resourceProfileId": "0",
                     "--podName": "score-exec-3"}


def test_executor_uses_java_home():
    assert executor_command({**EXECUTOR_ENV, "JAVA_HOME": "/usr/lib/jvm/x"}, HOME)[0] == "/usr/lib/jvm/x/bin/java"


def test_executor_without_spark_env_names_what_is_missing():
    env = {key: value for key, value in EXECUTOR_ENV.items() if key != "SPARK_DRIVER_URL"}
    with pytest.raises(EntrypointError, match="SPARK_DRIVER_URL"):
        executor_command(env, HOME)


def test_roles_and_pass_through(monkeypatch):
    monkeypatch.setattr(entrypoint, "spark_home", lambda: HOME)
    assert command(["python", "-m", "jobs.score", "--help"], {}) == ["python", "-m", "jobs.score", "--help"]
    assert command(["master", "--host", "0.0.0.0"], {}) == [
        f"{HOME}/bin/spark-class", "org.apache.spark.deploy.master.Master", "--host", "0.0.0.0"]
    assert command(["worker", "spark://m:7077"], {})[1] == "org.apache.spark.deploy.worker.Worker"
    with pytest.raises(EntrypointError, match="master URL"):
        command(["worker"], {})
    with pytest.raises(EntrypointError):
        command([], {})


def test_spark_home_is_the_pyspark_package(monkeypatch):
    monkeypatch.delenv("SPARK_HOME", raising=False)
    assert (entrypoint.spark_home() / "jars").is_dir()
