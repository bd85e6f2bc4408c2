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


def build_spark(app_name: str, master: str, metastore_uri: str, tmp_dir: Path, model_threads: int = 1,
                conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession with Hive support that reaches the catalog through `metastore_uri`.

    Args:
        app_name: Spark application name.
        master: `local[N]`, `local[*]`, `spark://host:port` or `k8s://...`.
        metastore_uri: `thrift://host:port` of the Hive metastore (never an embedded Derby: one JVM only).
        tmp_dir: folder for Spark's local and JVM temp files.
        model_threads: native threads each Python worker's model may use.
        conf: extra Spark settings; they win over the defaults here.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    # Python workers must run the step's own interpreter (its packages, the model's requirements), not whatever
    # `python3` is first on PATH; pyspark reads this variable when the SparkContext starts.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        "spark.hadoop.hive.metastore.uris": metastore_uri,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.local.dir": str(tmp_dir / "spark-local"),
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={tmp_dir} {archive_java_options()}".strip(),
        "spark.sql.shuffle.partitions": "8",
    }
    settings.update({f"spark.executorEnv.{name}": str(model_threads) for name in THREAD_ENV_VARS})
    settings.update(conf or {})
    builder = SparkSession.builder.appName(app_name).master(master).enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
