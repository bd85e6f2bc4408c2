"""Write safety: scored rows go to a fresh run folder, then ONE metastore operation points the partition at it.

Why not `INSERT OVERWRITE ... PARTITION`: Spark's Hive insert deletes the partition's old files and then moves
the new ones in; a kill (SIGKILL, node loss) between the two leaves the partition empty or half-written. Here:
  1. the rows are written (by Spark's writer or by the direct path's tasks, see direct.py) to
     `<table location>/scoring-runs/<col>=<ds>/<run id>/` (a new folder per run; nothing reads it yet; a kill
     here leaves the old partition untouched and an orphan folder);
  2. `ALTER TABLE ... PARTITION (...) SET LOCATION` (or `ADD PARTITION ... LOCATION` the first time) swaps the
     partition to the new folder in one metastore transaction: readers see all old rows or all new rows;
  3. the previous folder and orphans of killed runs for this partition are deleted (best effort: a kill here
     leaves only unreferenced files, removed by the next run).
A re-run replaces the partition (never appends), so it never duplicates rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import SparkSession

from jobs.common.errors import StepError
from jobs.score.catalog import TableDescription, describe_table

log = logging.getLogger(__name__)
RUNS_FOLDER = "scoring-runs"


@dataclass(frozen=True)
class OutputColumn:
    """One column of the output table: `name` and Hive/Spark type (e.g. `bigint`, `double`, `timestamp`)."""

    name: str
    type: str


def _describe_location(spark: SparkSession, statement: str) -> str:
    for row in spark.sql(statement).collect():
        if row[0] == "Location":
            return row[1]
    raise StepError(f"no Location in the output of: {statement}")


def _location(description: TableDescription, table: str) -> str:
    if not description.details.get("Location"):
        raise StepError(f"no Location in the description of {table}")
    return description.details["Location"]


def ensure_output_table(spark: SparkSession, table: str, columns: list[OutputColumn], partition_column: str) -> str:
    """Creates the output table when missing (Hive format, Parquet, partitioned), else checks its columns.

    Returns:
        The table's location URI.

    Raises:
        StepError: the database is missing, or an existing table has other columns or partitioning.
    """
    database = table.split(".")[0] if "." in table else spark.catalog.currentDatabase()
    if not spark.catalog.databaseExists(database):
        raise StepError(f"output database {database!r} does not exist; create it first (e.g. in the prepare SQL)")
    if not spark.catalog.tableExists(table):
        body = ", ".join(f"{column.name} {column.type.upper()}" for column in columns)
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {table} ({body}) PARTITIONED BY ({partition_column} STRING) "
            f"STORED AS PARQUET"
        )
        log.info("created output table %s", table)
        return _location(describe_table(spark, table), table)
    description = describe_table(spark, table)
    _check_existing(description, table, columns, partition_column)
    return _location(description, table)


def _check_existing(description: TableDescription, table: str, columns: list[OutputColumn],
                    partition_column: str) -> None:
    data = {name.lower(): kind.lower() for name, kind in description.columns.items()}
    partitions = [name.lower() for name in description.partition_columns]
    problems = []
    if partitions != [partition_column.lower()]:
        problems.append(f"partitioned by {partitions or 'nothing'}, expected [{partition_column!r}]")
    expected = {column.name.lower(): column.type.lower() for column in columns}
    if data != expected:
        problems.append(
            "columns " + ", ".join(f"{n} {t}" for n, t in data.items())
            + " but scoring writes " + ", ".join(f"{n} {t}" for n, t in expected.items())
        )
    if problems:
        raise StepError(
            f"output table {table} exists with another layout ({'; '.join(problems)}); nothing was written. "
            f"Drop it, or use another output table or score column."
        )


class _FileSystem:
    """The Hadoop FileSystem of a path (local, HDFS, S3...), through Spark's JVM."""

    def __init__(self, spark: SparkSession, uri: str):
        jvm = spark.sparkContext._jvm
        self._path_class = jvm.org.apache.hadoop.fs.Path
        self._fs = self._path_class(uri).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def qualified(self, uri: str) -> str:
        return self._fs.makeQualified(self._path_class(uri)).toString().rstrip("/")

    def children(self, uri: str) -> list[str]:
        path = self._path_class(uri)
        if not self._fs.exists(path):
            return []
        return [status.getPath().toString().rstrip("/") for status in self._fs.listStatus(path)]

    def delete(self, uri: str) -> None:
        try:
            self._fs.delete(self._path_class(uri), True)
            log.info("deleted %s", uri)
        except Exception as error:  # best effort: leftovers are unreferenced and removed by the next run
            log.warning("could not delete %s: %s", uri, error)


def _partition_location(spark: SparkSession, table: str, spec: str) -> str | None:
    if not spark.sql(f"SHOW PARTITIONS {table} PARTITION ({spec})").collect():
        return None
    return _describe_location(spark, f"DESCRIBE FORMATTED {table} PARTITION ({spec})")


def publish_partition(spark: SparkSession, write: Callable[[str], int], table: str, table_location: str,
                      partition_column: str, ds: str) -> int:
    """Makes what `write` writes the complete new content of partition `partition_column=ds` (see module docstring).

    `table`, `partition_column` and `ds` must already be validated (identifiers, real date).

    Args:
        write: writes the scored rows into the new, not yet existing folder it is given (a qualified URI) and
            returns how many it wrote (counted during the write, so no second job re-reads the folder).

    Returns:
        The number of rows the partition now holds.
    """
    fs = _FileSystem(spark, table_location)
    runs_dir = f"{table_location.rstrip('/')}/{RUNS_FOLDER}/{partition_column}={ds}"
    run_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    new_location = fs.qualified(f"{runs_dir}/{run_id}")
    rows = write(new_location)
    spec = f"{partition_column}='{ds}'"
    old_location = _partition_location(spark, table, spec)
    if old_location is None:
        spark.sql(f"ALTER TABLE {table} ADD PARTITION ({spec}) LOCATION '{new_location}'")
    else:
        spark.sql(f"ALTER TABLE {table} PARTITION ({spec}) SET LOCATION '{new_location}'")
    log.info("partition %s of %s now at %s (%d rows)", spec, table, new_location, rows)
    stale = [child for child in fs.children(runs_dir) if fs.qualified(child) != new_location]
    if old_location is not None:
        old = fs.qualified(old_location)
        if old != new_location and not new_location.startswith(old + "/"):
            stale.append(old)
    for folder in dict.fromkeys(stale):
        fs.delete(folder)
    return rows
