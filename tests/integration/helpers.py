"""Helpers for integration tests: load a pandas frame as a Hive partition, run a step as Argo would."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from generator.localstack import StackEndpoints
from jobs.score.pipeline import ScoreRequest

REPO_ROOT = Path(__file__).resolve().parents[2]
INPUT_DS = "2024-03-01"
HIVE_TYPES = {"int64": "BIGINT", "float64": "DOUBLE", "object": "STRING", "str": "STRING", "string": "STRING"}


def cancer_frame_with_ids() -> pd.DataFrame:
    """The demo input as the step tables hold it: an `id` column plus the 30 breast-cancer features (569 rows)."""
    from demo.model import training_frame

    features, _ = training_frame()
    return pd.concat([pd.DataFrame({"id": range(len(features))}, dtype="int64"), features], axis=1)


def create_partitioned_table(cursor, table: str, frame: pd.DataFrame, partition_column: str = "dt") -> None:
    """CREATE TABLE (Hive format, Parquet) with the frame's columns and a STRING partition column."""
    columns = ", ".join(f"{name} {HIVE_TYPES[str(dtype)]}" for name, dtype in frame.dtypes.items())
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns}) PARTITIONED BY ({partition_column} STRING) "
                   f"STORED AS PARQUET")


def load_partition(cursor, stack: StackEndpoints, table: str, frame: pd.DataFrame, ds: str,
                   partition_column: str = "dt", files: int = 1, row_group_rows: int | None = None) -> None:
    """Writes `frame` as Parquet and attaches it as partition `ds` (fast: no row-by-row INSERT through SQL).

    Args:
        files: split the rows into this many files (contiguous slices).
        row_group_rows: rows per Parquet row group (None: pyarrow's default, one group for test-sized frames).
    """
    create_partitioned_table(cursor, table, frame, partition_column)
    folder = stack.warehouse_dir / "_test_input" / table / f"{ds}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    bounds = [len(frame) * index // files for index in range(files + 1)]
    for index in range(files):
        part = frame.iloc[bounds[index]:bounds[index + 1]]
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), folder / f"part-{index}.parquet",
                       row_group_size=row_group_rows)
    cursor.execute(f"ALTER TABLE {table} DROP IF EXISTS PARTITION ({partition_column}='{ds}')")
    cursor.execute(f"ALTER TABLE {table} ADD PARTITION ({partition_column}='{ds}') LOCATION '{folder.as_uri()}'")


def score_request(model, input_table: str, output_table: str, ds: str = INPUT_DS, **overrides) -> ScoreRequest:
    """The score step's request for `model` over `input_table` (id column `id`, partitions `dt`)."""
    values = dict(ds=ds, model_uri=model.pinned_uri, model_name=model.name, model_version=model.version,
                  model_run_id=model.run_id, input_table=input_table, input_partition_column="dt",
                  id_columns=["id"], output_table=output_table, output_partition_column="dt", score_column="score")
    values.update(overrides)
    return ScoreRequest(**values)


def read_frame(cursor, statement: str) -> pd.DataFrame:
    """Runs a query through PyHive and returns its rows as a DataFrame (column names without table prefix)."""
    cursor.execute(statement)
    names = [column[0].split(".")[-1] for column in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=names)


def run_step(step: str, args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs `python -m jobs.<step> ARGS` the way an Argo container does; returns the finished process."""
    return subprocess.run([sys.executable, "-m", f"jobs.{step}", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


def output_files(out_dir: Path) -> dict[str, str]:
    """The output-parameter files a step wrote, by name."""
    return {path.name: path.read_text() for path in sorted(out_dir.iterdir())}
