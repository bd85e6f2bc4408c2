"""A local stack on free loopback ports for a test session or module: started, handed over, always stopped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.localstack import LocalStack, StackEndpoints, StackError, StackPorts
from generator.localstack.processes import free_port


@contextmanager
def running_stack(run_dir: Path, what: str, hive_password_file: Path | None = None) -> Iterator[StackEndpoints]:
    """The stack's endpoints while it runs; a stack that cannot start FAILS the test (named by `what`)."""
    stack = LocalStack(run_dir, StackPorts(free_port(), free_port(), free_port()),
                       hive_password_file=hive_password_file)
    try:
        endpoints = stack.up()
    except StackError as error:
        stack.down()
        pytest.fail(f"{what} could not start: {error.message}")
    try:
        yield endpoints
    finally:
        stack.down()
