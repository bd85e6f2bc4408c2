"""`python -m bench.cold_udf`: MLflow's spark_udf as a nightly job of a user's own would run it, in a fresh process.

Start a plain session, build `spark_udf` from the registry, score one Hive partition, INSERT OVERWRITE it, stop:
the cold counterpart of `python -m jobs.score`, timed from the outside (Python start to exit).
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--ds", required=True, help="Input partition to score (also the output partition).")
@click.option("--model-uri", required=True, help="Pinned model, `models:/name/version`.")
@click.option("--output-table", required=True, help="Hive table the scores go to.")
@click.option("--master", default="local[2]", show_default=True, help="Spark master.")
@click.option("--metastore-uri", required=True, help="thrift://host:port of the metastore.")
@click.option("--warehouse-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The metastore's warehouse folder.")
@click.option("--work-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for Spark's temp files.")
@click.option("--threads-cap", type=click.IntRange(1), default=None,
              help="Cap the native threads of each Python worker as the score step does (default: no cap).")
def main(ds: str, model_uri: str, output_table: str, master: str, metastore_uri: str, warehouse_dir: Path,
         work_dir: Path, threads_cap: int | None) -> None:
    """Score partition DS with spark_udf into OUTPUT_TABLE; print the rows written."""
    from bench import spark_paths

    conf = spark_paths.session_conf(warehouse_dir, work_dir, metastore_uri)
    if threads_cap is not None:
        conf |= spark_paths.thread_cap_conf(threads_cap)
    spark = spark_paths.plain_session(master, conf)
    try:
        predict = spark_paths.build_spark_udf(spark, model_uri)
        outcome = spark_paths.run_spark_udf(spark, predict, ds, output_table)
    finally:
        spark.stop()
    click.echo(f"rows {outcome.rows}")


if __name__ == "__main__":
    main()
