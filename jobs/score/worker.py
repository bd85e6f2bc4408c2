"""What runs inside Spark's Python workers: the model loaded once per worker, scoring whole Arrow batches.

Three entry points score: `make_arrow_scorer` for mapInArrow and `make_batch_scorer` for mapInPandas (Spark reads
and writes), and `make_file_scorer` for the direct Parquet path (the worker reads and writes the files itself, see
direct.py); `make_model_loader` only loads the model, for the warm-up job (warmup.py).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jobs.score.direct import (
    TEMPORARY_PREFIX,
    DirectInput,
    WorkUnit,
    column,
    features_frame,
    open_file,
    read_batches,
)
from jobs.score.environment.attach import environment_interpreter
from jobs.score.environment.client import EnvironmentModel
from jobs.score.hive_format import PYARROW_WRITER_OPTIONS
from jobs.score.requirements import REQUIREMENTS_FOLDER
from jobs.score.shaping import DOUBLE, ScoreColumn, shape_output

# One loaded model per process and pinned model (see bundle.model_key): Spark reuses Python workers across tasks
# (spark.python.worker.reuse, on by default), so loading here and not per batch or task pays the cost once. Keyed
# by the model, not by the folder it was loaded from: every call ships the model under a new archive name, and a
# cache keyed by path kept one copy per call in a long-lived session.
_MODELS: dict[str, object] = {}


def cached_model(key: str, location: str, warn: bool = False, driver: bool = False):
    """The pyfunc model identified by `key`, loaded from the folder `location` on first use in this process.

    Args:
        key: cache key of the pinned model (bundle.model_key).
        location: the model folder (holds `MLmodel`).
        warn: let MLflow warn about requirement and Python version mismatches while loading. The driver loads
            with warnings, once per run and in the step's log; Python workers run the same image and skip them,
            because MLflow's requirement check scans every installed distribution's files, most of a model load
            (docs/BENCHMARKS.md), in every worker.
        driver: called on the driver, which reads an own environment from the cache (executors of a cluster
            from the archive Spark ships them, see environment/attach.py).
    """
    if key not in _MODELS:
        interpreter = environment_interpreter(location, driver)
        if interpreter is not None:  # the model's own environment: it predicts there, never in this interpreter
            _MODELS[key] = EnvironmentModel(interpreter, location)
            return _MODELS[key]
        import mlflow.pyfunc

        _use_shipped_requirements(location)
        _MODELS[key] = mlflow.pyfunc.load_model(location, suppress_warnings=not warn)
    return _MODELS[key]


def _use_shipped_requirements(location: str) -> None:
    """Makes packages shipped inside the model archive importable, after the environment's own (they never win)."""
    shipped = os.path.join(location, REQUIREMENTS_FOLDER)
    if os.path.isdir(shipped) and shipped not in sys.path:
        sys.path.append(shipped)


def make_model_loader(model_key: str, archive_name: str) -> Callable[[Iterator[int]], Iterator[int]]:
    """The function given to `RDD.mapPartitions` by the warm-up job: loads the model, yields this worker's PID."""

    def load(_: Iterator[int]) -> Iterator[int]:
        from pyspark import SparkFiles

        cached_model(model_key, SparkFiles.get(archive_name))
        yield os.getpid()

    return load


def make_batch_scorer(model_key: str, archive_name: str, features: list[str], id_columns: list[str],
                      score_columns: list[ScoreColumn], rows_scored=None,
                      units_scored=None) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function given to `DataFrame.mapInPandas`.

    Args:
        model_key: cache key of the pinned model (bundle.model_key).
        archive_name: name the model archive was shipped under with `SparkContext.addArchive`; each executor
            unpacks it into a folder of that name (found via SparkFiles, so local mode and clusters agree).
        features: columns passed to `predict` (only these: extra columns make MLflow warn per batch).
        id_columns: columns copied through to the output.
        score_columns: the planned output columns (see shaping.py).
        rows_scored: optional Spark accumulator that counts the rows scored.
        units_scored: optional Spark accumulator that counts the partitions (work units) scored.
    """

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from pyspark import SparkFiles

        model = cached_model(model_key, SparkFiles.get(archive_name))
        for batch in batches:
            prediction = model.predict(batch[features])
            scores = shape_output(prediction, score_columns, len(batch))
            if rows_scored is not None:
                rows_scored.add(len(batch))
            yield pd.concat([batch[id_columns].reset_index(drop=True), scores], axis=1)
        if units_scored is not None:
            units_scored.add(1)

    return score_batches


def make_arrow_scorer(model_key: str, archive_name: str, features: list[str], id_columns: list[str],
                      score_columns: list[ScoreColumn], rows_scored=None,
                      units_scored=None) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function given to `DataFrame.mapInArrow` when every feature is a number or a boolean (arguments as
    make_batch_scorer's).

    Why not mapInPandas for these: Spark converts every column of every batch to pandas one Series at a time and
    the output back, in the Python worker; here pyarrow converts only the features, in one call (the same
    conversion as the direct path's, which gives these types the dtypes Spark's gives), the ids pass through as
    Arrow, and NaN scores become nulls in the same step (no `nanvl` pass in the JVM).
    """
    score_types = [pa.float64() if c.type == DOUBLE else pa.string() for c in score_columns]

    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import SparkFiles

        model = cached_model(model_key, SparkFiles.get(archive_name))
        for batch in batches:
            frame = pa.Table.from_batches([batch]).select(features).to_pandas()
            scores = shape_output(model.predict(frame), score_columns, batch.num_rows)
            arrays = [batch.column(name) for name in id_columns]
            arrays += [pa.array(scores[c.name].to_numpy(), kind, from_pandas=True)
                       for c, kind in zip(score_columns, score_types, strict=True)]
            if rows_scored is not None:
                rows_scored.add(batch.num_rows)
            yield pa.RecordBatch.from_arrays(arrays, names=[*id_columns, *(c.name for c in score_columns)])
        if units_scored is not None:
            units_scored.add(1)

    return score_batches


@dataclass(frozen=True)
class FileOutput:
    """Where and how the direct path's tasks write (see direct.py).

    Attributes:
        folder: the run folder (a URI as the metastore will hold it).
        run_tag: unique per run; part of every file name.
        schema: Arrow schema of the written files (ids, score columns, lineage columns).
        lineage: model_name, model_version, model_run_id and scored_at values for every row.
        batch_rows: rows read, scored and written at a time (bounds each task's memory).
    """

    folder: str
    run_tag: str
    schema: pa.Schema
    lineage: dict[str, object]
    batch_rows: int

    def file_name(self, unit: WorkUnit) -> str:
        return f"part-{unit.index:05d}-{self.run_tag}.snappy.parquet"


def make_file_scorer(model_key: str, archive_name: str, direct: DirectInput, score_columns: list[ScoreColumn],
                     output: FileOutput, rows_scored=None,
                     units_scored=None) -> Callable[[Iterator[WorkUnit]], Iterator[int]]:
    """The function given to `RDD.mapPartitions` over the work units: yields the rows written per unit.

    `rows_scored` and `units_scored` (optional Spark accumulators) count rows and units as each unit's file is in
    place, for the driver's progress lines; the yielded counts stay what the driver checks.

    Each unit's file is written under a hidden temporary name and renamed when complete, so the run folder never
    holds a partial part file under its final name; a retried task rewrites its unit's file under the same name.
    """

    def score_units(units: Iterator[WorkUnit]) -> Iterator[int]:
        from pyspark import SparkFiles

        model = cached_model(model_key, SparkFiles.get(archive_name))
        filesystem, folder = open_file(output.folder)
        filesystem.create_dir(folder, recursive=True)
        for unit in units:
            temporary = f"{folder}/{TEMPORARY_PREFIX}{uuid.uuid4().hex}-{output.file_name(unit)}"
            written = 0
            try:
                with pq.ParquetWriter(temporary, output.schema, filesystem=filesystem,
                                      **PYARROW_WRITER_OPTIONS) as writer:
                    for batch in read_batches(unit, direct.ids + direct.features, output.batch_rows):
                        prediction = model.predict(features_frame(batch, direct.features))
                        scores = shape_output(prediction, score_columns, batch.num_rows)
                        writer.write_table(_output_table(batch, direct, scores, output))
                        written += batch.num_rows
            except BaseException:
                _delete_quietly(filesystem, temporary)
                raise
            filesystem.move(temporary, f"{folder}/{output.file_name(unit)}")
            if rows_scored is not None:
                rows_scored.add(written)
            if units_scored is not None:
                units_scored.add(1)
            yield written

    return score_units


def _delete_quietly(filesystem, path: str) -> None:
    try:
        filesystem.delete_file(path)
    except OSError:  # never written, or already gone: the driver sweeps what is left (direct.sweep_temporaries)
        pass


def _output_table(batch: pa.RecordBatch, direct: DirectInput, scores: pd.DataFrame, output: FileOutput) -> pa.Table:
    rows = batch.num_rows
    arrays = [column(batch, c) for c in direct.ids]
    for name in scores.columns:  # shaping left NaN for unusable numbers: from_pandas stores them as NULL
        arrays.append(pa.array(scores[name].to_numpy(), output.schema.field(name).type, from_pandas=True))
    arrays += [pa.repeat(pa.scalar(value, output.schema.field(name).type), rows)
               for name, value in output.lineage.items()]
    return pa.Table.from_arrays(arrays, schema=output.schema)
