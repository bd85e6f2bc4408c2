"""Shared fixtures: the local stack (started only when a test asks for it), PyHive, MLflow, step environments."""

from __future__ import annotations

import os
import signal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.crd_dir import default_crd_dir
from generator.localstack import LocalStack, StackEndpoints
from tests.stacks import running_stack

REPO_ROOT = Path(__file__).resolve().parents[1]
# `demo` (model builders) and `tests.*` helpers are not installed packages; make them importable however
# pytest is launched (`pytest`, `python -m pytest`, from another folder).
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackEndpoints]:
    """Endpoints of a running local stack.

    Reuses the stack in $ABS_STACK_RUN_DIR when it is up (and leaves it running); otherwise starts one on free
    ports in a temp run dir and stops it after the session. A stack that cannot start FAILS the tests using it.
    """
    reuse_dir = os.environ.get("ABS_STACK_RUN_DIR")
    if reuse_dir and LocalStack(Path(reuse_dir)).is_up():
        yield LocalStack(Path(reuse_dir)).endpoints()
        return
    with running_stack(tmp_path_factory.mktemp("stack"), "the local stack") as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def hive_cursor(local_stack: StackEndpoints):
    """A PyHive cursor on the stack's Spark Thrift Server (it speaks HiveServer2's protocol)."""
    from pyhive import hive

    from jobs.common.hive import HiveSettings, close_session

    connection = hive.connect(local_stack.hive_host, local_stack.hive_port, auth="NONE", username="tests")
    yield connection.cursor()
    close_session(connection, HiveSettings(local_stack.hive_host, local_stack.hive_port))


@pytest.fixture(scope="session")
def mlflow_client(local_stack: StackEndpoints):
    """An MlflowClient on the stack's server; also sets the process-wide tracking URI."""
    import mlflow
    from mlflow.tracking import MlflowClient

    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    mlflow.set_tracking_uri(local_stack.mlflow_uri)
    return MlflowClient(local_stack.mlflow_uri)


@pytest.fixture(scope="session")
def test_database(hive_cursor) -> str:
    """A database name unique to this session (so a reused stack never mixes sessions' tables)."""
    name = f"it_{uuid.uuid4().hex[:8]}"
    hive_cursor.execute(f"CREATE DATABASE IF NOT EXISTS {name}")
    return name


@pytest.fixture()
def step_env(local_stack: StackEndpoints, tmp_path: Path) -> dict[str, str]:
    """Environment for `python -m jobs.<step>` subprocesses, as docs/STEPS.md lists it (plus a short retry budget)."""
    env = dict(os.environ)
    env.update(local_stack.step_env("local[2]"))
    env["STEP_RETRY_SECONDS"] = "20"
    env["TMPDIR"] = str(tmp_path)
    return env


@pytest.fixture(scope="session")
def crd_dir() -> Path:
    """Argo v4.1.2 CRDs from ../shared (ARGO_CRD_DIR overrides); never copied into the repo. Missing: FAIL."""
    path = default_crd_dir()
    if not (path / "argoproj.io_workflows.yaml").is_file():
        pytest.fail(f"Argo CRDs not found in {path}: set ARGO_CRD_DIR or provide ../shared/argo-crds/v4.1.2")
    return path


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM stops the session as Ctrl-C does, so the session's teardown still runs (the cluster's `down`, the
    stacks' stop): tests/run_suite.sh passes an interrupt on to its two pytest processes as SIGTERM."""
    signal.signal(signal.SIGTERM, _interrupt)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """When one process runs every test (plain `pytest`; `make test` runs tests/cluster in a second one), the cluster
    tests run last, keeping their own order: `cluster up` waits for the programs CI builds in the background."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/cluster/"))
