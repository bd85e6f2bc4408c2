"""`python -m jobs.score`: install what the model needs, then score one Hive partition with PySpark."""

from __future__ import annotations

import logging
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import click

from contract import step_env, step_outputs
from contract.choices import FILE_IO, ON_EMPTY
from contract.values import (
    ENVIRONMENT_CACHE_DEFAULT,
    ENVIRONMENT_CACHE_RULE,
    MODEL_ENVIRONMENT_DEFAULT,
    MODEL_ENVIRONMENTS,
    MODEL_URI_FORMS,
)
from jobs.common.environment_record import EnvironmentRecord
from jobs.common.logs import configure_logging
from jobs.common.options import (
    ds_option,
    id_columns_option,
    model_lineage_options,
    out_dir_option,
    parse_spark_conf,
    retry_seconds_option,
    score_column_option,
    spark_options,
    table_options,
    tracking_uri_option,
)
from jobs.common.outputs import write_outputs
from jobs.common.services import wait_for_metastore, wait_for_mlflow
from jobs.common.timing import timed
from jobs.score.environment.attach import OwnEnvironment
from jobs.score.environment.build import python_version
from jobs.score.environment.spec import choose_mode
from jobs.score.pipeline import ScoreRequest, prepare_model, score_partition
from jobs.score.requirements import install_missing, parse_requirements, plan_install, refuse_missing

log = logging.getLogger("jobs.score")


@click.command()
@ds_option
@click.option("--model-uri", required=True,
              help=f"Pinned model URI from fetch-model: {MODEL_URI_FORMS} (an alias is resolved again here).")
@model_lineage_options(required=True)
@click.option("--requirements", envvar=step_env.MODEL_REQUIREMENTS, default="",
              help="Text of the model's requirements.txt (env MODEL_REQUIREMENTS); missing packages are installed.")
@click.option("--install-requirements/--no-install-requirements", default=True, show_default=True,
              help="Install the model's missing requirements with pip; with --no-install-requirements a missing "
                   "one fails the step before scoring (clusters without access to a package index).")
@click.option("--model-environment", type=click.Choice(MODEL_ENVIRONMENTS), default=MODEL_ENVIRONMENT_DEFAULT,
              show_default=True,
              help="own: load and score the model in an environment built from its requirements (cached); image: "
                   "in the image's interpreter; auto: own when a version the model pins differs from the image's.")
@click.option("--environment-cache", type=click.Path(file_okay=False, path_type=Path),
              default=Path(ENVIRONMENT_CACHE_DEFAULT), show_default=True,
              help=f"Cache of own environments: {ENVIRONMENT_CACHE_RULE}.")
@table_options("input", "db.table holding the features")
@id_columns_option
@table_options("output", "db.table for the scores (created when missing)")
@score_column_option
@click.option("--on-empty", type=click.Choice(ON_EMPTY), default="fail", show_default=True,
              help="Empty input partition: fail (nothing written) or skip (exit 0, nothing written).")
@spark_options
@tracking_uri_option
@click.option("--arrow-batch-size", type=click.IntRange(1), default=None,
              help="Rows per Arrow batch handed to the model (default: about 6 MiB of features per batch, "
                   "1,000 to 100,000 rows).")
@click.option("--model-threads", type=click.IntRange(1), default=1, show_default=True,
              help="Native threads the model may use per Spark task (avoids oversubscribing the cores).")
@click.option("--file-io", type=click.Choice(FILE_IO), default="auto", show_default=True,
              help="auto: Spark tasks read and write the Parquet files with pyarrow when the input allows it "
                   "(faster), else Spark's reader and writer; spark: always Spark's (docs/STEPS.md).")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the model download and installed requirements (default: a new temp folder).")
@retry_seconds_option
@out_dir_option
def main(ds: str, model_uri: str, model_name: str, model_version: str, model_run_id: str, requirements: str,
         install_requirements: bool, model_environment: str, environment_cache: Path, input_table: str,
         input_partition_column: str, id_columns: tuple[str, ...],
         output_table: str, output_partition_column: str, score_column: str, on_empty: str, spark_master: str,
         spark_conf: tuple[str, ...], metastore_uri: str, tracking_uri: str | None, arrow_batch_size: int | None,
         model_threads: int, file_io: str, work_dir: Path | None, retry_seconds: float, out_dir: Path) -> None:
    """Score the input partition DS with the pinned model into the output table's DS partition.

    The partition is replaced atomically: readers see the complete old scores or the complete new ones.
    """
    configure_logging()
    work_dir = work_dir or Path(tempfile.mkdtemp(prefix="score-"))
    request = ScoreRequest(
        ds=ds, model_uri=model_uri, model_name=model_name, model_version=model_version,
        model_run_id=model_run_id, input_table=input_table, input_partition_column=input_partition_column,
        id_columns=list(id_columns), output_table=output_table, output_partition_column=output_partition_column,
        score_column=score_column, on_empty=on_empty, arrow_batch_size=arrow_batch_size, work_dir=work_dir,
        file_io=file_io,
    )
    conf = parse_spark_conf(spark_conf)
    plan = plan_install(parse_requirements(requirements))
    mode = choose_mode(model_environment, plan)
    if mode == "own":
        # Nothing is installed into the image's environment: the model gets one of its own (jobs/score/environment).
        request = replace(request, own_environment=OwnEnvironment(environment_cache.absolute(),
                                                                  ship=not spark_master.startswith("local")))
        click.echo(f"score: model environment own (--model-environment {model_environment}"
                   + (f"; the model pins {', '.join(r for r, _ in plan.mismatched)})" if plan.mismatched else ")"))
    else:
        if not install_requirements:
            refuse_missing(plan)
        installed = install_missing(plan, work_dir / "model-deps")
        click.echo(f"score: installed {', '.join(installed)}" if installed else "score: no requirement to install")
        if installed and not spark_master.startswith("local"):
            # Executors elsewhere share the image, not this pip run: the packages travel inside the model archive.
            request = replace(request, shipped_requirements=work_dir / "model-deps")
    wait_for_metastore(metastore_uri, retry_seconds)
    wait_for_mlflow(tracking_uri, retry_seconds)

    import mlflow

    from jobs.common.spark import build_spark

    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    started = time.monotonic()
    timings: dict[str, float] = {}
    # The model download, its imports and unpickling need no Spark: run them while the JVM starts.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="model") as pool:
        model = pool.submit(prepare_model, request, work_dir)
        with timed(timings, "session_start"):
            spark = build_spark(f"score-{output_table}-{ds}", spark_master, metastore_uri, work_dir / "spark",
                                model_threads, conf, file_io)
        try:
            with timed(timings, "model_wait"):
                bundle = model.result()
            result = score_partition(spark, request, bundle)
        finally:
            spark.stop()
    environment = bundle.environment
    if environment is not None:
        built = environment.built
        click.echo(f"score: model environment {built.hash} "
                   + (f"built in {built.seconds:.1f}s" if built.built else f"reused from {built.root.parent}")
                   + f" ({len(built.packages)} packages, Python {built.python})")
    record = environment.record() if environment else EnvironmentRecord("image", python=python_version())
    write_outputs(out_dir, {step_outputs.ROWS_WRITTEN: str(result.rows_written),
                            step_outputs.MODEL_ENVIRONMENT: record.to_json()})
    if result.skipped:
        click.echo(f"score: input partition {ds} empty; skipped, output table untouched")
    else:
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in {**timings, **result.timings}.items())
        click.echo(f"score: {result.rows_written} rows into {output_table} {output_partition_column}={ds} "
                   f"({', '.join(result.score_columns)}) in {time.monotonic() - started:.1f}s, "
                   f"file io {result.file_io} [{phases}]")

