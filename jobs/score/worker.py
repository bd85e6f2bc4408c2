"""What runs inside Spark's Python workers: the model loaded once per worker, scoring whole Arrow batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from jobs.score.shaping import ScoreColumn, shape_output

# One loaded model per worker process and model: Spark reuses Python workers across tasks
# (spark.python.worker.reuse, on by default), so loading here and not per batch or task pays the cost once.
_MODELS: dict[str, object] = {}


def cached_model(path: str):
    """The pyfunc model at `path`, loaded on first use in this process."""
    if path not in _MODELS:
        import mlflow.pyfunc

        _MODELS[path] = mlflow.pyfunc.load_model(path)
    return _MODELS[path]


def make_batch_scorer(model_file: str, features: list[str], id_columns: list[str],
                      score_columns: list[ScoreColumn]) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function given to `DataFrame.mapInPandas`.

    Args:
        model_file: name the model folder was shipped under with `SparkContext.addFile` (found via SparkFiles,
            so the same code works in local mode and on a cluster).
        features: columns passed to `predict` (only these: extra columns make MLflow warn per batch).
        id_columns: columns copied through to the output.
        score_columns: the planned output columns (see shaping.py).
    """

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from pyspark import SparkFiles

        model = cached_model(SparkFiles.get(model_file))
        for batch in batches:
            prediction = model.predict(batch[features])
            scores = shape_output(prediction, score_columns, len(batch))
            yield pd.concat([batch[id_columns].reset_index(drop=True), scores], axis=1)

    return score_batches
