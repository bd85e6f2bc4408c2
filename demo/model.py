"""Train and register the demo models: a custom pyfunc with preprocessing, a plain sklearn model, a multi-output one.

All train on scikit-learn's bundled breast-cancer data (no download). Feature names are mapped to valid Hive
identifiers (`mean radius` -> `mean_radius`). Requirements are pinned to what is installed, so scoring them in
this environment installs nothing.
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
from dataclasses import dataclass

import cloudpickle
import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

EXPERIMENT = "demo-models"
DEFAULT_ALIAS = "champion"
RUNTIME_PACKAGES = ("mlflow", "scikit-learn", "numpy", "pandas", "cloudpickle", "skops")
# We trained these trees ourselves, so skops (MLflow's default sklearn format) may load their node arrays.
TRUSTED_SKOPS_TYPES = ["sklearn.tree._tree.Tree"]


@dataclass(frozen=True)
class RegisteredModel:
    """A model version registered in MLflow.

    Attributes:
        name: registered model name.
        version: version number as text.
        run_id: run that logged it.
        alias: alias pointing at this version ("" when none was set).
    """

    name: str
    version: str
    run_id: str
    alias: str

    @property
    def alias_uri(self) -> str:
        return f"models:/{self.name}@{self.alias}"

    @property
    def pinned_uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def hive_name(feature: str) -> str:
    """`mean radius` -> `mean_radius`: dataset feature names as Hive identifiers."""
    return feature.strip().replace(" ", "_").lower()


def training_frame() -> tuple[pd.DataFrame, pd.Series]:
    """The breast-cancer features (30 double columns, Hive-safe names) and the 0/1 target."""
    data = load_breast_cancer(as_frame=True)
    features = data.data.rename(columns=hive_name).astype("float64")
    return features, data.target.astype("int64")


def installed_requirements() -> list[str]:
    """`name==version` of the packages these models need, as installed here (so scoring installs nothing)."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in RUNTIME_PACKAGES]


class CancerRiskModel(mlflow.pyfunc.PythonModel):
    """Custom pyfunc: log1p and standardization of the features, then gradient boosting; returns P(benign)."""

    def __init__(self, features: list[str], center: np.ndarray, scale: np.ndarray, estimator):
        self.features = features
        self.center = center
        self.scale = scale
        self.estimator = estimator

    @staticmethod
    def transform(frame: pd.DataFrame, features: list[str], center: np.ndarray, scale: np.ndarray) -> np.ndarray:
        logged = np.log1p(np.clip(frame[features].to_numpy(dtype="float64"), 0.0, None))
        return (logged - center) / scale

    # The type hint tells MLflow the input is a DataFrame (it then infers nothing from the hint and checks the
    # input against the logged signature, as without one, but no longer asks for a hint in every demo's output).
    def predict(self, context, model_input: pd.DataFrame, params=None):
        values = self.transform(model_input, self.features, self.center, self.scale)
        return self.estimator.predict_proba(values)[:, 1]


def _register(name: str, alias: str, log, tracking_uri: str | None) -> RegisteredModel:
    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=f"train-{name}") as run:
        info = log(name)
    client = MlflowClient()
    version = str(info.registered_model_version)
    client.set_registered_model_alias(name, alias, version)
    return RegisteredModel(name, version, run.info.run_id, alias)


def register_pyfunc_model(name: str, alias: str = DEFAULT_ALIAS, tracking_uri: str | None = None,
                          requirements: list[str] | None = None) -> RegisteredModel:
    """Trains CancerRiskModel and registers it as `name` with `alias`.

    Args:
        requirements: requirements.txt lines; default `installed_requirements()`. Tests plant others here.
    """
    features, target = training_frame()
    columns = list(features.columns)
    logged = np.log1p(np.clip(features.to_numpy(dtype="float64"), 0.0, None))
    center, scale = logged.mean(axis=0), logged.std(axis=0) + 1e-9
    estimator = HistGradientBoostingClassifier(max_iter=60, random_state=0)
    estimator.fit(CancerRiskModel.transform(features, columns, center, scale), target)
    model = CancerRiskModel(columns, center, scale, estimator)
    signature = infer_signature(features, model.predict(None, features))
    # Pickle the class by value: the model then loads wherever mlflow does, without this repo on sys.path. MLflow
    # logs a caution about pickled Python objects on every such log_model; this model is our own, so its logger is
    # quieted for this call only (the score step loads models only through the registry: ModelRegistry.check_uri).
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    pyfunc_log = logging.getLogger("mlflow.pyfunc")
    level = pyfunc_log.level
    pyfunc_log.setLevel(logging.ERROR)
    try:
        return _register(name, alias, lambda n: mlflow.pyfunc.log_model(
            name="model", python_model=model, signature=signature, registered_model_name=n,
            input_example=features.head(3), pip_requirements=requirements or installed_requirements(),
        ), tracking_uri)
    finally:
        pyfunc_log.setLevel(level)
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def register_sklearn_model(name: str, alias: str = DEFAULT_ALIAS, tracking_uri: str | None = None) -> RegisteredModel:
    """Trains a plain scikit-learn GradientBoostingRegressor (continuous score) and registers it."""
    features, target = training_frame()
    estimator = GradientBoostingRegressor(n_estimators=40, random_state=0).fit(features, target)
    signature = infer_signature(features, estimator.predict(features))
    return _register(name, alias, lambda n: mlflow.sklearn.log_model(
        estimator, name="model", signature=signature, registered_model_name=n,
        pip_requirements=installed_requirements(), skops_trusted_types=TRUSTED_SKOPS_TYPES,
    ), tracking_uri)


def register_multi_output_model(name: str, alias: str = DEFAULT_ALIAS,
                                tracking_uri: str | None = None) -> RegisteredModel:
    """Trains a scaled LogisticRegression whose pyfunc returns class probabilities (a 2-D array) and registers it."""
    features, target = training_frame()
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(features, target)
    signature = infer_signature(features, estimator.predict_proba(features))
    return _register(name, alias, lambda n: mlflow.sklearn.log_model(
        estimator, name="model", signature=signature, registered_model_name=n,
        pip_requirements=installed_requirements(), pyfunc_predict_fn="predict_proba",
    ), tracking_uri)
