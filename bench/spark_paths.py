"""The Spark-side paths (run inside a bench host process): load the input, spark_udf, row-at-a-time UDF, ours.

Every path reads the same Hive input partition and writes a Hive output partition, in a session started once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bench import data

INPUT_TABLE = "bench.features"
PARTITION_COLUMN = "dt"
# Input files per million rows: enough equal files that two cores get balanced work.
FILES_PER_MILLION = 4


@dataclass
class RunOutcome:
    """One measured run: rows scored, wall seconds, and the step's phase timings and file io when it reports them."""

    rows: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    file_io: str = ""


def location_uri(location: str | Path) -> str:
    """A folder as a URI: one that names its file system (`hdfs://...`) as it is, a local path as `file://`."""
    text = str(location)
    return text if "://" in text else Path(text).resolve().as_uri()


def session_conf(warehouse_dir: str | Path, tmp_dir: Path, metastore_uri: str) -> dict[str, str]:
    """Settings every bench session shares: the stack's catalog and warehouse, temp files in our folder."""
    return {
        "spark.hadoop.hive.metastore.uris": metastore_uri,
        "spark.sql.warehouse.dir": location_uri(warehouse_dir),
        "spark.local.dir": str(tmp_dir / "spark-local"),
        "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={tmp_dir}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
    }


def plain_session(master: str, conf: dict[str, str]) -> SparkSession:
    """A session as a user writing their own job would start it: Hive support, defaults otherwise."""
    builder = SparkSession.builder.appName("bench").master(master).enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def files_for(rows: int) -> int:
    """Input files for a partition of `rows` rows: FILES_PER_MILLION per million, at least 2 (two cores)."""
    return max(2, round(rows / 1_000_000 * FILES_PER_MILLION))


def load_input(spark: SparkSession, folders: dict[str, str]) -> None:
    """Creates `bench.features` and points partition `ds` at each Parquet folder, a local path or a URI (replacing
    an older one)."""
    spark.sql("CREATE DATABASE IF NOT EXISTS bench")
    columns = ", ".join([f"{data.ID_COLUMN} BIGINT", *(f"{name} DOUBLE" for name in data.feature_names())])
    spark.sql(f"CREATE TABLE IF NOT EXISTS {INPUT_TABLE} ({columns}) PARTITIONED BY ({PARTITION_COLUMN} STRING) "
              "STORED AS PARQUET")
    for ds, folder in folders.items():
        spec = f"{PARTITION_COLUMN}='{ds}'"
        spark.sql(f"ALTER TABLE {INPUT_TABLE} DROP IF EXISTS PARTITION ({spec})")
        spark.sql(f"ALTER TABLE {INPUT_TABLE} ADD PARTITION ({spec}) LOCATION '{location_uri(folder)}'")


def _output_table(spark: SparkSession, table: str) -> None:
    spark.sql(f"CREATE TABLE IF NOT EXISTS {table} ({data.ID_COLUMN} BIGINT, score DOUBLE) "
              f"PARTITIONED BY ({PARTITION_COLUMN} STRING) STORED AS PARQUET")


def _insert_scores(spark: SparkSession, scored, table: str, ds: str) -> int:
    scored.createOrReplaceTempView("bench_scored")
    spark.sql(f"INSERT OVERWRITE TABLE {table} PARTITION ({PARTITION_COLUMN}='{ds}') "
              f"SELECT {data.ID_COLUMN}, score FROM bench_scored")
    return spark.table(table).where(F.col(PARTITION_COLUMN) == ds).count()


def _input(spark: SparkSession, ds: str):
    return spark.table(INPUT_TABLE).where(F.col(PARTITION_COLUMN) == ds)


def thread_cap_conf(threads: int) -> dict[str, str]:
    """Spark settings that cap the native threads of every Python worker, as the score step's session does."""
    from jobs.common.spark import THREAD_ENV_VARS

    return {f"spark.executorEnv.{name}": str(threads) for name in THREAD_ENV_VARS}


def build_spark_udf(spark: SparkSession, model_uri: str):
    """MLflow's own route: `spark_udf(env_manager="local")` (downloads the model and ships it to the workers)."""
    import mlflow.pyfunc

    return mlflow.pyfunc.spark_udf(spark, model_uri, result_type="double", env_manager="local")


def run_spark_udf(spark: SparkSession, predict, ds: str, table: str = "bench.scores_spark_udf") -> RunOutcome:
    """Scores partition `ds` with the spark_udf `predict` over the feature struct; INSERT OVERWRITE the scores.

    In local mode MLflow's UDF loads the model from its local folder in every task (its per-process model cache
    serves clusters only), so reusing `predict` saves the download and the shipping, not the loads.
    """
    started = time.monotonic()
    _output_table(spark, table)
    frame = _input(spark, ds)
    scored = frame.select(data.ID_COLUMN, predict(F.struct(*data.feature_names())).alias("score"))
    rows = _insert_scores(spark, scored, table, ds)
    return RunOutcome(rows, time.monotonic() - started)


def read_scores(spark: SparkSession, table: str, ds: str):
    """(ids, scores) of partition `ds` of `table` as numpy arrays, for the score check (Arrow transfer)."""
    # Another path's session may have rewritten the table since this session last listed its files.
    spark.catalog.refreshTable(table)
    frame = spark.table(table).where(F.col(PARTITION_COLUMN) == ds).select(data.ID_COLUMN, "score").toPandas()
    return frame[data.ID_COLUMN].to_numpy(), frame["score"].to_numpy(dtype="float64")


def clear_partition(spark: SparkSession, table: str, ds: str) -> None:
    """Drops partition `ds` of `table` (its files too, for a managed table), so a run that writes nothing leaves
    nothing for the score check to find."""
    if spark.catalog.tableExists(table):
        spark.sql(f"ALTER TABLE {table} DROP IF EXISTS PARTITION ({PARTITION_COLUMN}='{ds}')")


def run_row_udf(spark: SparkSession, model_dir: str, ds: str) -> RunOutcome:
    """The anti-pattern: a plain Python UDF calling `predict` on a one-row DataFrame per row."""
    from pyspark.sql.functions import udf

    started = time.monotonic()
    table = "bench.scores_row_udf"
    _output_table(spark, table)
    score_row = udf(_row_scorer(model_dir, data.feature_names()), "double")
    scored = _input(spark, ds).select(data.ID_COLUMN, score_row(*data.feature_names()).alias("score"))
    rows = _insert_scores(spark, scored, table, ds)
    return RunOutcome(rows, time.monotonic() - started)


def _row_scorer(model_dir: str, features: list[str]):
    loaded: dict[str, object] = {}  # once per Python worker: the UDF is slow enough without reloading

    def score(*values: float) -> float:
        import mlflow.pyfunc
        import pandas as pd

        if "model" not in loaded:
            loaded["model"] = mlflow.pyfunc.load_model(model_dir)
        return float(loaded["model"].predict(pd.DataFrame([values], columns=features))[0])

    return score


def ours_request(model: dict[str, str], ds: str, work_dir: Path, output_table: str = "bench.scores_ours",
                 arrow_batch_size: int | None = None, file_io: str = "auto"):
    """The score step's request for partition `ds` (model: name, version, run_id, uri)."""
    from jobs.score.pipeline import ScoreRequest

    return ScoreRequest(
        ds=ds, model_uri=model["uri"], model_name=model["name"], model_version=model["version"],
        model_run_id=model["run_id"], input_table=INPUT_TABLE, input_partition_column=PARTITION_COLUMN,
        id_columns=[data.ID_COLUMN], output_table=output_table, output_partition_column=PARTITION_COLUMN,
        score_column="score", arrow_batch_size=arrow_batch_size, work_dir=work_dir, file_io=file_io,
    )


def run_ours(spark: SparkSession, request) -> RunOutcome:
    """The score step's own library path, `jobs.score.pipeline.score_partition`, Hive table in and out."""
    from jobs.score.pipeline import score_partition

    started = time.monotonic()
    result = score_partition(spark, request)
    return RunOutcome(result.rows_written, time.monotonic() - started, dict(result.timings), result.file_io)
