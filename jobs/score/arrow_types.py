"""Spark SQL types <-> Arrow types for the direct Parquet path (pure: unit-tested without Spark).

Only types whose Parquet form Spark reads back exactly as it would have written them are mapped; a column of any
other type (timestamps, nested types, intervals...) makes the step use Spark's own reader and writer instead.
"""

from __future__ import annotations

import re

import pyarrow as pa

_SIMPLE: dict[str, pa.DataType] = {
    "tinyint": pa.int8(), "smallint": pa.int16(), "int": pa.int32(), "bigint": pa.int64(),
    "float": pa.float32(), "double": pa.float64(), "boolean": pa.bool_(), "string": pa.string(),
    "date": pa.date32(),
}
_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")


def arrow_type(spark_type: str) -> pa.DataType | None:
    """The Arrow type that stores a Spark column of `spark_type` (a simpleString), or None when not mapped."""
    name = spark_type.strip().lower()
    if name in _SIMPLE:
        return _SIMPLE[name]
    decimal = _DECIMAL.fullmatch(name.replace(" ", ""))
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    return None


def is_feature_type(file_type: pa.DataType) -> bool:
    """Feature columns the direct path hands to the model: numbers and booleans.

    For these, pyarrow's `to_pandas` gives the model the same dtypes as Spark's Arrow conversion does (ints with
    nulls become float64 in both); strings and times convert differently, so their tables go through Spark.
    """
    return (pa.types.is_integer(file_type) or pa.types.is_floating(file_type) or pa.types.is_decimal(file_type)
            or pa.types.is_boolean(file_type))


def can_store(file_type: pa.DataType, target: pa.DataType) -> bool:
    """True when a file column of `file_type` can be written as `target` without Spark's cast rules.

    Same type, a string stored as large_string (or back), or a wider integer of the same signedness.
    """
    if file_type.equals(target):
        return True
    if pa.types.is_string(target) or pa.types.is_large_string(target):
        return pa.types.is_string(file_type) or pa.types.is_large_string(file_type)
    if pa.types.is_signed_integer(file_type) and pa.types.is_signed_integer(target):
        return file_type.bit_width <= target.bit_width
    return False
