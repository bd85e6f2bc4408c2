"""Integration fixtures: demo models registered once per session, the demo input loaded once per session."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from demo.model import (
    RegisteredModel,
    register_multi_output_model,
    register_pyfunc_model,
    register_sklearn_model,
)
from tests.integration.helpers import INPUT_DS, cancer_frame_with_ids, load_partition

__all__ = ["INPUT_DS"]  # tests import the partition date from here


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def spark(local_stack, tmp_path_factory, mlflow_client):
    """One in-process Spark session per test module (library-level tests), stopped after the module."""
    from jobs.common.spark import build_spark

    session = build_spark("it-score", "local[2]", local_stack.metastore_uri, tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def pyfunc_model(mlflow_client, local_stack) -> RegisteredModel:
    """The custom pyfunc (preprocessing + gradient boosting), alias `champion`."""
    return register_pyfunc_model(_unique("it_pyfunc"), tracking_uri=local_stack.mlflow_uri)


@pytest.fixture(scope="session")
def sklearn_model(mlflow_client, local_stack) -> RegisteredModel:
    """A plain mlflow.sklearn GradientBoostingRegressor, alias `champion`."""
    return register_sklearn_model(_unique("it_sklearn"), tracking_uri=local_stack.mlflow_uri)


@pytest.fixture(scope="session")
def multi_output_model(mlflow_client, local_stack) -> RegisteredModel:
    """A sklearn pipeline whose pyfunc returns class probabilities (2 outputs), alias `champion`."""
    return register_multi_output_model(_unique("it_multi"), tracking_uri=local_stack.mlflow_uri)


@pytest.fixture(scope="session")
def cancer_frame() -> pd.DataFrame:
    """The demo input: an `id` column plus the 30 breast-cancer features."""
    return cancer_frame_with_ids()


@pytest.fixture(scope="session")
def cancer_input(hive_cursor, local_stack, test_database, cancer_frame) -> str:
    """Input table `<db>.cancer_features` with partition dt=INPUT_DS loaded; returns the table name."""
    table = f"{test_database}.cancer_features"
    load_partition(hive_cursor, local_stack, table, cancer_frame, INPUT_DS)
    return table
