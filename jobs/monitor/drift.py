"""What the monitor step measures for one partition: score and feature distributions against the previous
scored partition and the reference table, row counts, and the verdict against the configured lines."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from pyspark.sql import DataFrame, SparkSession

from jobs.common.errors import StepError
from jobs.monitor import spark_stats
from jobs.monitor.measures import Bins, Finding, Line, common_bins, judge, overall, psi, relative_change


@dataclass(frozen=True)
class MonitorRequest:
    """One partition to monitor and the lines to judge it by (every name validated by the CLI)."""

    ds: str
    input_table: str
    input_partition_column: str
    id_columns: list[str]
    output_table: str
    output_partition_column: str
    score_column: str
    reference_table: str | None = None
    reference_score_column: str = "score"
    reference_partition_column: str | None = None  # None: the reference is not partitioned
    features: list[str] = field(default_factory=list)  # empty: every numeric input column but ids and partition
    bins: int = 10
    score_psi: Line = Line()
    feature_psi: Line = Line()
    row_change: Line = Line()


@dataclass
class DriftReport:
    """Everything monitor measured (written as JSON to <out-dir>/drift-report and logged to MLflow)."""

    ds: str
    output_table: str
    score_column: str
    rows: int
    previous_ds: str | None = None
    previous_rows: int | None = None
    row_change: float | None = None
    score_quantiles: dict[str, float] = field(default_factory=dict)
    score_edges: list[float] = field(default_factory=list)
    score_histograms: dict[str, list[int]] = field(default_factory=dict)  # current / previous / reference
    score_psi_previous: float | None = None
    score_psi_reference: float | None = None
    feature_psi: dict[str, float | None] = field(default_factory=dict)
    feature_null_rate: dict[str, float | None] = field(default_factory=dict)  # None: the partition has no rows
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        return overall(self.findings)

    @property
    def warnings(self) -> list[str]:
        return [f.describe() for f in self.findings]

    def metrics(self) -> dict[str, float]:
        """One MLflow metric per measure (absent measures are left out, never logged as 0)."""
        values: dict[str, float | None] = {
            "rows": self.rows, "previous_rows": self.previous_rows, "row_change": self.row_change,
            "score_psi_previous": self.score_psi_previous, "score_psi_reference": self.score_psi_reference,
            "drift_findings": len(self.findings),
            "feature_psi_max": max((v for v in self.feature_psi.values() if v is not None), default=None),
            **{f"score_{name}": value for name, value in self.score_quantiles.items()},
            **{f"feature_psi.{name}": value for name, value in self.feature_psi.items()},
            **{f"feature_null_rate.{name}": value for name, value in self.feature_null_rate.items()},
        }
        return {name: float(value) for name, value in values.items() if value is not None}

    def to_json(self) -> str:
        body = {**asdict(self), "status": self.status, "warnings": self.warnings}
        return json.dumps(body, indent=2, sort_keys=True)

    def summary(self) -> str:
        def shown(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.4f}"

        lines = [
            f"monitor {self.output_table} ds={self.ds}: {self.status.upper()}",
            f"  rows {self.rows}, previous partition {self.previous_ds or 'none'} rows {self.previous_rows}, "
            f"change {shown(self.row_change)}",
            f"  score {self.score_column}: PSI vs previous {shown(self.score_psi_previous)}, "
            f"vs reference {shown(self.score_psi_reference)}; quantiles "
            + ", ".join(f"{name} {value:.4g}" for name, value in self.score_quantiles.items()),
        ]
        worst = sorted(((v, k) for k, v in self.feature_psi.items() if v is not None), reverse=True)[:5]
        if worst:
            lines.append("  features, highest PSI: " + ", ".join(f"{k} {v:.4f}" for v, k in worst))
        lines += [f"  [{f.level.upper()}] {f.describe()}" for f in self.findings]
        return "\n".join(lines)


def _quantile_name(q: float) -> str:
    return f"p{round(q * 100):02d}"


def measure(spark: SparkSession, request: MonitorRequest, score_column: str) -> DriftReport:
    """Computes every measure with Spark over whole partitions; judges them against the request's lines."""
    r = request
    current = spark_stats.partition(spark, r.output_table, r.output_partition_column, r.ds)
    previous_ds = spark_stats.previous_partition(spark, r.output_table, r.output_partition_column, r.ds)
    score_frames = {"current": current.select(score_column)}
    if previous_ds is not None:
        score_frames["previous"] = spark_stats.partition(
            spark, r.output_table, r.output_partition_column, previous_ds).select(score_column)
    if r.reference_table:
        reference = spark.table(r.reference_table)
        if r.reference_partition_column:
            reference = reference.where(reference[r.reference_partition_column] == r.ds)
        score_frames["reference"] = reference.select(reference[r.reference_score_column].alias(score_column))
    summaries = {name: spark_stats.summarize(frame, [score_column], with_quantiles=(name == "current"))[score_column]
                 for name, frame in score_frames.items()}
    if summaries["current"].rows == 0:
        raise StepError(f"{r.output_table} has no rows for {r.output_partition_column}={r.ds}: nothing to monitor")
    report = DriftReport(r.ds, r.output_table, score_column, rows=summaries["current"].rows, previous_ds=previous_ds)
    report.score_quantiles = {_quantile_name(q): v for q, v in summaries["current"].quantiles.items()}
    if previous_ds is not None:
        report.previous_rows = summaries["previous"].rows
        report.row_change = relative_change(report.rows, report.previous_rows)
    bins = common_bins([(s.low, s.high) for s in summaries.values()], r.bins)
    if bins is not None:
        report.score_edges = bins.edges
        report.score_histograms = {name: spark_stats.histograms(frame, {score_column: bins})[score_column]
                                   for name, frame in score_frames.items()}
        current_counts = report.score_histograms["current"]
        if "previous" in report.score_histograms:
            report.score_psi_previous = psi(report.score_histograms["previous"], current_counts)
        if "reference" in report.score_histograms:
            report.score_psi_reference = psi(report.score_histograms["reference"], current_counts)
    if previous_ds is not None:
        _measure_features(spark, r, previous_ds, report)
    else:
        _measure_null_rates(spark, r, report)
    report.findings = sorted(
        judge({"score_psi_previous": report.score_psi_previous, "score_psi_reference": report.score_psi_reference},
              r.score_psi)
        + judge({f"feature_psi.{k}": v for k, v in report.feature_psi.items()}, r.feature_psi)
        + judge({"row_change": report.row_change}, r.row_change),
        key=lambda f: (f.level != "fail", f.measure),
    )
    return report


def feature_columns(spark: SparkSession, r: MonitorRequest) -> list[str]:
    """The configured features (checked against the table), or every numeric input column but ids/partition."""
    table = spark.table(r.input_table)
    if r.features:
        known = {name.lower() for name in table.columns}
        missing = [name for name in r.features if name.lower() not in known]
        if missing:
            raise StepError(f"--feature: {', '.join(missing)} not in {r.input_table}; "
                            f"its columns: {', '.join(table.columns)}")
        return list(r.features)
    return spark_stats.numeric_columns(table, {*r.id_columns, r.input_partition_column})


def _measure_null_rates(spark: SparkSession, r: MonitorRequest, report: DriftReport) -> None:
    columns = feature_columns(spark, r)
    frame = spark_stats.partition(spark, r.input_table, r.input_partition_column, r.ds)
    _, report.feature_null_rate = compare_columns(frame, None, columns, r.bins)


def _measure_features(spark: SparkSession, r: MonitorRequest, previous_ds: str, report: DriftReport) -> None:
    columns = feature_columns(spark, r)
    current, previous = (spark_stats.partition(spark, r.input_table, r.input_partition_column, ds)
                         for ds in (r.ds, previous_ds))
    report.feature_psi, report.feature_null_rate = compare_columns(current, previous, columns, r.bins)


def compare_columns(current: DataFrame, previous: DataFrame | None, columns: list[str],
                    bin_count: int) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """PSI of each column of `current` against `previous` (empty without a previous) and its null rate.

    NaN counts as null; +/-inf is a value in the first or last bin (spark_stats). PSI is None when either side
    has no value to bin (no rows, all null or NaN): the null rate tells that story.
    """
    summaries = spark_stats.summarize(current, columns)
    null_rates = {name: summary.null_rate for name, summary in summaries.items()}
    if previous is None:
        return {}, null_rates
    previous_summaries = spark_stats.summarize(previous, columns)
    bins: dict[str, Bins] = {}
    for name in columns:
        found = common_bins([(s[name].low, s[name].high) for s in (summaries, previous_summaries)], bin_count)
        if found is not None:
            bins[name] = found
    now, before = spark_stats.histograms(current, bins), spark_stats.histograms(previous, bins)
    psis = {name: psi(before[name], now[name]) if name in bins else None for name in columns}
    return psis, null_rates
