"""The scoring core as a library function: one input partition through one pinned model into the output table.

`score_partition(spark, request)` is what `python -m jobs.score` runs and what the benchmark calls.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
from mlflow.models import Model
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from contract.choices import FILE_IO, ON_EMPTY
from jobs.common.errors import StepError, TransientError
from jobs.common.params import check_identifier, check_table, parse_date
from jobs.common.registry import ModelRegistry
from jobs.common.timing import timed
from jobs.score.arrow_types import arrow_type, is_feature_type
from jobs.score.bundle import ModelBundle, fetch_bundle
from jobs.score.direct import DirectInput, NotDirect, plan_direct_input, read_sample, sweep_temporaries
from jobs.score.environment.attach import OwnEnvironment
from jobs.score.hive_format import hive_readable_writes
from jobs.score.progress import Progress, ProgressReport
from jobs.score.publish import OutputColumn, ensure_output_table, publish_partition
from jobs.score.shaping import DOUBLE, ScoreColumn, describe_output
from jobs.score.signature import FeaturePlan, ModelInput, plan_features
from jobs.score.warmup import WorkerWarmUp
from jobs.score.worker import FileOutput, cached_model, make_arrow_scorer, make_batch_scorer, make_file_scorer

log = logging.getLogger(__name__)
METADATA_COLUMNS = [
    OutputColumn("model_name", "string"), OutputColumn("model_version", "string"),
    OutputColumn("model_run_id", "string"), OutputColumn("scored_at", "timestamp"),
]
PROBE_ROWS = 16
# Default rows per batch: about this many bytes of features, within these bounds. The model's working copies of a
# batch should stay in the CPU caches, so such batches scored faster than 100k-row ones (docs/BENCHMARKS.md); each
# task holds one batch and its copies at a time, so smaller batches also need less memory.
BATCH_FEATURE_BYTES = 6 * 2**20
BATCH_ROWS_BOUNDS = (1_000, 100_000)


@dataclass(frozen=True)
class ScoreRequest:
    """What to score and where to write it; checked once, when it is made (validate_request).

    Attributes:
        ds: partition date, YYYY-MM-DD.
        model_uri: pinned model URI (`models:/name/version` from fetch-model, or `runs:/...`).
        model_name, model_version, model_run_id: lineage written into every output row.
        input_table, input_partition_column: `db.table` and its partition column.
        id_columns: columns copied from input to output (at least one).
        output_table, output_partition_column, score_column: where and under which name scores go.
        on_empty: `fail` (default: an empty input never replaces existing scores) or `skip` (exit 0, no write).
        arrow_batch_size: rows per Arrow batch handed to the model (read, scored and written at a time); None
            for about BATCH_FEATURE_BYTES of features per batch (see batch_rows).
        min_partitions: repartition the input to at least this many tasks (None: Spark's default parallelism)
            so every core scores even when the partition is one small file.
        work_dir: folder for the downloaded model and its archive (default: a new temp folder).
        shipped_requirements: packages installed for the model that executors must get inside the model archive
            (a cluster master: executors do not share the step's environment); None ships none.
        file_io: `auto` (default: the direct Parquet path when the input allows it, see direct.py) or `spark`
            (always Spark's reader and writer).
        own_environment: score in the model's own environment (jobs/score/environment/); None: in the image's.
    """

    ds: str
    model_uri: str
    model_name: str
    model_version: str
    model_run_id: str
    input_table: str
    input_partition_column: str
    id_columns: list[str]
    output_table: str
    output_partition_column: str
    score_column: str = "score"
    on_empty: str = "fail"
    arrow_batch_size: int | None = None
    min_partitions: int | None = None
    work_dir: Path | None = None
    file_io: str = "auto"
    shipped_requirements: Path | None = None
    own_environment: OwnEnvironment | None = None

    def __post_init__(self) -> None:
        validate_request(self)


@dataclass(frozen=True)
class ScoreResult:
    """Outcome of one scoring run.

    Attributes:
        rows_written: rows the output partition now holds (0 when skipped).
        skipped: True when the input partition was empty and on_empty was `skip`.
        score_columns: names of the stored score columns.
        seconds: wall time of score_partition.
        timings: seconds per phase (model_download, checks, probe, score_and_write).
        file_io: the path that read and wrote the rows: `direct` or `spark`.
    """

    rows_written: int
    skipped: bool
    score_columns: list[str]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    file_io: str = "spark"


def validate_request(request: ScoreRequest) -> None:
    """Checks every value that reaches SQL or a path (dates, identifiers, tables, choices)."""
    parse_date(request.ds)
    # The step is normally given fetch-model's pinned URI; run by hand it must still never read outside the registry.
    ModelRegistry.check_uri(request.model_uri)
    check_table(request.input_table, "--input-table")
    check_table(request.output_table, "--output-table")
    check_identifier(request.input_partition_column, "--input-partition-column")
    check_identifier(request.output_partition_column, "--output-partition-column")
    check_identifier(request.score_column, "--score-column")
    if not request.id_columns:
        raise StepError("--id-column: at least one id column is required")
    for column in request.id_columns:
        check_identifier(column, "--id-column")
    if request.on_empty not in ON_EMPTY:
        raise StepError(f"--on-empty: {request.on_empty!r} is not one of {', '.join(ON_EMPTY)}")
    if request.arrow_batch_size is not None and request.arrow_batch_size < 1:
        raise StepError("--arrow-batch-size must be at least 1")
    if request.file_io not in FILE_IO:
        raise StepError(f"--file-io: {request.file_io!r} is not one of {', '.join(FILE_IO)}")


def model_inputs(model_dir: Path) -> list[ModelInput] | None:
    """Named inputs of the model's signature, or None when it has none or only unnamed tensors."""
    signature = Model.load(str(model_dir)).signature
    if signature is None or signature.inputs is None or not signature.inputs.has_input_names():
        return None
    inputs = []
    for spec in signature.inputs.inputs:
        type_name = getattr(getattr(spec, "type", None), "name", None)
        if type_name is None:  # tensor spec: no per-column type to check
            return None
        inputs.append(ModelInput(spec.name, type_name, getattr(spec, "required", True)))
    return inputs


def _input_frame(spark: SparkSession, request: ScoreRequest) -> DataFrame:
    try:  # one metastore lookup instead of tableExists followed by table
        frame = spark.table(request.input_table)
    except AnalysisException as error:
        if error.getCondition() != "TABLE_OR_VIEW_NOT_FOUND":
            raise
        raise StepError(f"--input-table: table {request.input_table} does not exist") from error
    columns = {name.lower() for name in frame.columns}
    missing = [c for c in [request.input_partition_column, *request.id_columns] if c.lower() not in columns]
    if missing:
        raise StepError(
            f"input table {request.input_table} has no column(s) {', '.join(missing)}; its columns: "
            f"{', '.join(frame.columns)}"
        )
    return frame.where(F.col(request.input_partition_column) == F.lit(request.ds))


def _spark_sample(features: DataFrame, columns: list[str]):
    """The first PROBE_ROWS rows of `features` as pandas, converted through Arrow as the scoring batches are.

    Not `features.limit(n).toPandas()`: Arrow's collect executes the limit as a plan, a task on every input split and
    a shuffle into one partition (its cost: docs/BENCHMARKS.md); `take` reads splits only until it has the rows,
    which are then converted from a local relation.
    """
    rows = features.take(PROBE_ROWS)
    return features.sparkSession.createDataFrame(rows, features.schema).toPandas()[columns]


def batch_rows(request: ScoreRequest, feature_count: int) -> int:
    """Rows per batch: the request's, else about BATCH_FEATURE_BYTES of 8-byte features, within BATCH_ROWS_BOUNDS."""
    if request.arrow_batch_size is not None:
        return request.arrow_batch_size
    low, high = BATCH_ROWS_BOUNDS
    return max(low, min(high, BATCH_FEATURE_BYTES // (8 * max(1, feature_count))))


def _features_frame(frame: DataFrame, plan: FeaturePlan, id_columns: list[str]) -> DataFrame:
    selected = list(dict.fromkeys([*id_columns, *plan.columns]))
    return frame.select(*[
        F.col(name).cast(plan.casts[name]).alias(name) if name in plan.casts else F.col(name) for name in selected
    ])


def prepare_model(request: ScoreRequest, work_dir: Path) -> ModelBundle:
    """Downloads and packs the pinned model and loads it into this process's model cache.

    Needs no Spark session, so the step runs it while the session starts (the model's imports and unpickling
    cost seconds of driver CPU that the JVM start leaves idle).
    """
    bundle = fetch_bundle(request.model_uri, request.model_version, work_dir, request.shipped_requirements,
                          request.own_environment)
    driver_model(bundle)
    return bundle


def driver_model(bundle: ModelBundle):
    """The model as the driver uses it (the probe): loaded once, with MLflow's mismatch warnings in the step's log."""
    return cached_model(bundle.key, str(bundle.local_dir), warn=True, driver=True)


def score_partition(spark: SparkSession, request: ScoreRequest, bundle: ModelBundle | None = None) -> ScoreResult:
    """Scores one input partition and publishes it atomically as the output partition.

    Order (the request's values were checked when it was made): download the model (unless `bundle` is given) and
    ship it to the executors, where a background job starts the Python workers and loads it (warmup.py) meanwhile;
    check its signature against the input table; plan the direct Parquet path when the input allows it (direct.py);
    check the input partition is not empty; predict a small sample on the driver (decides the score columns, see
    shaping.py); create/check the output table; score whole Arrow batches with the model loaded once per Python
    worker, either in tasks that read and write the Parquet files themselves (direct) or through mapInPandas
    (Spark's reader and writer); and publish (see publish.py). Every check runs before the first byte is written.

    Args:
        spark: a session with Hive support (jobs.common.spark.build_spark).
        request: what to score (see ScoreRequest).
        bundle: the pinned model already fetched (prepare_model), or None to fetch it here.

    Returns:
        ScoreResult with the rows written and phase timings.

    Raises:
        StepError: bad values, missing tables/columns, signature mismatch, empty input with on_empty=fail,
            a model that fails on the data (nothing is written in all these cases).
    """
    started = time.monotonic()
    timings: dict[str, float] = {}
    work_dir = request.work_dir or Path(tempfile.mkdtemp(prefix="score-"))

    if bundle is None:
        with timed(timings, "model_download"):
            bundle = fetch_bundle(request.model_uri, request.model_version, work_dir, request.shipped_requirements,
                                  request.own_environment)
    if bundle.environment is not None and bundle.environment.archive is not None:
        spark.sparkContext.addArchive(str(bundle.environment.archive))
    spark.sparkContext.addArchive(str(bundle.archive))
    with WorkerWarmUp(spark, bundle):
        result = _checked_score(spark, request, bundle, timings)
    return replace(result, seconds=time.monotonic() - started)


def _checked_score(spark: SparkSession, request: ScoreRequest, bundle: ModelBundle,
                   timings: dict[str, float]) -> ScoreResult:
    """score_partition after the model is shipped: checks, probe, output table, scoring and publish."""
    with timed(timings, "checks"):
        frame = _input_frame(spark, request)
        excluded = {request.input_partition_column, *request.id_columns}
        table_columns = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
        plan = plan_features(model_inputs(bundle.local_dir), table_columns, excluded, request.input_table)
        if not plan.columns:
            raise StepError(f"input table {request.input_table} has no feature columns besides ids and partition")
        features = _features_frame(frame, plan, request.id_columns)
        rows_per_batch = batch_rows(request, len(plan.columns))
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(rows_per_batch))
        direct = _plan_direct(spark, request, features)
        sample = read_sample(direct, PROBE_ROWS) if direct else _spark_sample(features, plan.columns)
    if sample.empty:
        message = (f"input partition {request.input_partition_column}={request.ds} of {request.input_table} "
                   f"is empty")
        if request.on_empty == "fail":
            raise StepError(f"{message}; nothing was written (use --on-empty skip to succeed without writing)")
        log.warning("%s; skipping (--on-empty skip), output left as it was", message)
        return ScoreResult(0, True, [], 0.0, timings)

    with timed(timings, "probe"):
        try:
            probe = driver_model(bundle).predict(sample)
        except Exception as error:
            raise StepError(f"the model failed on a sample of the input; nothing was written: {error}") from error
        score_columns = describe_output(probe, request.score_column)

    with timed(timings, "score_and_write"):
        rows = _write_scores(spark, request, bundle, features, plan, direct, score_columns, rows_per_batch)
    return ScoreResult(rows, False, [c.name for c in score_columns], 0.0, timings, "direct" if direct else "spark")


def _write_scores(spark: SparkSession, request: ScoreRequest, bundle: ModelBundle, features: DataFrame,
                  plan: FeaturePlan, direct: DirectInput | None, score_columns: list[ScoreColumn],
                  rows_per_batch: int) -> int:
    """Creates or checks the output table, scores every row and publishes the partition; returns its rows."""
    id_fields = [features.schema[name] for name in request.id_columns]
    output_columns = [OutputColumn(f.name, f.dataType.simpleString()) for f in id_fields]
    output_columns += [OutputColumn(c.name, c.type) for c in score_columns] + METADATA_COLUMNS
    table_location = ensure_output_table(spark, request.output_table, output_columns,
                                         request.output_partition_column)
    lineage = {"model_name": request.model_name, "model_version": request.model_version,
               "model_run_id": request.model_run_id, "scored_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
    if direct:
        write = _direct_writer(spark, direct, bundle, score_columns, output_columns, lineage, rows_per_batch)
    else:
        write = _spark_writer(spark, features, bundle, plan, request, score_columns, id_fields, lineage)
    try:
        return publish_partition(spark, write, request.output_table, table_location,
                                 request.output_partition_column, request.ds)
    except Exception as error:
        if isinstance(error, StepError):
            raise
        # Not one of our named permanent errors: an executor or a connection may have been lost, so exit as
        # transient and let Argo try again (the partition is untouched either way).
        cause = _root_cause(error)
        raise TransientError(f"scoring failed; the output partition was left as it was: {cause}") from error


def _plan_direct(spark: SparkSession, request: ScoreRequest, features: DataFrame) -> DirectInput | None:
    """The direct Parquet path's plan, or None (with the reason logged) when Spark's reader and writer must run."""
    if request.file_io == "spark":
        log.info("file io: spark (--file-io spark)")
        return None
    try:
        direct = plan_direct_input(spark, request.input_table, request.input_partition_column, features,
                                   request.id_columns, _parallelism(spark, request))
    except NotDirect as reason:
        log.info("file io: spark, the direct Parquet path does not apply: %s", reason)
        return None
    log.info("file io: direct, %d rows in %d work units", direct.rows, len(direct.units))
    return direct


def _parallelism(spark: SparkSession, request: ScoreRequest) -> int:
    return request.min_partitions or spark.sparkContext.defaultParallelism


def _direct_writer(spark: SparkSession, direct: DirectInput, bundle: ModelBundle, score_columns: list[ScoreColumn],
                   output_columns: list[OutputColumn], lineage: dict[str, object],
                   rows_per_batch: int) -> Callable[[str], int]:
    schema = pa.schema([(c.name, pa.timestamp("us", tz="UTC") if c.type == "timestamp" else arrow_type(c.type))
                        for c in output_columns])
    scored_at = lineage["scored_at"].replace(tzinfo=dt.UTC)

    def write(folder: str) -> int:
        output = FileOutput(folder, uuid.uuid4().hex[:12], schema, {**lineage, "scored_at": scored_at},
                            rows_per_batch)
        rows_scored, units_scored = spark.sparkContext.accumulator(0), spark.sparkContext.accumulator(0)
        scorer = make_file_scorer(bundle.key, bundle.archive_name, direct, score_columns, output, rows_scored,
                                  units_scored)
        units = spark.sparkContext.parallelize(direct.units, len(direct.units))
        with _progress_report(units_scored, len(direct.units), rows_scored):
            rows = sum(units.mapPartitions(scorer).collect())
        sweep_temporaries(folder)
        if rows != direct.rows:  # a guard: a lost or doubled unit must never be published
            raise StepError(f"the direct path wrote {rows} rows for {direct.rows} input rows; nothing was published")
        return rows

    return write


def _spark_writer(spark: SparkSession, features: DataFrame, bundle: ModelBundle, plan: FeaturePlan,
                  request: ScoreRequest, score_columns: list[ScoreColumn], id_fields: list[StructField],
                  lineage: dict[str, object]) -> Callable[[str], int]:
    parallelism = _parallelism(spark, request)
    partitions = features.rdd.getNumPartitions()
    if partitions < parallelism:
        features, partitions = features.repartition(parallelism), parallelism
    schema = StructType([
        *id_fields,
        *[StructField(c.name, DoubleType() if c.type == DOUBLE else StringType()) for c in score_columns],
    ])
    # The accumulator counts rows in the write job itself. The scorer runs in that job's result stage, where Spark
    # applies each partition's update once (retried or speculative copies of a task are not counted twice).
    rows_scored, units_scored = spark.sparkContext.accumulator(0), spark.sparkContext.accumulator(0)
    scorer_arguments = (bundle.key, bundle.archive_name, plan.columns, request.id_columns, score_columns,
                        rows_scored, units_scored)
    if _arrow_features(features, plan):
        scored = features.mapInArrow(make_arrow_scorer(*scorer_arguments), schema)
    else:
        scored = features.mapInPandas(make_batch_scorer(*scorer_arguments), schema)
        for column in score_columns:
            if column.type == DOUBLE:  # shaping turned NaN/inf into NaN; store them as NULL
                scored = scored.withColumn(column.name, F.nanvl(F.col(column.name), F.lit(None).cast("double")))
    scored = scored.select(
        *[F.col(f.name) for f in id_fields], *[F.col(c.name) for c in score_columns],
        *[F.lit(value).alias(name) for name, value in lineage.items() if name != "scored_at"],
        F.lit(lineage["scored_at"]).cast("timestamp").alias("scored_at"),
    )

    def write(folder: str) -> int:
        with hive_readable_writes(spark), _progress_report(units_scored, partitions, rows_scored):
            scored.write.mode("errorifexists").parquet(folder)
        return rows_scored.value

    return write


def _arrow_features(features: DataFrame, plan: FeaturePlan) -> bool:
    """True when every feature reaches the model as a number or a boolean (make_arrow_scorer's condition)."""
    kinds = [arrow_type(features.schema[name].dataType.simpleString()) for name in plan.columns]
    return all(kind is not None and is_feature_type(kind) for kind in kinds)


def _progress_report(units_scored, total_units: int, rows_scored) -> ProgressReport:
    """Progress lines from the scoring job's accumulators (the driver adds each task's counts as the task ends)."""
    return ProgressReport(lambda: Progress(units_scored.value, total_units, rows_scored.value))


def _root_cause(error: Exception) -> str:
    """The last meaningful line of a (possibly Py4J-wrapped Python worker) error."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "Exception" in line:
            return line[:1000]
    return lines[-1][:1000] if lines else repr(error)
