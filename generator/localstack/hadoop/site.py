"""Configuration files of the hadoop profile: Hive 4's hive-site.xml and Spark's spark-defaults.conf for YARN.

Both live in the run dir, in the folders a real cluster's pods get from ConfigMaps (docs/HADOOP.md):
HADOOP_CONF_DIR (core-site, hdfs-site, yarn-site written by the minicluster launcher; hive-site written here) and
SPARK_CONF_DIR (spark-defaults.conf).
"""

from __future__ import annotations

from pathlib import Path

from generator.localstack.hive_site import derby_metastore_properties, session_resources_dir

HIVE_VERSION = "4.0.1"
PYTHON_ENV_LINK = "pyenv"
# Java 17 closes the JDK's internals; Hive 4.0.1 (StringInternUtils, Kryo) reflects into them, as Spark does.
JAVA_OPENS = tuple(
    f"--add-opens=java.base/{package}=ALL-UNNAMED"
    for package in ("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
                    "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "java.util.regex",
                    "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")
) + ("--add-opens=java.sql/java.sql=ALL-UNNAMED",)


def hive_properties(run_dir: Path, hdfs_uri: str, metastore_port: int, hiveserver2_port: int) -> dict[str, str]:
    """Hive 4 settings shared by the metastore and HiveServer2 of a stack whose state lives in `run_dir`."""
    tmp = run_dir / "tmp"
    return {
        **derby_metastore_properties(run_dir),
        # Managed and external tables (Spark's become EXTERNAL_TABLE in Hive 4) both live on HDFS.
        "hive.metastore.warehouse.dir": f"{hdfs_uri}/warehouse/managed",
        "hive.metastore.warehouse.external.dir": f"{hdfs_uri}/warehouse/external",
        "hive.metastore.uris": f"thrift://127.0.0.1:{metastore_port}",
        # HiveServer2 4 asks for the notification event id at start; the default refuses any user not a proxy user.
        "hive.metastore.event.db.notification.api.auth": "false",
        "hive.execution.engine": "tez",
        "tez.local.mode": "true",
        "tez.runtime.optimize.local.fetch": "true",
        "hive.server2.enable.doAs": "false",
        "hive.server2.webui.port": "0",
        "hive.server2.thrift.bind.host": "127.0.0.1",
        "hive.server2.thrift.port": str(hiveserver2_port),
        "hive.server2.authentication": "NONE",
        # A failed start ends the process (the stack reports its log) instead of retrying every minute.
        "hive.server2.max.start.attempts": "1",
        # Derby's lazily created schema lacks PART_COL_STATS, so an INSERT's automatic statistics fail it; a real
        # cluster's metastore (schema made by schematool) keeps them on.
        "hive.stats.autogather": "false",
        "hive.stats.column.autogather": "false",
        "hive.async.log.enabled": "false",
        "hive.exec.scratchdir": "/tmp/hive",
        "hive.exec.local.scratchdir": str(tmp / "hive-local-scratch"),
        "hive.downloaded.resources.dir": session_resources_dir(tmp),
        "hive.querylog.location": str(tmp / "hive-querylog"),
        "hive.server2.logging.operation.log.location": str(tmp / "operation-logs"),
    }


def spark_defaults(hive_jars: list[str], spark_home: Path, python_env_uri: str, hdfs_uri: str) -> dict[str, str]:
    """spark-defaults.conf for a step with `spark.master: yarn` against this stack.

    Args:
        hive_jars: Hive 4's client jars, for Spark's isolated metastore client.
        spark_home: the pyspark install, whose jars the YARN containers use in place (`local:`, no upload).
        python_env_uri: the packed Python environment on HDFS; each container unpacks it as ./pyenv.
        hdfs_uri: the cluster's default file system (tables Spark creates land under its warehouse).
    """
    return {
        "spark.sql.hive.metastore.version": HIVE_VERSION,
        "spark.sql.hive.metastore.jars": "path",
        "spark.sql.hive.metastore.jars.path": ",".join(Path(jar).as_uri() for jar in hive_jars),
        "spark.sql.warehouse.dir": f"{hdfs_uri}/warehouse/managed",
        "spark.yarn.jars": f"local:{spark_home / 'jars'}/*",
        # YARN's own option, not spark.archives: that one also unpacks the archive into every driver (the step).
        "spark.yarn.dist.archives": f"{python_env_uri}#{PYTHON_ENV_LINK}",
        "spark.yarn.am.memory": "384m",
        "spark.executor.instances": "1",
        "spark.executor.cores": "2",
        "spark.executor.memory": "768m",
        "spark.yarn.submit.waitAppCompletion": "true",
    }


def write_spark_defaults(conf_dir: Path, settings: dict[str, str]) -> Path:
    """Writes `conf_dir/spark-defaults.conf` (sorted, one `key value` per line) and returns its path."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    path = conf_dir / "spark-defaults.conf"
    path.write_text("".join(f"{key} {value}\n" for key, value in sorted(settings.items())))
    return path
