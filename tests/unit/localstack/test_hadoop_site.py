"""Pure parts of the hadoop profile: class-path order, Hive 4 and Spark settings, the packed environment's names."""

from __future__ import annotations

import tarfile
from pathlib import Path

from generator.localstack.hadoop.jars import ordered
from generator.localstack.hadoop.ports import HadoopEndpoints, HadoopPorts
from generator.localstack.hadoop.python_env import pack
from generator.localstack.hadoop.site import hive_properties, spark_defaults


def test_reload4j_goes_after_the_log4j_bridge_and_the_rest_keeps_mavens_order():
    entries = ["/m/hive-exec-4.0.1.jar", "/m/reload4j-1.2.22.jar", "/m/antlr-runtime-3.3.jar",
               "/m/log4j-1.2-api-2.18.0.jar"]
    assert ordered(entries) == ["/m/hive-exec-4.0.1.jar", "/m/antlr-runtime-3.3.jar", "/m/log4j-1.2-api-2.18.0.jar",
                                "/m/reload4j-1.2.22.jar"]


def test_hive_warehouses_on_hdfs_and_server_bound_to_loopback(tmp_path):
    properties = hive_properties(tmp_path, "hdfs://127.0.0.1:8020", 9183, 10100)
    assert properties["hive.metastore.warehouse.dir"] == "hdfs://127.0.0.1:8020/warehouse/managed"
    assert properties["hive.metastore.warehouse.external.dir"] == "hdfs://127.0.0.1:8020/warehouse/external"
    assert properties["hive.metastore.uris"] == "thrift://127.0.0.1:9183"
    assert properties["hive.server2.thrift.bind.host"] == "127.0.0.1"
    assert properties["hive.server2.thrift.port"] == "10100"


def test_spark_defaults_name_hive_4_and_ship_the_environment_to_yarn_only(tmp_path):
    settings = spark_defaults(["/m/a.jar", "/m/b.jar"], Path("/sp"), "hdfs://nn:1/env.tar", "hdfs://nn:1")
    assert settings["spark.sql.hive.metastore.version"] == "4.0.1"
    assert settings["spark.sql.hive.metastore.jars.path"] == "file:///m/a.jar,file:///m/b.jar"
    assert settings["spark.yarn.dist.archives"] == "hdfs://nn:1/env.tar#pyenv"
    assert "spark.archives" not in settings  # that one also unpacks into the driver
    assert settings["spark.yarn.jars"] == "local:/sp/jars/*"


def test_step_env_points_executors_at_the_shipped_python():
    env = HadoopEndpoints(HadoopPorts(), Path("/r/hadoop-conf"), Path("/r/spark-conf")).step_env()
    assert env["SPARK_MASTER"] == "yarn"
    assert env["PYSPARK_PYTHON"] == "./pyenv/bin/python"
    assert env["HADOOP_CONF_DIR"] == "/r/hadoop-conf"
    assert env["HIVE_PORT"] == "10100"


def test_packed_environment_has_no_dot_entry_no_pyspark_and_the_project_packages(tmp_path):
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    for folder in ("pyspark", "pandas", "pandas/__pycache__"):
        (site / folder).mkdir(parents=True)
    (site / "pandas" / "__init__.py").write_text("")
    (site / "__editable___x_finder.py").write_text("")
    (venv / "bin").mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    names = tarfile.open(pack(tmp_path / "env.tar", venv)).getnames()
    assert not any(name in (".", "./") or name.startswith("./") for name in names)
    assert "lib/python3.11/site-packages/pandas/__init__.py" in names
    assert not any("pyspark" in name or "__pycache__" in name or "__editable__" in name for name in names)
    assert "lib/python3.11/site-packages/jobs/score/publish.py" in names
