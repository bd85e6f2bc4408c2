"""Reliability fixtures: one demo model and one input partition per session, on the shared local stack."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from demo.model import RegisteredModel, register_pyfunc_model
from tests.integration.helpers import cancer_frame_with_ids, load_partition

INPUT_DS = "2024-06-01"


@pytest.fixture(scope="session")
def rel_model(mlflow_client, local_stack) -> RegisteredModel:
    """The demo pyfunc (preprocessing + gradient boosting) as version 1 of a session-unique name, `@champion`."""
    return register_pyfunc_model(f"rel_{uuid.uuid4().hex[:6]}", tracking_uri=local_stack.mlflow_uri)


@pytest.fixture(scope="session")
def rel_frame() -> pd.DataFrame:
    """`id` plus the 30 breast-cancer features (569 rows)."""
    return cancer_frame_with_ids()


@pytest.fixture(scope="session")
def rel_input(hive_cursor, local_stack, test_database, rel_frame) -> str:
    """`<db>.rel_features` with partition dt=INPUT_DS loaded; returns the table name."""
    table = f"{test_database}.rel_features"
    load_partition(hive_cursor, local_stack, table, rel_frame, INPUT_DS)
    return table
