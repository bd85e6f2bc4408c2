"""The steps' Spark settings: defaults, the caller's overrides, and driver JVM options merged, not replaced."""

from __future__ import annotations

from jobs.common.jvm_archive import ARCHIVE_ENV
from jobs.common.spark import (
    DRIVER_JAVA_OPTIONS,
    DRIVER_JIT_OPTION,
    LOG4J2_CONFIG,
    METASTORE_FILTER_HOOK,
    session_env,
    session_settings,
)

LOG4J2_OPTION = f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}"


def test_defaults_reach_the_metastore_and_keep_temp_files_in_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ARCHIVE_ENV, raising=False)
    settings = session_settings("thrift://127.0.0.1:9083", tmp_path, model_threads=2, master="local[2]")
    assert settings["spark.hadoop.hive.metastore.uris"] == "thrift://127.0.0.1:9083"
    assert settings["spark.executorEnv.OMP_NUM_THREADS"] == "2"
    # Preset to the value Hive's client would switch to mid-run (and reconnect after 1 s, HIVE-24404), and under the
    # name Hive 2.3's SessionState reads it back by (else it warns that the hook is ignored).
    assert settings["spark.hadoop.hive.metastore.filter.hook"] == METASTORE_FILTER_HOOK
    assert settings["spark.hadoop.METASTORE_FILTER_HOOK"] == METASTORE_FILTER_HOOK
    assert settings[DRIVER_JAVA_OPTIONS] == f"-Djava.io.tmpdir={tmp_path} {LOG4J2_OPTION} {DRIVER_JIT_OPTION}"
    assert LOG4J2_CONFIG.is_file()


def test_the_driver_keeps_c2_only_where_it_moves_the_rows_itself(tmp_path, monkeypatch):
    monkeypatch.delenv(ARCHIVE_ENV, raising=False)

    def options(master: str, file_io: str) -> str:
        return session_settings("thrift://h:1", tmp_path, master=master, file_io=file_io)[DRIVER_JAVA_OPTIONS]

    assert DRIVER_JIT_OPTION not in options("local[2]", "spark")  # Spark's reader and writer in the driver JVM
    assert DRIVER_JIT_OPTION in options("local[2]", "auto")
    assert DRIVER_JIT_OPTION in options("spark://h:7077", "spark")  # executors move the rows, with their own JIT


def test_a_local_master_takes_its_scratch_folder_and_address_from_the_environment(tmp_path):
    local = session_settings("thrift://127.0.0.1:9083", tmp_path, master="local[*]")
    assert "spark.local.dir" not in local  # Spark warns that a cluster manager overrides it; a local run has none
    assert session_env("local[2]", tmp_path) == {"SPARK_LOCAL_DIRS": str(tmp_path / "spark-local"),
                                                 "SPARK_LOCAL_IP": "127.0.0.1"}
    # A cluster master: executors must reach the driver, and Kubernetes mounts their scratch at spark.local.dir.
    cluster = session_settings("thrift://127.0.0.1:9083", tmp_path, master="k8s://https://127.0.0.1:6443")
    assert cluster["spark.local.dir"] == str(tmp_path / "spark-local")
    assert session_env("spark://127.0.0.1:7077", tmp_path) == {}


def test_caller_settings_win_but_driver_java_options_are_appended_to_the_steps_own(tmp_path, monkeypatch):
    archive = tmp_path / "driver.jsa"
    archive.write_bytes(b"x")
    monkeypatch.setenv(ARCHIVE_ENV, str(archive))
    settings = session_settings("thrift://127.0.0.1:9083", tmp_path, conf={
        "spark.sql.shuffle.partitions": "64",
        DRIVER_JAVA_OPTIONS: "-Dlog4j.configurationFile=custom.xml -XX:TieredStopAtLevel=4",
    })
    assert settings["spark.sql.shuffle.partitions"] == "64"
    options = settings[DRIVER_JAVA_OPTIONS].split()
    assert options[:4] == [f"-Djava.io.tmpdir={tmp_path}", LOG4J2_OPTION, DRIVER_JIT_OPTION,
                           f"-XX:SharedArchiveFile={archive}"]
    # The caller's flags come last, so the JVM takes theirs where both name the same flag.
    assert options[4:] == ["-Dlog4j.configurationFile=custom.xml", "-XX:TieredStopAtLevel=4"]
