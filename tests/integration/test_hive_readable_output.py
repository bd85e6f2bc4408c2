"""The score step's output read through Hive 2.3's own Parquet SerDe, as Hive 2/3 on a Hadoop cluster reads it.

Spark reads a Hive-format Parquet table with its own reader unless `spark.sql.hive.convertMetastoreParquet` is
false; then it scans through the table's SerDe, `ParquetHiveSerDe` of the hive-exec 2.3 jar that pyspark ships.
Hive before 4.0 reads timestamps only as INT96 and decimals only as fixed-length byte arrays: a file that stores
either otherwise fails there (`ClassCastException: LongWritable cannot be cast to TimestampWritable`) while
Spark's own reader and HiveServer2-on-Spark read it fine (real Spark, metastore, HiveServer2, MLflow).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.score.pipeline import score_partition
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import score_request

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ROWS = 40
# One id column per type a table can hand through to the output; the direct path takes all but `timestamp`.
ID_TYPES = {
    "id_string": ("STRING", pa.string()), "id_int": ("INT", pa.int32()), "id_bigint": ("BIGINT", pa.int64()),
    "id_smallint": ("SMALLINT", pa.int16()), "id_tinyint": ("TINYINT", pa.int8()), "id_date": ("DATE", pa.date32()),
    "id_decimal": ("DECIMAL(12,2)", pa.decimal128(12, 2)), "id_boolean": ("BOOLEAN", pa.bool_()),
    "id_double": ("DOUBLE", pa.float64()), "id_float": ("FLOAT", pa.float32()),
}
TIMESTAMP_ID = {"id_timestamp": ("TIMESTAMP", pa.timestamp("us", tz="UTC"))}


def _id_values(name: str, index: int) -> object:
    values = {
        "id_string": f"row-{index:03d}", "id_int": index, "id_bigint": 10**12 + index, "id_smallint": index,
        "id_tinyint": index % 100, "id_date": dt.date(2024, 1, 1) + dt.timedelta(days=index),
        "id_decimal": decimal.Decimal(index) / 4, "id_boolean": index % 2 == 0, "id_double": index / 8,
        "id_float": index / 2, "id_timestamp": dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC) + dt.timedelta(
            minutes=index),
    }
    return values[name]


def _typed_input(cursor, stack, database: str, cancer_frame: pd.DataFrame, ids: dict) -> str:
    """A Parquet input partition with one id column of each type in `ids` plus the 30 model features."""
    features = cancer_frame.drop(columns=["id"]).head(ROWS).reset_index(drop=True)
    table = f"{database}.typed_{uuid.uuid4().hex[:6]}"
    columns = [f"{name} {hive}" for name, (hive, _) in ids.items()] + [f"{name} DOUBLE" for name in features]
    cursor.execute(f"CREATE TABLE {table} ({', '.join(columns)}) PARTITIONED BY (dt STRING) STORED AS PARQUET")
    arrays = [pa.array([_id_values(name, i) for i in range(ROWS)], arrow) for name, (_, arrow) in ids.items()]
    arrays += [pa.array(features[name].to_numpy(), pa.float64()) for name in features]
    folder = stack.warehouse_dir / "_test_input" / table / INPUT_DS
    folder.mkdir(parents=True)
    # Written as Hive would read it (INT96 timestamps): the input is not what this test is about.
    pq.write_table(pa.Table.from_arrays(arrays, names=[*ids, *features]), folder / "part-0.parquet",
                   use_deprecated_int96_timestamps=True)
    cursor.execute(f"ALTER TABLE {table} ADD PARTITION (dt='{INPUT_DS}') LOCATION '{folder.as_uri()}'")
    return table


def _read_through_hive_serde(spark, table: str) -> tuple[list[tuple], str]:
    """Every column of the partition as Hive 2.3's ParquetHiveSerDe reads it, and the physical plan."""
    spark.conf.set("spark.sql.hive.convertMetastoreParquet", "false")
    try:
        query = spark.sql(f"SELECT * FROM {table} WHERE dt = '{INPUT_DS}'")
        plan = query._jdf.queryExecution().executedPlan().toString()
        return [tuple(row) for row in query.collect()], plan
    finally:
        spark.conf.unset("spark.sql.hive.convertMetastoreParquet")


def _read_natively(spark, table: str) -> list[tuple]:
    return [tuple(row) for row in spark.sql(f"SELECT * FROM {table} WHERE dt = '{INPUT_DS}'").collect()]


@pytest.mark.parametrize(("file_io", "ids", "expected_path"), [
    ("auto", ID_TYPES, "direct"),
    ("spark", {**ID_TYPES, **TIMESTAMP_ID}, "spark"),
], ids=["direct", "spark"])
def test_every_output_column_reads_through_hive_parquet_serde(spark, sklearn_model, cancer_frame, hive_cursor,
                                                               local_stack, test_database, file_io, ids,
                                                               expected_path):
    table = _typed_input(hive_cursor, local_stack, test_database, cancer_frame, ids)
    output = f"{test_database}.hive_readable_{file_io}"
    result = score_partition(spark, score_request(sklearn_model, table, output, id_columns=list(ids),
                                                  file_io=file_io))
    assert result.file_io == expected_path and result.rows_written == ROWS

    through_hive, plan = _read_through_hive_serde(spark, output)
    assert "Scan hive" in plan and "ParquetHiveSerDe" in plan, plan  # the SerDe, not Spark's Parquet reader
    native = _read_natively(spark, output)
    assert sorted(through_hive) == sorted(native)
    names = spark.table(output).columns
    assert names == [*ids, "score", "model_name", "model_version", "model_run_id", "scored_at", "dt"]
    rows = pd.DataFrame(through_hive, columns=names).sort_values("id_int").reset_index(drop=True)
    for name in ids:
        assert rows[name].tolist() == [_id_values(name, i) if name != "id_timestamp"
                                       else _id_values(name, i).replace(tzinfo=None) for i in range(ROWS)], name
    assert rows["scored_at"].nunique() == 1
    scored_at = rows["scored_at"].iloc[0]
    assert abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - scored_at) < dt.timedelta(minutes=10), scored_at
