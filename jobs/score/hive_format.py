"""How both write paths store Parquet so that Hive 2 and 3 read every output column (Hive 4 and Spark read any).

Hive before 4.0 reads a timestamp only from INT96 and a decimal only from a fixed-length byte array: an INT64
timestamp fails in its ParquetHiveSerDe with `ClassCastException: LongWritable cannot be cast to
TimestampWritable`, an INT32/INT64 decimal with `UnsupportedOperationException` in `ETypeConverter`. The other
column types the step writes (integers, floating point, boolean, string, date) read the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import SparkSession

# pyarrow's ParquetWriter (the direct path, worker.py). Decimals are already fixed-length byte arrays by default;
# said here so a changed default cannot silently break Hive.
PYARROW_WRITER_OPTIONS = {"use_deprecated_int96_timestamps": True, "store_decimal_as_integer": False}

# Spark's writer (--file-io spark). Spark's default timestamp type is INT96 already, but a job's spark.conf may
# change it; writeLegacyFormat stores decimals as fixed-length byte arrays (Spark's default is INT32/INT64).
SPARK_WRITE_CONF = {"spark.sql.parquet.outputTimestampType": "INT96", "spark.sql.parquet.writeLegacyFormat": "true"}


@contextmanager
def hive_readable_writes(spark: SparkSession) -> Iterator[None]:
    """Spark's Parquet writes inside the block use SPARK_WRITE_CONF; the session's own values come back after."""
    previous = {key: spark.conf.get(key, None) for key in SPARK_WRITE_CONF}
    for key, value in SPARK_WRITE_CONF.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)
