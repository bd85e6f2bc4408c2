"""Deterministic synthetic features: row `i` has the same values whatever the total row count, so sizes nest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ID_COLUMN = "row_id"
FEATURE_COUNT = 30
# Rows per generated block: each block has its own seeded generator, so any prefix of rows is reproducible.
BLOCK_ROWS = 100_000
# Every third feature is skewed (log-normal), the rest standard normal: the model's log1p step has work to do.
SKEWED_EVERY = 3


def feature_names(count: int = FEATURE_COUNT) -> list[str]:
    """`f00`, `f01`, ... (valid Hive identifiers)."""
    return [f"f{index:02d}" for index in range(count)]


def block(seed: int, index: int, rows: int, features: int = FEATURE_COUNT) -> pd.DataFrame:
    """Block `index` of the stream: ids `index*BLOCK_ROWS ...`, `rows` (<= BLOCK_ROWS) rows of features."""
    generator = np.random.default_rng([seed, index])
    values = generator.standard_normal((rows, features))
    skewed = np.arange(features) % SKEWED_EVERY == 0
    values[:, skewed] = np.exp(values[:, skewed])
    frame = pd.DataFrame(values, columns=feature_names(features))
    frame.insert(0, ID_COLUMN, np.arange(index * BLOCK_ROWS, index * BLOCK_ROWS + rows, dtype="int64"))
    return frame


def blocks(seed: int, rows: int, features: int = FEATURE_COUNT) -> Iterator[pd.DataFrame]:
    """The first `rows` rows of the stream, block by block (memory stays at one block)."""
    for index, start in enumerate(range(0, rows, BLOCK_ROWS)):
        yield block(seed, index, min(BLOCK_ROWS, rows - start), features)


def frame(seed: int, rows: int, features: int = FEATURE_COUNT) -> pd.DataFrame:
    """The first `rows` rows as one in-memory pandas DataFrame (id column first)."""
    return pd.concat(list(blocks(seed, rows, features)), ignore_index=True)


def write_partition(folder: Path, seed: int, rows: int, files: int, features: int = FEATURE_COUNT) -> Path:
    """Writes the first `rows` rows as `files` Parquet files of contiguous ids and equal size (folder replaced).

    Equal files give every Spark task the same work, so two cores finish together.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    bounds = np.linspace(0, rows, files + 1).astype(int)
    pending: list[pd.DataFrame] = []
    written = 0
    for part in blocks(seed, rows, features):
        pending.append(part)
        while written < files and sum(len(p) for p in pending) >= bounds[written + 1] - bounds[written]:
            merged = pd.concat(pending, ignore_index=True)
            size = bounds[written + 1] - bounds[written]
            pq.write_table(pa.Table.from_pandas(merged.iloc[:size], preserve_index=False),
                           folder / f"part-{written:05d}.parquet")
            pending = [merged.iloc[size:]]
            written += 1
    return folder
