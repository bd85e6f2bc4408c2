"""Spark session builder for the steps: Hive support through the metastore service, Arrow on, tmp dirs owned."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from jobs.common.errors import StepError, TransientError
from jobs.common.jvm_archive import archive_java_options

# Native thread pools of the model's libraries (OpenMP in scikit-learn's boosting, BLAS) start one thread per
# core in every Python worker; with one worker per Spark task that oversubscribes the cores.
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions"
# The driver JVM compiles with C1 only when it moves no rows: a score step's driver lives for seconds to minutes and,
# on the direct Parquet path or on a cluster, the rows go through Python workers or executors, so C2's compile
# threads cost it more CPU than their faster code saves. Under a local master with Spark's reader and writer
# (`--file-io spark`) the driver is the executor and decodes, converts and encodes every row: there C1-only code
# doubled the JVM's CPU per row (docs/BENCHMARKS.md), so C2 stays on. Executors on a cluster keep their own JIT.
DRIVER_JIT_OPTION = "-XX:TieredStopAtLevel=1"
# Hive 2.3's client sets this hook itself on the first partition lookup with authorization info (DESCRIBE ...
# PARTITION), sees its metastore settings change, closes the connection it is using, and retries after 1 s with a
# "MetaStoreClient lost connection" stack trace (HIVE-24404). Set to the value it would get, nothing changes.
METASTORE_FILTER_HOOK = "org.apache.hadoop.hive.ql.security.authorization.plugin.AuthorizationMetaStoreFilterHook"
# Hive 2.3's SessionState reads the hook back under the enum's name, not the property's (setAuthorizerV2Config:
# `sessionConf.get(ConfVars.METASTORE_FILTER_HOOK.name())`), finds nothing and warns "METASTORE_FILTER_HOOK will be
# ignored" in every step that touches partitions. The same value under that name is what the check compares with.
METASTORE_FILTER_HOOK_AS_READ = "spark.hadoop.METASTORE_FILTER_HOOK"
# The driver's Log4j 2 configuration (WARN and above, start-up notes quieted by logger; see the file).
LOG4J2_CONFIG = Path(__file__).with_name("log4j2.properties")
LOCAL_IP = "127.0.0.1"


def is_local(master: str) -> bool:
    """True for `local`, `local[N]`, `local[*]`: driver and executors are this one process."""
    return master == "local" or master.startswith("local[")


def driver_moves_rows(master: str, file_io: str) -> bool:
    """True when the driver JVM itself reads, converts and writes every row: Spark's reader and writer, local mode."""
    return is_local(master) and file_io == "spark"


def session_settings(metastore_uri: str, tmp_dir: Path, model_threads: int = 1,
                     conf: dict[str, str] | None = None, master: str = "local[*]",
                     file_io: str = "auto") -> dict[str, str]:
    """The Spark settings of build_spark (pure, so the merge rules are tested without a JVM).

    Under a local master the scratch folder comes from session_env instead of `spark.local.dir`: Spark warns on every
    start that a cluster manager would override that setting, which no local run has. A cluster master keeps it
    (Kubernetes mounts each executor's scratch volume at that path).
    `conf` wins over the defaults here, except `spark.driver.extraJavaOptions`, which is appended to the step's own
    (temp dir, C1 JIT unless driver_moves_rows(master, file_io), class-data archive) so the JVM still gets those;
    for a flag given twice the JVM takes the last, so the caller's wins.
    """
    settings = {
        "spark.hadoop.hive.metastore.uris": metastore_uri,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.hadoop.hive.metastore.filter.hook": METASTORE_FILTER_HOOK,
        METASTORE_FILTER_HOOK_AS_READ: METASTORE_FILTER_HOOK,
    }
    if not is_local(master):
        settings["spark.local.dir"] = str(tmp_dir / "spark-local")
    settings.update({f"spark.executorEnv.{name}": str(model_threads) for name in THREAD_ENV_VARS})
    extra = dict(conf or {})
    settings[DRIVER_JAVA_OPTIONS] = " ".join(filter(None, [
        f"-Djava.io.tmpdir={tmp_dir}", f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
        "" if driver_moves_rows(master, file_io) else DRIVER_JIT_OPTION,
        archive_java_options(), extra.pop(DRIVER_JAVA_OPTIONS, ""),
    ]))
    settings.update(extra)
    return settings


def session_env(master: str, tmp_dir: Path) -> dict[str, str]:
    """Environment the driver JVM needs beside its settings; set only where the caller's environment has none.

    Under a local master: the scratch folder (SPARK_LOCAL_DIRS, what Spark reads before `spark.local.dir`), and the
    loopback address to bind to, because nothing outside this process connects to a local driver (else Spark looks
    up the host's name, finds loopback and warns that it picked another interface). A cluster master needs an
    address its executors reach, so there Spark chooses as before.
    """
    if not is_local(master):
        return {}
    return {"SPARK_LOCAL_DIRS": str(tmp_dir / "spark-local"), "SPARK_LOCAL_IP": LOCAL_IP}


def build_spark(app_name: str, master: str, metastore_uri: str, tmp_dir: Path, model_threads: int = 1,
                conf: dict[str, str] | None = None, file_io: str = "auto") -> SparkSession:
    """A SparkSession with Hive support that reaches the catalog through `metastore_uri`.

    Args:
        app_name: Spark application name.
        master: `local[N]`, `local[*]`, `spark://host:port` or `k8s://...`.
        metastore_uri: `thrift://host:port` of the Hive metastore (never an embedded Derby: one JVM only).
        tmp_dir: folder for Spark's local and JVM temp files.
        model_threads: native threads each Python worker's model may use.
        conf: extra Spark settings, merged as session_settings says.
        file_io: the score step's --file-io (`spark` keeps the driver's C2 JIT in local mode, see DRIVER_JIT_OPTION).
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    # Python workers must run the step's own interpreter (its packages, the model's requirements), not whatever
    # `python3` is first on PATH; pyspark reads this variable when the SparkContext starts.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for name, value in session_env(master, tmp_dir).items():
        os.environ.setdefault(name, value)
    builder = SparkSession.builder.appName(app_name).master(master).enableHiveSupport()
    for key, value in session_settings(metastore_uri, tmp_dir, model_threads, conf, master, file_io).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # py4j's Py4JJavaError: the JVM's reason is in its text
        refusal = session_refusal(master, str(error))
        if refusal is None:
            raise
        raise refusal from None
    return spark


# What YARN's ResourceManager says when it refuses an application for good (another attempt meets the same), and
# when it could not be reached (another attempt may pass). Matched in the text of the SparkContext's failure.
YARN_PERMANENT = ("unknown queue", "is stopped", "cannot accept submission of application")
YARN_TRANSIENT = ("Connection refused", "RetriableException")


def session_refusal(master: str, failure: str) -> StepError | None:
    """The step error for a SparkContext that a YARN cluster refused (None: not a refusal this knows; pure).

    An unknown or stopped queue is permanent (exit 2); a ResourceManager that did not answer is transient (exit 1).
    """
    if master != "yarn":
        return None
    lines = [line.strip() for line in failure.splitlines() if "YarnException" in line or "yarn" in line.lower()]
    reason = next((line for line in lines if any(words in line for words in YARN_PERMANENT)), None)
    if reason is not None:
        return StepError(f"YARN ResourceManager refused the Spark application: {reason.split(': ', 1)[-1]}; "
                         f"check spark.yarn.queue in the job's spark.conf or the cluster's spark-defaults.conf")
    if any(words in failure for words in YARN_TRANSIENT):
        return TransientError("YARN ResourceManager (yarn.resourcemanager.address in HADOOP_CONF_DIR) did not "
                              "accept the Spark application: connection failed")
    return None
