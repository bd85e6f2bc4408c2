"""Argo's own validator accepts every spec the generator makes: conf/ -> workflows/, demo/conf/, 500 configs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.many_jobs import write_many_configs
from generator.specs.render import planned_outputs, write_outputs
from tests.argo.validator import REPO_ROOT, run_validator

pytestmark = pytest.mark.slow


ARGO_KINDS = {"Workflow", "WorkflowTemplate", "CronWorkflow", "ClusterWorkflowTemplate"}


def _document_count(outputs: dict[Path, str]) -> int:
    """Argo documents among the outputs (each job's `<job>.rbac.yaml` holds Kubernetes RBAC, not Argo's kinds)."""
    return sum(1 for text in outputs.values() for document in yaml.safe_load_all(text)
               if document and document.get("kind") in ARGO_KINDS)


def _assert_all_valid(binary: Path, paths: list[Path], documents: int) -> None:
    run = run_validator(binary, paths)
    failures = [f"{v.file}: {v.kind}/{v.name}: {'; '.join(v.errors)}" for v in run.verdicts if not v.ok]
    assert failures == [] and run.exit_code == 0, "\n".join(failures) or run.stderr
    assert len(run.verdicts) == documents


def test_committed_workflows_pass_argo(argo_validator: Path) -> None:
    files = sorted((REPO_ROOT / "workflows").glob("*.yaml"))
    assert files
    # churn-daily: template, retro template, CronWorkflow; credit-limit-review: template, retro template.
    _assert_all_valid(argo_validator, files, documents=5)


def test_demo_specs_pass_argo(argo_validator: Path, tmp_path: Path) -> None:
    outputs = planned_outputs([REPO_ROOT / "demo" / "conf"], tmp_path)
    written = write_outputs(outputs)
    assert written
    _assert_all_valid(argo_validator, [tmp_path], documents=_document_count(outputs))


def test_500_generated_jobs_pass_argo(argo_validator: Path, tmp_path: Path) -> None:
    write_many_configs(tmp_path / "conf", 500)
    outputs = planned_outputs([tmp_path / "conf"], tmp_path / "workflows")
    assert len(write_outputs(outputs)) == 2 * 500  # <job>.yaml and <job>.rbac.yaml
    _assert_all_valid(argo_validator, [tmp_path / "workflows"], documents=_document_count(outputs))
