"""Shared lint fixtures: the Argo CRD dir (a missing one fails the tests) and the valid fixture documents."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[4]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "lint"
VALID_FILE = FIXTURES / "valid" / "churn-daily.yaml"



@pytest.fixture(scope="session")
def _valid_documents() -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(VALID_FILE.read_text()))


@pytest.fixture
def valid_documents(_valid_documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The valid fixture's documents (main template, retro template, CronWorkflow), a fresh copy per test."""
    return copy.deepcopy(_valid_documents)
