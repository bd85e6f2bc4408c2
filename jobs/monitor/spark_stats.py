"""Distribution statistics computed by Spark over whole partitions (only a few numbers per bin reach the driver).

Bad values are data, never a crash or a hidden drift: NaN counts as missing (in the null rate, out of the bins);
+/-inf is a value (not missing) that lands in the first or last bin, but never sets the bins' range (a min or
max of inf would squeeze every finite value into one bin and hide any shift).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs.monitor.measures import Bins

QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
# percentile_approx's accuracy: relative rank error about 1/accuracy (Spark's default is 10000).
QUANTILE_ACCURACY = 10000
NUMERIC_TYPES = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.DecimalType)


@dataclass
class ColumnSummary:
    """Row count, non-null count, min, max and approximate quantiles of one column in one partition."""

    rows: int
    non_null: int
    low: float | None
    high: float | None
    quantiles: dict[float, float] = field(default_factory=dict)

    @property
    def null_rate(self) -> float | None:
        """Share of rows that are null or NaN; None for a partition without rows (nothing to measure)."""
        return (self.rows - self.non_null) / self.rows if self.rows else None


def _value(name: str) -> Column:
    """The column as a double with NaN turned into null: NaN is a missing value, not a number to bin."""
    value = F.col(name).cast("double")
    return F.when(F.isnan(value), F.lit(None)).otherwise(value)


def _finite(value: Column) -> Column:
    """`value` where it is finite, else null (for the range and the quantiles)."""
    return F.when(F.abs(value) != F.lit(float("inf")), value)


def partition(spark: SparkSession, table: str, column: str, value: str) -> DataFrame:
    return spark.table(table).where(F.col(column) == F.lit(value))


def previous_partition(spark: SparkSession, table: str, column: str, ds: str) -> str | None:
    """The latest partition value of `column` before `ds` (from the metastore's partition list, no data read)."""
    values = []
    for row in spark.sql(f"SHOW PARTITIONS {table}").collect():
        for part in row[0].split("/"):
            key, _, value = part.partition("=")
            if key.lower() == column.lower() and value < ds:
                values.append(value)
    return max(values, default=None)


def numeric_columns(frame: DataFrame, excluded: set[str]) -> list[str]:
    """Columns of a numeric type, in table order, except `excluded` (compared case-insensitively)."""
    lowered = {name.lower() for name in excluded}
    return [f.name for f in frame.schema.fields
            if isinstance(f.dataType, NUMERIC_TYPES) and f.name.lower() not in lowered]


def summarize(frame: DataFrame, columns: list[str], with_quantiles: bool = False) -> dict[str, ColumnSummary]:
    """One Spark job: count, non-nulls, min, max (and quantiles when asked) of every column."""
    aggregates = [F.count(F.lit(1)).alias("rows")]
    for index, name in enumerate(columns):
        value = _value(name)
        finite = _finite(value)
        aggregates += [F.count(value).alias(f"n{index}"), F.min(finite).alias(f"lo{index}"),
                       F.max(finite).alias(f"hi{index}")]
        if with_quantiles:
            aggregates.append(F.percentile_approx(finite, list(QUANTILES), QUANTILE_ACCURACY).alias(f"q{index}"))
    row = frame.agg(*aggregates).collect()[0]
    summaries = {}
    for index, name in enumerate(columns):
        quantiles = row[f"q{index}"] if with_quantiles else None
        summaries[name] = ColumnSummary(
            rows=int(row["rows"]), non_null=int(row[f"n{index}"]), low=row[f"lo{index}"], high=row[f"hi{index}"],
            quantiles=dict(zip(QUANTILES, quantiles, strict=True)) if quantiles else {},
        )
    return summaries


def _bin_index(value: Column, bins: Bins) -> Column:
    """The bin of a non-null value (null for null): -inf in the first bin, +inf in the last, others clipped."""
    raw = F.floor((value - F.lit(bins.low)) / F.lit((bins.high - bins.low) / bins.count))
    clipped = F.least(F.greatest(raw, F.lit(0)), F.lit(bins.count - 1)).cast("int")
    # Null first: greatest() skips nulls, so clipping alone would put every null into bin 0.
    return (F.when(value.isNull(), F.lit(None).cast("int"))
            .when(value == F.lit(float("inf")), F.lit(bins.count - 1))
            .when(value == F.lit(float("-inf")), F.lit(0))
            .otherwise(clipped))


def histograms(frame: DataFrame, bins_by_column: dict[str, Bins]) -> dict[str, list[int]]:
    """One Spark job: the count of non-null values per bin for every column (its own bins each)."""
    columns = list(bins_by_column)
    if not columns:
        return {}
    pairs = F.array(*[
        F.struct(F.lit(index).alias("column"),
                 _bin_index(_value(name), bins_by_column[name]).alias("bin"))
        for index, name in enumerate(columns)
    ])
    counted = (frame.select(F.explode(pairs).alias("pair")).select("pair.column", "pair.bin")
               .where(F.col("bin").isNotNull()).groupBy("column", "bin").count().collect())
    result = {name: [0] * bins_by_column[name].count for name in columns}
    for row in counted:
        result[columns[row["column"]]][row["bin"]] = int(row["count"])
    return result
