"""End-to-end fixtures: the demo job's config pointed at the test stack, its demo data, its model, its workflows."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.config.loader import deep_merge
from generator.specs.render import planned_outputs, write_outputs

REPO = Path(__file__).resolve().parents[2]
JOB = "cancer-risk-daily"
DATES = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]


@dataclass(frozen=True)
class E2EProject:
    """A scratch copy of demo/conf aimed at the test stack, with its generated workflows file."""

    conf_dir: Path
    workflows_file: Path
    model_name: str
    lock_dir: Path


def write_local_conf(dest: Path, endpoints, model_uri: str) -> Path:
    """Copy demo/conf to dest with defaults pointing at `endpoints` and the job at `model_uri`."""
    shutil.copytree(REPO / "demo" / "conf", dest)
    defaults_path = dest / "defaults.yaml"
    defaults = yaml.safe_load(defaults_path.read_text())
    defaults = deep_merge(
        defaults,
        {
            "mlflow": {"tracking_uri": endpoints.mlflow_uri},
            "hive": {
                "host": endpoints.hive_host,
                "port": endpoints.hive_port,
                "metastore_uri": endpoints.metastore_uri,
            },
        },
    )
    defaults_path.write_text(yaml.safe_dump(defaults, sort_keys=False))
    job_path = dest / f"{JOB}.yaml"
    job = yaml.safe_load(job_path.read_text())
    job["model"] = {"uri": model_uri}
    job_path.write_text(yaml.safe_dump(job, sort_keys=False))
    return dest


def build_workflows(conf_dir: Path, out_dir: Path) -> Path:
    write_outputs(planned_outputs([conf_dir], out_dir))
    return out_dir / f"{JOB}.yaml"


@pytest.fixture(scope="session")
def e2e_model(local_stack) -> str:
    """The demo pyfunc (preprocessing + gradient boosting) registered under a session-unique name."""
    from demo.model import register_pyfunc_model

    name = f"e2e_cancer_risk_{uuid.uuid4().hex[:6]}"
    register_pyfunc_model(name, tracking_uri=local_stack.mlflow_uri)
    return name


@pytest.fixture(scope="session")
def demo_data(local_stack) -> list[str]:
    """The demo patients loaded into demo_raw.patients for every date the e2e tests score."""
    from demo.data import load_days

    load_days(local_stack.hive_host, local_stack.hive_port, DATES)
    return DATES


@pytest.fixture(scope="session")
def e2e_project(tmp_path_factory, local_stack, e2e_model, demo_data) -> E2EProject:
    root = tmp_path_factory.mktemp("e2e")
    conf_dir = write_local_conf(root / "conf", local_stack, f"models:/{e2e_model}@champion")
    return E2EProject(
        conf_dir=conf_dir,
        workflows_file=build_workflows(conf_dir, root / "workflows"),
        model_name=e2e_model,
        lock_dir=root / "locks",
    )

