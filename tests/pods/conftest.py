"""Pod-mode fixtures: the project image (built once with `make image` when podman lacks it), the stack's run dir,
the demo job and this folder's own job aimed at the test stack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import (  # noqa: F401  (demo_data, e2e_model, e2e_project: e2e fixtures used here too)
    REPO,
    build_workflows,
    demo_data,
    e2e_model,
    e2e_project,
    write_local_conf,
)
from tests.project_image import ensure_project_image

OWN_JOB = "large-radius-daily"
OWN_CONF = Path(__file__).resolve().parent / "conf"


@pytest.fixture(scope="session")
def project_image() -> str:
    """argo-batch-scoring:local in podman's storage (tests/project_image.py)."""
    return ensure_project_image()


@pytest.fixture(scope="session")
def stack_run_dir(local_stack) -> Path:
    """The test stack's run dir (its warehouse's parent), which --run-dir names."""
    return local_stack.warehouse_dir.parent


@pytest.fixture(scope="session")
def own_job_workflows(tmp_path_factory, local_stack, e2e_model, demo_data) -> Path:  # noqa: F811
    """This folder's job (its own prepare SQL) beside demo/conf's defaults, aimed at the test stack."""
    root = tmp_path_factory.mktemp("pods-own-job")
    conf_dir = write_local_conf(root / "conf", local_stack, f"models:/{e2e_model}@champion")
    for path in conf_dir.glob("*.yaml"):
        if path.name != "defaults.yaml":
            path.unlink()
    shutil.copy(OWN_CONF / f"{OWN_JOB}.yaml", conf_dir)
    shutil.copytree(OWN_CONF / "sql", conf_dir / "sql", dirs_exist_ok=True)
    job = conf_dir / f"{OWN_JOB}.yaml"
    job.write_text(job.read_text().replace("models:/cancer_risk@champion", f"models:/{e2e_model}@champion"))
    return build_workflows(conf_dir, root / "workflows").with_name(f"{OWN_JOB}.yaml")
