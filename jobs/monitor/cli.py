"""`python -m jobs.monitor`: drift of one scored partition, logged to its MLflow lineage run; fails on a fail line
after the scores are written (they stay in place so people can inspect them)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import click

from contract import step_outputs
from jobs.common.errors import StepError
from jobs.common.logs import configure_logging
from jobs.common.options import (
    ds_option,
    id_columns_option,
    out_dir_option,
    parse_spark_conf,
    reference_options,
    retry_seconds_option,
    score_column_option,
    spark_options,
    table_options,
    tracking_uri_option,
)
from jobs.common.outputs import write_outputs
from jobs.common.params import check_identifier, check_table, parse_date
from jobs.common.services import wait_for_mlflow
from jobs.monitor.drift import DriftReport, MonitorRequest, measure
from jobs.monitor.measures import Line

log = logging.getLogger("jobs.monitor")


class DriftFailure(StepError):
    """A drift measure is over its fail line: the scores are written, the run fails and says why.

    Permanent: the same partition gives the same measures, so retrying cannot help.
    """


def _line(warn: float | None, fail: float | None) -> Line:
    if warn is not None and fail is not None and fail < warn:
        raise StepError(f"fail line {fail} is below warn line {warn}")
    return Line(warn, fail)



def outputs(report: DriftReport) -> dict[str, str]:
    """Output parameters: numbers Argo turns into Prometheus gauges (NaN when not measured) and the verdict."""
    psi = report.score_psi_previous if report.score_psi_previous is not None else report.score_psi_reference
    return {step_outputs.SCORE_PSI: "NaN" if psi is None else f"{psi:.6f}", step_outputs.ROWS: str(report.rows),
            step_outputs.DRIFT_STATUS: report.status, step_outputs.DRIFT_REPORT: report.to_json()}


def score_column_of(columns: list[str], score_column: str) -> str:
    """`<score>`, or the first `<score>_<output>` column of a multi-output model."""
    lowered = {c.lower(): c for c in columns}
    if score_column.lower() in lowered:
        return lowered[score_column.lower()]
    prefixed = [c for c in columns if c.lower().startswith(score_column.lower() + "_")]
    if not prefixed:
        raise StepError(f"--score-column: no column {score_column!r} (or {score_column}_*) in the output table; "
                        f"its columns: {', '.join(columns)}")
    return prefixed[0]


@click.command()
@ds_option
@table_options("input", "db.table that was scored (features)")
@id_columns_option
@table_options("output", "db.table holding the scores")
@score_column_option
@reference_options("db.table with reference scores (PSI against it)")
@click.option("--feature", "features", multiple=True,
              help="Input feature to measure (repeatable; default: every numeric column but ids and partition).")
@click.option("--bins", type=click.IntRange(2, 100), default=10, show_default=True, help="Equal-width bins for PSI.")
# No lines by default: the job config holds the defaults (generator/config/models.py, docs/STEPS.md).
@click.option("--score-psi-warn", type=click.FloatRange(0), default=None)
@click.option("--score-psi-fail", type=click.FloatRange(0), default=None)
@click.option("--feature-psi-warn", type=click.FloatRange(0), default=None)
@click.option("--feature-psi-fail", type=click.FloatRange(0), default=None)
@click.option("--row-change-warn", type=click.FloatRange(0), default=None)
@click.option("--row-change-fail", type=click.FloatRange(0), default=None)
@click.option("--history", type=click.IntRange(2, 365), default=30, show_default=True,
              help="Partitions in the PSI-over-time picture.")
@click.option("--lineage-run-id", required=True, help="MLflow run validate logged for this partition.")
@tracking_uri_option
@spark_options
@retry_seconds_option
@out_dir_option
def main(ds: str, input_table: str, input_partition_column: str, id_columns: tuple[str, ...], output_table: str,
         output_partition_column: str, score_column: str, reference_table: str | None, reference_score_column: str,
         reference_partition_column: str | None, features: tuple[str, ...], bins: int, score_psi_warn: float | None,
         score_psi_fail: float | None, feature_psi_warn: float | None, feature_psi_fail: float | None,
         row_change_warn: float | None, row_change_fail: float | None, history: int, lineage_run_id: str,
         tracking_uri: str | None, spark_master: str, spark_conf: tuple[str, ...], metastore_uri: str,
         retry_seconds: float, out_dir: Path) -> None:
    """Measure drift of partition DS, log it with pictures to its lineage run; exit 2 over a fail line."""
    configure_logging()
    parse_date(ds)
    for option, table in (("--input-table", input_table), ("--output-table", output_table)):
        check_table(table, option)
    if reference_table:
        check_table(reference_table, "--reference-table")
    for option, column in (("--input-partition-column", input_partition_column),
                           ("--output-partition-column", output_partition_column),
                           ("--score-column", score_column), ("--reference-score-column", reference_score_column),
                           *(("--id-column", c) for c in id_columns), *(("--feature", c) for c in features)):
        check_identifier(column, option)
    if reference_partition_column is None:
        reference_partition_column = output_partition_column
    elif reference_partition_column:
        check_identifier(reference_partition_column, "--reference-partition-column")
    request = MonitorRequest(
        ds=ds, input_table=input_table, input_partition_column=input_partition_column, id_columns=list(id_columns),
        output_table=output_table, output_partition_column=output_partition_column, score_column=score_column,
        reference_table=reference_table or None, reference_score_column=reference_score_column,
        reference_partition_column=reference_partition_column or None, features=list(features), bins=bins,
        score_psi=_line(score_psi_warn, score_psi_fail), feature_psi=_line(feature_psi_warn, feature_psi_fail),
        row_change=_line(row_change_warn, row_change_fail),
    )
    conf = parse_spark_conf(spark_conf)
    wait_for_mlflow(tracking_uri, retry_seconds)

    # Heavy imports after the cheap checks: a bad option fails in a second, not after a JVM start.
    from mlflow.tracking import MlflowClient

    from jobs.common.spark import build_spark
    from jobs.monitor import lineage, plots

    client = MlflowClient(tracking_uri)
    client.get_run(lineage_run_id)  # a wrong id fails before Spark starts
    with tempfile.TemporaryDirectory(prefix="monitor-") as scratch:
        work = Path(scratch)
        spark = build_spark("monitor", spark_master, metastore_uri, work / "spark", conf=conf)
        try:
            column = score_column_of(spark.table(output_table).columns, score_column)
            report = measure(spark, request, column)
        finally:
            spark.stop()
        earlier = lineage.earlier_psi(client, lineage_run_id, output_table, ds, history - 1)
        pictures = [plots.score_histogram(report, work / plots.SCORE_HISTOGRAM),
                    plots.psi_history(report, earlier, request.score_psi, work / plots.PSI_HISTORY)]
        write_outputs(out_dir, outputs(report))
        lineage.log_drift(client, lineage_run_id, report, pictures)
    click.echo(report.summary())
    click.echo(f"drift metrics and pictures on MLflow run {lineage_run_id} (artifacts under {lineage.ARTIFACT_DIR}/)")
    if report.status == "fail":
        reasons = "; ".join(f.describe() for f in report.findings if f.level == "fail")
        raise DriftFailure(f"drift check failed for {output_table} ds={ds} (the scores are written): {reasons}")


if __name__ == "__main__":
    main()
