"""Fixtures for the Argo-validator tests: the validator binary, built once per session from tools/argo-validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.argo.validator import ValidatorBuildError, build_validator


@pytest.fixture(scope="session")
def argo_validator() -> Path:
    """The built validator; a missing Go or a failed build FAILS the tests (never a skip)."""
    try:
        return build_validator()
    except ValidatorBuildError as error:
        pytest.fail(str(error))
