"""`python -m bench.own_env`: one model, one data set, four ways to get its environment: time to first score, rows/s.

Modes (each in a fresh Spark session, local[2], the same in-memory features; no Hive needed):
  image         the model loaded in the image's interpreter (model.environment: image)
  own-cold      its own environment built into an empty cache, then scored through the model process
  own-cached    the same with the environment already in the cache (a second run, another lane)
  udf-uv, udf-virtualenv   MLflow's `spark_udf(env_manager=...)`, which builds its environment per job
Time to first score: from the mode's start (fetching the model, building or finding the environment, shipping) to
the scores of a first 1-row batch. Rows/s: the full frame scored afterwards (written to Spark's `noop` sink).
The model is pinned to the image's own versions, so `image` is a fair baseline (nothing to install).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np

MODES = ("image", "own-cold", "own-cached", "udf-uv", "udf-virtualenv")
PACKAGES = ("mlflow-skinny", "scikit-learn", "numpy", "pandas", "cloudpickle")


def _log_model(root: Path) -> str:
    import importlib.metadata

    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.ensemble import GradientBoostingRegressor

    from demo.model import training_frame

    features, target = training_frame()
    model = GradientBoostingRegressor(n_estimators=40, random_state=0).fit(features, target)
    mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
    mlflow.set_experiment("bench-own-env")
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model, name="model", signature=infer_signature(features, model.predict(features)),
            serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
            pip_requirements=[f"{name}=={importlib.metadata.version(name)}" for name in PACKAGES])
    return info.model_uri


def _frame(spark, rows: int):
    from demo.model import training_frame

    features, _ = training_frame()
    repeated = features.sample(rows, replace=True, random_state=0).reset_index(drop=True)
    return spark.createDataFrame(repeated).repartition(2).cache()


def _ours(spark, model_uri: str, work: Path, cache: Path | None) -> Callable:
    from pyspark.sql.types import DoubleType, StructField, StructType

    from jobs.score.bundle import fetch_bundle
    from jobs.score.environment.attach import OwnEnvironment
    from jobs.score.shaping import ScoreColumn
    from jobs.score.worker import make_batch_scorer

    bundle = fetch_bundle(model_uri, "1", work, None, OwnEnvironment(cache, ship=False) if cache else None)
    spark.sparkContext.addArchive(str(bundle.archive))

    def score(frame):
        scorer = make_batch_scorer(bundle.key, bundle.archive_name, frame.columns, [], [ScoreColumn("score", "double")])
        return frame.mapInPandas(scorer, StructType([StructField("score", DoubleType())]))
    return score


def _udf(spark, model_uri: str, env_manager: str) -> Callable:
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    predict = mlflow.pyfunc.spark_udf(spark, model_uri, result_type="double", env_manager=env_manager)
    return lambda frame: frame.select(predict(F.struct(*frame.columns)).alias("score"))


def run_mode(mode: str, rows: int, root: Path, model_uri: str) -> dict:
    from pyspark.sql import SparkSession

    work = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=root))
    spark = (SparkSession.builder.master("local[2]").appName(f"bench-{mode}")
             .config("spark.local.dir", str(work / "spark")).config("spark.ui.enabled", "false")
             .config("spark.pyspark.python", sys.executable).getOrCreate())
    try:
        frame = _frame(spark, rows)
        frame.count()
        started = time.monotonic()
        try:
            if mode.startswith("udf-"):
                score = _udf(spark, model_uri, mode.split("-", 1)[1])
            else:
                score = _ours(spark, model_uri, work, None if mode == "image" else root / "env-cache")
            score(frame.limit(1)).collect()
        except Exception as error:  # e.g. virtualenv offline: recorded, not raised
            return {"mode": mode, "error": str(error).strip().splitlines()[-1][:300]}
        first = time.monotonic() - started
        started = time.monotonic()
        score(frame).write.format("noop").mode("overwrite").save()
        seconds = time.monotonic() - started
        return {"mode": mode, "time_to_first_score_s": round(first, 2), "rows": rows,
                "rows_per_s": round(rows / seconds), "seconds": round(seconds, 2)}
    finally:
        spark.stop()


@click.command()
@click.option("--rows", type=click.IntRange(1), default=100_000, show_default=True)
@click.option("--modes", default=",".join(MODES), show_default=True, help="Comma-separated subset of the modes.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def main(rows: int, modes: str, work_dir: Path | None) -> None:
    """Print one JSON line per mode, and the machine's load before and after."""
    root = (work_dir or Path(tempfile.mkdtemp(prefix="bench-own-env-"))).absolute()
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # as jobs.common.spark does: workers get the venv
    # MLflow's env_manager="uv" calls `uv` by name: the pinned one of this environment.
    from uv import find_uv_bin

    os.environ["PATH"] = f"{Path(find_uv_bin()).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    click.echo(f"uptime before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    model_uri = _log_model(root)
    shutil.rmtree(root / "env-cache", ignore_errors=True)
    for mode in modes.split(","):
        click.echo(json.dumps(run_mode(mode, rows, root, model_uri)))
    click.echo(f"uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
