"""`python -m jobs.validate`: check the scored partition through HiveServer2 and log its lineage to MLflow.

Checks (all through PyHive, no Spark): output rows == input rows; no id scored twice; the fraction of rows
with a NULL in any score column <= --max-null-fraction; optionally, scores within --tolerance of a reference
table's, by id (rows missing from the reference count as mismatches). A failed check exits 1 after writing the
report and logging the MLflow run (status FAILED), so failed partitions have lineage too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from contract import step_env, step_outputs
from jobs.common.environment_record import EnvironmentRecord
from jobs.common.errors import StepError
from jobs.common.hive import HiveClient
from jobs.common.logs import configure_logging
from jobs.common.options import (
    ds_option,
    hive_options,
    hive_settings,
    id_columns_option,
    model_lineage_options,
    out_dir_option,
    reference_options,
    retry_seconds_option,
    score_column_option,
    table_options,
    tracking_uri_option,
)
from jobs.common.outputs import write_outputs
from jobs.common.params import check_identifier, check_table, parse_date, parse_fraction
from jobs.common.services import wait_for_mlflow

log = logging.getLogger("jobs.validate")
METADATA_COLUMNS = {"model_name", "model_version", "model_run_id", "scored_at"}


@dataclass(frozen=True)
class Check:
    """One validation check: `name`, whether it `passed`, and a readable `detail`."""

    name: str
    passed: bool
    detail: str


@dataclass
class ValidationReport:
    """Everything validate measured for one partition (written as JSON to <out-dir>/report)."""

    ds: str
    input_table: str
    output_table: str
    score_columns: list[str]
    input_rows: int = 0
    output_rows: int = 0
    distinct_ids: int = 0
    null_score_rows: int = 0
    null_fraction: float = 0.0
    reference_table: str | None = None
    reference_mismatches: int | None = None
    reference_missing: int | None = None
    max_abs_difference: float | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "passed": self.passed}, indent=2, sort_keys=True)

    def summary(self) -> str:
        lines = [f"validate {self.output_table} ds={self.ds}: {'PASSED' if self.passed else 'FAILED'}"]
        lines += [f"  [{'ok' if c.passed else 'FAIL'}] {c.name}: {c.detail}" for c in self.checks]
        return "\n".join(lines)


def score_columns_of(columns: list[str], score_column: str, id_columns: list[str], partition_column: str) -> list[str]:
    """The score columns of the output table: `<score>` or `<score>_<output>` (multi-output models)."""
    excluded = {c.lower() for c in id_columns} | {partition_column.lower()} | METADATA_COLUMNS
    found = [c for c in columns if c.lower() not in excluded
             and (c.lower() == score_column.lower() or c.lower().startswith(score_column.lower() + "_"))]
    if not found:
        raise StepError(f"--score-column: no column {score_column!r} (or {score_column}_*) in the output table; "
                        f"its columns: {', '.join(columns)}")
    return found


def _table_columns(client: HiveClient, table: str) -> list[str]:
    columns = []
    for row in client.query(f"DESCRIBE {table}"):
        name = (row[0] or "").strip()
        if not name or name.startswith("#"):
            break  # partition information follows
        columns.append(name)
    return columns


def _count(client: HiveClient, statement: str) -> int:
    return int(client.query(statement)[0][0] or 0)


def run_checks(client: HiveClient, report: ValidationReport, *, input_partition_column: str,
               output_partition_column: str, id_columns: list[str], max_null_fraction: float,
               reference_score_column: str | None, reference_partition_column: str | None, tolerance: float) -> None:
    """Fills `report` with measurements and checks; every value in the SQL was validated beforehand."""
    ds = report.ds
    out_where = f"{output_partition_column} = '{ds}'"
    report.input_rows = _count(client, f"SELECT COUNT(*) FROM {report.input_table} "
                                       f"WHERE {input_partition_column} = '{ds}'")
    any_null = " OR ".join(f"{c} IS NULL" for c in report.score_columns)
    ids = ", ".join(id_columns)
    row = client.query(
        f"SELECT COUNT(*), COUNT(DISTINCT {ids}), SUM(CASE WHEN {any_null} THEN 1 ELSE 0 END) "
        f"FROM {report.output_table} WHERE {out_where}"
    )[0]
    report.output_rows, report.distinct_ids, report.null_score_rows = (int(v or 0) for v in row)
    report.null_fraction = report.null_score_rows / report.output_rows if report.output_rows else 0.0
    report.checks.append(Check(
        "row_count", report.output_rows == report.input_rows and report.output_rows > 0,
        f"output {report.output_rows} rows, input {report.input_rows} rows"))
    report.checks.append(Check(
        "unique_ids", report.distinct_ids == report.output_rows,
        f"{report.distinct_ids} distinct ids in {report.output_rows} rows"))
    report.checks.append(Check(
        "null_scores", report.null_fraction <= max_null_fraction,
        f"{report.null_score_rows} rows with a NULL score ({report.null_fraction:.4f}), bound {max_null_fraction}"))
    if report.reference_table:
        score = report.score_columns[0]
        reference_where = f"WHERE {reference_partition_column} = '{ds}'" if reference_partition_column else ""
        join = " AND ".join(f"o.{c} = r.{c}" for c in id_columns)
        row = client.query(
            f"SELECT SUM(CASE WHEN r.{id_columns[0]} IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN r.{id_columns[0]} IS NOT NULL AND (o.{score} IS NULL OR r.ref_score IS NULL "
            f"OR ABS(o.{score} - r.ref_score) > {tolerance!r}) THEN 1 ELSE 0 END), "
            f"MAX(ABS(o.{score} - r.ref_score)) "
            f"FROM (SELECT * FROM {report.output_table} WHERE {out_where}) o LEFT JOIN "
            f"(SELECT {ids}, {reference_score_column} AS ref_score FROM {report.reference_table} {reference_where}) r "
            f"ON {join}"
        )[0]
        report.reference_missing = int(row[0] or 0)
        report.reference_mismatches = int(row[1] or 0)
        report.max_abs_difference = float(row[2]) if row[2] is not None else None
        bad = report.reference_missing + report.reference_mismatches
        report.checks.append(Check(
            "reference", bad == 0,
            f"{report.reference_mismatches} scores differ by more than {tolerance} from {report.reference_table}."
            f"{reference_score_column}, {report.reference_missing} ids missing there "
            f"(max |difference| {report.max_abs_difference})"))


def log_lineage(report: ValidationReport, experiment: str, tracking_uri: str | None, params: dict[str, str],
                seconds: float, pipeline_seconds: float | None, environment: EnvironmentRecord | None = None) -> str:
    """Logs one MLflow run for this partition (params and metrics only; never credentials). Returns its id.

    With `environment`, the run also records where the model ran: params `model_environment` and
    `model_environment_hash`, and the resolved package list as `environment/requirements.lock.txt`.
    """
    import mlflow

    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=f"{report.output_table}/{report.ds}") as run:
        mlflow.log_params({**params, "ds": report.ds, "input_table": report.input_table,
                           "output_table": report.output_table, "reference_table": report.reference_table or ""})
        metrics = {"input_rows": report.input_rows, "output_rows": report.output_rows,
                   "null_fraction": report.null_fraction, "checks_passed": float(report.passed),
                   "validate_seconds": seconds}
        if pipeline_seconds is not None:
            metrics["duration_seconds"] = pipeline_seconds
        if report.reference_mismatches is not None:
            metrics["reference_mismatches"] = report.reference_mismatches
        mlflow.log_metrics(metrics)
        mlflow.set_tags({"batch_scoring.partition": f"{report.output_table}/{report.ds}",
                         "batch_scoring.checks_passed": str(report.passed).lower()})
        mlflow.log_dict(json.loads(report.to_json()), "validation_report.json")
        if environment is not None:
            mlflow.log_params({"model_environment": environment.mode, "model_environment_hash": environment.hash})
            if environment.packages:
                mlflow.log_text("\n".join(environment.packages) + "\n", "environment/requirements.lock.txt")
        if not report.passed:
            mlflow.end_run(status="FAILED")
        return run.info.run_id


@click.command()
@ds_option
@table_options("input", "db.table that was scored")
@table_options("output", "db.table holding the scores")
@score_column_option
@id_columns_option
@click.option("--max-null-fraction", type=float, default=0.0, show_default=True,
              help="Largest allowed fraction of rows with a NULL score, 0..1.")
@reference_options("db.table with reference scores to compare by id")
@click.option("--tolerance", type=click.FloatRange(0), default=1e-6, show_default=True,
              help="Largest allowed |score - reference score|.")
@model_lineage_options(required=False)
@click.option("--experiment", default="batch-scoring", show_default=True, help="MLflow experiment for lineage runs.")
@tracking_uri_option
@click.option("--started-at", default=None,
              help="ISO time the workflow started (e.g. Argo's workflow.creationTimestamp); logs the run's duration.")
@click.option("--model-environment", "model_environment", envvar=step_env.MODEL_ENVIRONMENT, default="",
              help="The score step's environment record (JSON; env MODEL_ENVIRONMENT), logged on the lineage run.")
@hive_options
@retry_seconds_option
@out_dir_option
def main(ds: str, input_table: str, input_partition_column: str, output_table: str, output_partition_column: str,
         score_column: str, id_columns: tuple[str, ...], max_null_fraction: float, reference_table: str | None,
         reference_score_column: str, reference_partition_column: str | None, tolerance: float, model_name: str,
         model_version: str, model_run_id: str, experiment: str, tracking_uri: str | None, started_at: str | None,
         model_environment: str, hive_host: str, hive_port: int, hive_auth: str, hive_user: str | None,
         hive_password: str | None, retry_seconds: float, out_dir: Path) -> None:
    """Validate the scores of partition DS; exit 1 with a readable report when a check fails."""
    configure_logging()
    started = time.monotonic()
    parse_date(ds)
    for option, table in (("--input-table", input_table), ("--output-table", output_table)):
        check_table(table, option)
    for option, column in (("--input-partition-column", input_partition_column),
                           ("--output-partition-column", output_partition_column),
                           ("--score-column", score_column), ("--reference-score-column", reference_score_column)):
        check_identifier(column, option)
    for column in id_columns:
        check_identifier(column, "--id-column")
    parse_fraction(max_null_fraction, "--max-null-fraction")
    environment = EnvironmentRecord.from_json(model_environment)
    if reference_table:
        check_table(reference_table, "--reference-table")
    if reference_partition_column is None:
        reference_partition_column = output_partition_column
    elif reference_partition_column:
        check_identifier(reference_partition_column, "--reference-partition-column")
    pipeline_seconds = None
    if started_at:
        try:
            begin = dt.datetime.fromisoformat(started_at.replace("Z", "+00:00"))
        except ValueError:
            raise StepError(f"--started-at: {started_at!r} is not an ISO timestamp") from None
        pipeline_seconds = (dt.datetime.now(dt.UTC) - begin.astimezone(dt.UTC)).total_seconds()

    # Lineage goes to MLflow last: wait for it first, so an MLflow outage fails before any check runs.
    wait_for_mlflow(tracking_uri, retry_seconds)
    settings = hive_settings(hive_host, hive_port, hive_auth, hive_user, hive_password, retry_seconds)
    with HiveClient(settings) as client:
        score_columns = score_columns_of(_table_columns(client, output_table), score_column, list(id_columns),
                                         output_partition_column)
        report = ValidationReport(ds, input_table, output_table, score_columns, reference_table=reference_table)
        run_checks(client, report, input_partition_column=input_partition_column,
                   output_partition_column=output_partition_column, id_columns=list(id_columns),
                   max_null_fraction=max_null_fraction, reference_score_column=reference_score_column,
                   reference_partition_column=reference_partition_column or None, tolerance=tolerance)
    write_outputs(out_dir, {step_outputs.REPORT: report.to_json()})
    params = {"model_name": model_name, "model_version": model_version, "model_run_id": model_run_id,
              "partition_column": output_partition_column, "score_columns": ",".join(score_columns)}
    run_id = log_lineage(report, experiment, tracking_uri, params, time.monotonic() - started, pipeline_seconds,
                         environment)
    write_outputs(out_dir, {step_outputs.LINEAGE_RUN_ID: run_id})  # the monitor step adds its measures to this run
    click.echo(report.summary())
    click.echo(f"lineage: MLflow experiment {experiment!r}, run {run_id}")
    if not report.passed:
        raise StepError(f"validation failed for {output_table} ds={ds}; report in {out_dir / 'report'}")


if __name__ == "__main__":
    main()
