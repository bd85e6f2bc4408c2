"""The benchmark model: log1p + clipping + standardization, then gradient boosting, logged as an MLflow pyfunc.

The PythonModel is pickled by value (cloudpickle), so it loads wherever MLflow and scikit-learn are installed
(Spark executors, `mlflow models serve`) without this repository on sys.path.
"""

from __future__ import annotations

import importlib.metadata
import sys

import cloudpickle
import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.ensemble import HistGradientBoostingClassifier

from bench import data
from demo.model import RegisteredModel

MODEL_NAME = "bench-hgb"
NOOP_MODEL_NAME = "bench-noop"
ALIAS = "bench"
EXPERIMENT = "bench"
TRAIN_ROWS = 30_000
TRAIN_SEED = 7
RUNTIME_PACKAGES = ("mlflow", "scikit-learn", "numpy", "pandas", "cloudpickle")


class BoostedRiskModel(mlflow.pyfunc.PythonModel):
    """Preprocessing (log1p of skewed features, clipping, standardization) then HistGradientBoosting; P(y=1)."""

    def __init__(self, features: list[str], skewed: np.ndarray, center: np.ndarray, scale: np.ndarray, estimator):
        self.features = features
        self.skewed = skewed
        self.center = center
        self.scale = scale
        self.estimator = estimator

    @staticmethod
    def transform(values: np.ndarray, skewed: np.ndarray, center: np.ndarray, scale: np.ndarray) -> np.ndarray:
        prepared = values.copy()
        prepared[:, skewed] = np.log1p(np.clip(prepared[:, skewed], 0.0, None))
        return np.clip((prepared - center) / scale, -6.0, 6.0)

    def predict(self, context, model_input, params=None):
        values = model_input[self.features].to_numpy(dtype="float64")
        return self.estimator.predict_proba(self.transform(values, self.skewed, self.center, self.scale))[:, 1]


class ConstantModel(mlflow.pyfunc.PythonModel):
    """Diagnostic model with no compute: returns 0.5 per row, so scoring it measures the pipeline alone."""

    def __init__(self, features: list[str]):
        self.features = features

    def predict(self, context, model_input, params=None):
        return np.full(len(model_input), 0.5)


def training_set() -> tuple[pd.DataFrame, np.ndarray]:
    """Features from the synthetic stream (its own seed) and a non-linear 0/1 target with label noise."""
    features = data.frame(TRAIN_SEED, TRAIN_ROWS).drop(columns=[data.ID_COLUMN])
    x = features.to_numpy()
    logit = np.sin(x[:, 1] * 2) + x[:, 2] * x[:, 4] - np.log1p(x[:, 0]) + 0.5 * (x[:, 5] > 0.3) + 0.3 * x[:, 7] ** 2
    noise = np.random.default_rng(TRAIN_SEED).logistic(size=len(x))
    return features, (logit + noise > 0.5).astype("int64")


def build_model(max_iter: int = 60) -> tuple[BoostedRiskModel, pd.DataFrame]:
    """Trains the model; returns it and its training features (for the signature)."""
    features, target = training_set()
    names = list(features.columns)
    skewed = np.arange(len(names)) % data.SKEWED_EVERY == 0
    raw = features.to_numpy(dtype="float64")
    unscaled = BoostedRiskModel.transform(raw, skewed, np.zeros(len(names)), np.ones(len(names)))
    center, scale = unscaled.mean(axis=0), unscaled.std(axis=0) + 1e-9
    estimator = HistGradientBoostingClassifier(max_iter=max_iter, max_leaf_nodes=31, early_stopping=False,
                                               random_state=0)
    estimator.fit(BoostedRiskModel.transform(raw, skewed, center, scale), target)
    return BoostedRiskModel(names, skewed, center, scale, estimator), features


def installed_requirements() -> list[str]:
    """`name==version` of the packages the model needs, as installed here (the score step installs nothing)."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in RUNTIME_PACKAGES]


def register(tracking_uri: str, max_iter: int = 60, noop: bool = False) -> RegisteredModel:
    """Registers a new version of MODEL_NAME (alias ALIAS) on `tracking_uri`, trained here.

    Args:
        tracking_uri: the MLflow server.
        max_iter: boosting iterations (the model's compute per row).
        noop: register ConstantModel as NOOP_MODEL_NAME instead (diagnostics: pipeline cost without a model).
    """
    if noop:
        features = training_set()[0]
        model, name = ConstantModel(list(features.columns)), NOOP_MODEL_NAME
    else:
        model, features = build_model(max_iter)
        name = MODEL_NAME
    signature = infer_signature(features.head(100), model.predict(None, features.head(100)))
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(EXPERIMENT)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        with mlflow.start_run(run_name=f"train-{name}") as run:
            info = mlflow.pyfunc.log_model(
                name="model", python_model=model, signature=signature, registered_model_name=name,
                pip_requirements=installed_requirements(),
            )
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    version = str(info.registered_model_version)
    MlflowClient(tracking_uri=tracking_uri).set_registered_model_alias(name, ALIAS, version)
    return RegisteredModel(name, version, run.info.run_id, ALIAS)
