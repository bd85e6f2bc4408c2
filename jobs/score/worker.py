"""What runs inside Spark's Python workers: the model loaded once per worker, scoring whole Arrow batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from jobs.score.shaping import ScoreColumn, shape_output

# One loaded model per process and pinned model (see bundle.model_key): Spark reuses Python workers across tasks
# (spark.python.worker.reuse, on by default), so loading here and not per batch or task pays the cost once. Keyed
# by the model, not by the folder it was loaded from: every call ships the model under a new archive name, and a
# cache keyed by path kept one copy per call in a long-lived session.
_MODELS: dict[str, object] = {}


def cached_model(key: str, location: str):
    """The pyfunc model identified by `key`, loaded from the folder `location` on first use in this process."""
    if key not in _MODELS:
        import mlflow.pyfunc

        _MODELS[key] = mlflow.pyfunc.load_model(location)
    return _MODELS[key]


def make_batch_scorer(model_key: str, archive_name: str, features: list[str], id_columns: list[str],
                      score_columns: list[ScoreColumn],
                      rows_scored=None) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function given to `DataFrame.mapInPandas`.

    Args:
        model_key: cache key of the pinned model (bundle.model_key).
        archive_name: name the model archive was shipped under with `SparkContext.addArchive`; each executor
            unpacks it into a folder of that name (found via SparkFiles, so local mode and clusters agree).
        features: columns passed to `predict` (only these: extra columns make MLflow warn per batch).
        id_columns: columns copied through to the output.
        score_columns: the planned output columns (see shaping.py).
        rows_scored: optional Spark accumulator that counts the rows scored.
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

    return score_batches
