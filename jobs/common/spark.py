"""Spark session builder for the steps: Hive support through the metastore service, Arrow on, tmp dirs owned."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from jobs.common.jvm_archive import archive_java_options

# Native thread pools of the model's libraries (OpenMP in scikit-learn's boosting, BLAS) start one thread per
# core in every Python worker; with one worker per Spark task that oversubscribes the cores.
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions"
# The driver JVM compiles with C1 only. A score step's driver lives for seconds to minutes and, on the direct
# Parquet path, moves no rows (Python workers do): C2's compile threads cost it more CPU than their faster code
# saves, on both file paths (docs/BENCHMARKS.md, "What changed"). Executors on a cluster keep their own JIT.
DRIVER_JIT_OPTION = "-XX:TieredStopAtLevel=1"
# Hive 2.3's client sets this hook itself on the first partition lookup with authorization info (DESCRIBE ...
# PARTITION), sees its metastore settings change, closes the connection it is using, and retries after 1 s with a
# "MetaStoreClient lost connection" stack trace (HIVE-24404). Set to the value it would get, nothing changes.
METASTORE_FILTER_HOOK = "org.apache.hadoop.hive.ql.security.authorization.plugin.AuthorizationMetaStoreFilterHook"


def session_settings(metastore_uri: str, tmp_dir: Path, model_threads: int = 1,
                     conf: dict[str, str] | None = None) -> dict[str, str]:
    """The Spark settings of build_spark (pure, so the merge rules are tested without a JVM).

    `conf` wins over the defaults here, except `spark.driver.extraJavaOptions`, which is appended to the step's own
    (temp dir, C1 JIT, class-data archive) so the JVM still gets those; for a flag given twice the JVM takes the
    last, so the caller's wins.
    """
    settings = {
        "spark.hadoop.hive.metastore.uris": metastore_uri,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.local.dir": str(tmp_dir / "spark-local"),
        "spark.sql.shuffle.partitions": "8",
        "spark.hadoop.hive.metastore.filter.hook": METASTORE_FILTER_HOOK,
    }
    settings.update({f"spark.executorEnv.{name}": str(model_threads) for name in THREAD_ENV_VARS})
    extra = dict(conf or {})
    settings[DRIVER_JAVA_OPTIONS] = " ".join(filter(None, [
        f"-Djava.io.tmpdir={tmp_dir}", DRIVER_JIT_OPTION, archive_java_options(), extra.pop(DRIVER_JAVA_OPTIONS, ""),
    ]))
    settings.update(extra)
    return settings


def build_spark(app_name: str, master: str, metastore_uri: str, tmp_dir: Path, model_threads: int = 1,
                conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession with Hive support that reaches the catalog through `metastore_uri`.

    Args:
        app_name: Spark application name.
        master: `local[N]`, `local[*]`, `spark://host:port` or `k8s://...`.
        metastore_uri: `thrift://host:port` of the Hive metastore (never an embedded Derby: one JVM only).
        tmp_dir: folder for Spark's local and JVM temp files.
        model_threads: native threads each Python worker's model may use.
        conf: extra Spark settings, merged as session_settings says.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    # Python workers must run the step's own interpreter (its packages, the model's requirements), not whatever
    # `python3` is first on PATH; pyspark reads this variable when the SparkContext starts.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name).master(master).enableHiveSupport()
    for key, value in session_settings(metastore_uri, tmp_dir, model_threads, conf).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
