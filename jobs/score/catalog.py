"""A table's columns, partition columns and storage details from one `DESCRIBE TABLE EXTENDED`.

Why not `Catalog.listColumns`: it costs several times the DESCRIBE the step needs anyway for the table's location
and format (figures: docs/BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import SparkSession

_PARTITIONS_HEADER = "# Partition Information"
_DETAILS_HEADER = "# Detailed Table Information"


@dataclass(frozen=True)
class TableDescription:
    """What DESCRIBE TABLE EXTENDED says of a table.

    Attributes:
        columns: data columns (partition columns excluded), name -> Spark type, in table order.
        partition_columns: partition column names, in order.
        details: the detail rows by name (Type, Provider, Location, Serde Library, ...).
    """

    columns: dict[str, str]
    partition_columns: list[str]
    details: dict[str, str]


def parse_description(rows: list[tuple]) -> TableDescription:
    """Parses DESCRIBE TABLE EXTENDED's (col_name, data_type, comment) rows (pure: unit-tested without Spark)."""
    columns: dict[str, str] = {}
    partitions: list[str] = []
    details: dict[str, str] = {}
    section = "columns"
    for name, value, *_ in rows:
        name, value = (name or "").strip(), (value or "").strip()
        if name in (_PARTITIONS_HEADER, _DETAILS_HEADER):
            section = name
        elif not name or name.startswith("# "):
            continue
        elif section == "columns":
            columns[name] = value
        elif section == _PARTITIONS_HEADER:
            partitions.append(name)
        else:
            details[name] = value
    data = {name: kind for name, kind in columns.items() if name not in partitions}
    return TableDescription(data, partitions, details)


def describe_table(spark: SparkSession, table: str) -> TableDescription:
    """The description of an existing `table` (validated name)."""
    return parse_description([tuple(row) for row in spark.sql(f"DESCRIBE TABLE EXTENDED {table}").collect()])
