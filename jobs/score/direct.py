"""The direct Parquet path (driver side): plan Spark tasks whose Python workers read and write Parquet themselves.

Why: through Spark's reader and writer every row is converted JVM -> Arrow -> pandas and back, and on the
benchmark machine that conversion plus the JVM's Parquet write cost more CPU than the model (docs/BENCHMARKS.md).
Here each Spark task opens its share of the input files' row groups with pyarrow, scores whole batches and writes
one Parquet file into the run folder. Spark still schedules the tasks (executors, retries, a cluster) and the
metastore still gets its one atomic location swap (publish.py), so the write safety is unchanged.

Used when the data allows it, else the step logs why and uses Spark's reader and writer (`--file-io spark` forces
that): the input is a table (not a view) stored as Parquet, filtered on a partition column; every file of the
partition opens with pyarrow (local, HDFS, S3...) and holds every needed column; features are numbers or booleans
and ids are of types with an exact Parquet form (arrow_types.py).
"""

from __future__ import annotations

import ctypes.util
import logging
import math
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs as arrow_fs
from pyspark.sql import DataFrame, SparkSession

from jobs.score.arrow_types import arrow_type, can_store, is_feature_type
from jobs.score.catalog import describe_table

log = logging.getLogger(__name__)
# Part files are written under this prefix and renamed when complete; readers skip names starting with "_".
TEMPORARY_PREFIX = "_attempt-"
# Hadoop's S3 connectors name the same buckets pyarrow opens as s3://.
_SCHEME_ALIASES = {"s3a": "s3", "s3n": "s3"}
# pyarrow opens hdfs:// only through Hadoop's JNI client, libhdfs, which no Python package ships. Without it the
# attempt fails after printing every folder it searched for libjvm into the step's log, so it is not made.
_LIBHDFS_SCHEMES = ("hdfs",)


@dataclass(frozen=True)
class WorkUnit:
    """One Spark task's input: some row groups of one Parquet file.

    Attributes:
        index: position among the run's units (names the output file, so a retried task replaces its own file).
        uri: the file, as Spark lists it.
        row_groups: row group numbers to read.
        rows: rows in those row groups.
    """

    index: int
    uri: str
    row_groups: tuple[int, ...]
    rows: int


@dataclass(frozen=True)
class InputColumn:
    """A table column as the direct path reads it: its name in the files and the Arrow type it is read as."""

    table_name: str
    file_name: str
    type: pa.DataType


@dataclass(frozen=True)
class DirectInput:
    """The input partition, planned for the direct path.

    Attributes:
        units: work units, one Spark task each.
        ids, features: the columns to read (features in the model's order).
        rows: rows in the partition.
    """

    units: list[WorkUnit]
    ids: list[InputColumn]
    features: list[InputColumn]

    @property
    def rows(self) -> int:
        return sum(unit.rows for unit in self.units)


class NotDirect(Exception):
    """The input cannot take the direct path; the message says why (logged, then Spark's path is used)."""


def open_file(uri: str) -> tuple[arrow_fs.FileSystem, str]:
    """The pyarrow filesystem and path of a file or folder URI as Spark and the metastore spell it."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):  # Hadoop writes file:/a/b, unescaped; pyarrow's URI parser wants file:///
        return arrow_fs.LocalFileSystem(), unquote(parsed.path) if parsed.scheme else uri
    scheme = _SCHEME_ALIASES.get(parsed.scheme, parsed.scheme)
    return arrow_fs.FileSystem.from_uri(scheme + uri[len(parsed.scheme):])


def refuse_unopenable(uri: str) -> None:
    """Raises NotDirect, without trying, for a file pyarrow could only open through a libhdfs that is not here."""
    scheme = urlparse(uri).scheme
    if scheme in _LIBHDFS_SCHEMES and not _libhdfs_found():
        raise NotDirect(f"pyarrow opens {scheme}:// only through libhdfs, which is not installed here "
                        "(looked in ARROW_LIBHDFS_DIR, HADOOP_HOME/lib/native and the system's libraries)")


def _libhdfs_found() -> bool:
    """True when libhdfs is where pyarrow looks for it: ARROW_LIBHDFS_DIR, HADOOP_HOME/lib/native, the system's."""
    hadoop_home = os.environ.get("HADOOP_HOME")
    folders = [os.environ.get("ARROW_LIBHDFS_DIR"), hadoop_home and os.path.join(hadoop_home, "lib", "native")]
    if any(folder and os.path.isfile(os.path.join(folder, "libhdfs.so")) for folder in folders):
        return True
    return ctypes.util.find_library("hdfs") is not None


def _check_table(spark: SparkSession, table: str, partition_column: str) -> None:
    description = describe_table(spark, table)
    details = description.details
    if details.get("Type", "").upper() == "VIEW":
        raise NotDirect(f"{table} is a view")
    provider = details.get("Provider", "").lower()
    parquet = provider == "parquet" or (provider == "hive" and "parquet" in details.get("Serde Library", "").lower())
    if not parquet:
        raise NotDirect(f"{table} is not stored as Parquet (provider {provider or '?'}, "
                        f"serde {details.get('Serde Library', '?')})")
    partitions = [name.lower() for name in description.partition_columns]
    if partition_column.lower() not in partitions:
        raise NotDirect(f"{partition_column} is not a partition column of {table} (partitions: {partitions})")


def _resolve_columns(schema: pa.Schema, uri: str, wanted: DataFrame,
                     id_columns: list[str]) -> tuple[list[InputColumn], list[InputColumn]]:
    by_lower = {name.lower(): name for name in schema.names}
    ids = {name.lower() for name in id_columns}
    id_inputs, feature_inputs = [], []
    for field in wanted.schema.fields:
        spark_type = field.dataType.simpleString()
        file_name = by_lower.get(field.name.lower())
        if file_name is None:
            raise NotDirect(f"{uri} has no column {field.name}")
        file_type, target = schema.field(file_name).type, arrow_type(spark_type)
        if field.name.lower() in ids:
            if target is None or not can_store(file_type, target):
                raise NotDirect(f"id column {field.name} is {spark_type} ({file_type} in the files)")
            id_inputs.append(InputColumn(field.name, file_name, target))
        else:
            if target is None or not is_feature_type(file_type):
                raise NotDirect(f"feature column {field.name} is {spark_type} ({file_type} in the files)")
            feature_inputs.append(InputColumn(field.name, file_name, target))
    return id_inputs, feature_inputs


def plan_direct_input(spark: SparkSession, table: str, partition_column: str, wanted: DataFrame,
                      id_columns: list[str], parallelism: int) -> DirectInput:
    """Plans the direct path for `wanted`: one partition of `table`, its id and feature columns selected and cast.

    Reads only the files' footers. Row groups are grouped into units of about rows / (2 x parallelism), so every
    core gets work and a slow unit delays the end little.

    Raises:
        NotDirect: the input cannot take the direct path (the message says why).
    """
    _check_table(spark, table, partition_column)
    groups: list[tuple[str, int, int]] = []
    resolved: tuple[list[InputColumn], list[InputColumn]] | None = None
    for uri in sorted(wanted.inputFiles()):
        refuse_unopenable(uri)
        try:
            filesystem, path = open_file(uri)
            with filesystem.open_input_file(path) as source:
                metadata = pq.ParquetFile(source).metadata
        except Exception as error:  # not Parquet, or a filesystem pyarrow cannot open: Spark's path will
            raise NotDirect(f"cannot read {uri} with pyarrow: {error}") from error
        columns = _resolve_columns(metadata.schema.to_arrow_schema(), uri, wanted, id_columns)
        if resolved is not None and columns != resolved:
            raise NotDirect(f"{uri} stores the columns with other types than the partition's other files")
        resolved = columns
        groups += [(uri, group, metadata.row_group(group).num_rows) for group in range(metadata.num_row_groups)]
    ids, features = resolved or ([], [])
    return DirectInput(_units(groups, parallelism), ids, features)


def _units(groups: list[tuple[str, int, int]], parallelism: int) -> list[WorkUnit]:
    """Consecutive non-empty row groups of one file, up to the target rows per unit."""
    total = sum(rows for _, _, rows in groups)
    target = max(1, math.ceil(total / (2 * max(1, parallelism))))
    units: list[WorkUnit] = []
    current: list[tuple[str, int, int]] = []

    def close() -> None:
        if current:
            units.append(WorkUnit(len(units), current[0][0], tuple(g for _, g, _ in current),
                                  sum(r for _, _, r in current)))
            current.clear()

    for uri, group, rows in groups:
        if rows == 0:
            continue
        if current and (current[0][0] != uri or sum(r for _, _, r in current) + rows > target):
            close()
        current.append((uri, group, rows))
    close()
    return units


def read_sample(direct: DirectInput, rows: int) -> pd.DataFrame:
    """The first `rows` rows of the partition's features (as the model will get them), for the probe."""
    for unit in direct.units:
        for batch in read_batches(unit, direct.ids + direct.features, rows):
            return features_frame(batch, direct.features)
    return pd.DataFrame(columns=[c.table_name for c in direct.features])


def read_batches(unit: WorkUnit, columns: list[InputColumn], batch_rows: int):
    """The unit's rows as Arrow record batches of at most `batch_rows` rows, reading only `columns`."""
    filesystem, path = open_file(unit.uri)
    with filesystem.open_input_file(path) as source:
        # One thread per task: the cores are already shared out between Spark tasks.
        yield from pq.ParquetFile(source).iter_batches(
            batch_size=batch_rows, row_groups=list(unit.row_groups),
            columns=list(dict.fromkeys(c.file_name for c in columns)), use_threads=False)


def column(batch: pa.RecordBatch, input_column: InputColumn) -> pa.Array:
    """One column of a batch as the table declares it (numbers cast like Spark's implicit casts, unchecked)."""
    values = batch.column(input_column.file_name)
    return values if values.type.equals(input_column.type) else values.cast(input_column.type, safe=False)


def features_frame(batch: pa.RecordBatch, features: list[InputColumn]) -> pd.DataFrame:
    """The model's input for a batch: feature columns under their table names, in the model's order."""
    table = pa.table([column(batch, c) for c in features], names=[c.table_name for c in features])
    return table.to_pandas()


def sweep_temporaries(folder: str) -> None:
    """Deletes part files that killed task attempts left unfinished in a run folder (hidden, but not kept)."""
    filesystem, path = open_file(folder)
    for info in filesystem.get_file_info(arrow_fs.FileSelector(path, allow_not_found=True)):
        if info.base_name.startswith(TEMPORARY_PREFIX):
            filesystem.delete_file(info.path)
