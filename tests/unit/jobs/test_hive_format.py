"""The direct path's pyarrow options store timestamps as INT96 and decimals as fixed-length byte arrays."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.score.hive_format import PYARROW_WRITER_OPTIONS


def test_pyarrow_options_write_the_physical_types_hive_2_reads(tmp_path):
    schema = pa.schema([("scored_at", pa.timestamp("us", tz="UTC")), ("amount", pa.decimal128(12, 2)),
                        ("day", pa.date32()), ("small", pa.int8())])
    table = pa.table([[dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)], [decimal.Decimal("1.25")], [dt.date(2024, 3, 1)],
                      [7]], schema=schema)
    path = tmp_path / "part.parquet"
    with pq.ParquetWriter(path, schema, **PYARROW_WRITER_OPTIONS) as writer:
        writer.write_table(table)

    columns = pq.ParquetFile(path).schema
    physical = {columns.column(i).name: columns.column(i).physical_type for i in range(len(columns))}
    assert physical == {"scored_at": "INT96", "amount": "FIXED_LEN_BYTE_ARRAY", "day": "INT32", "small": "INT32"}
