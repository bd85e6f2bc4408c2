"""tools/argo-validate itself: exit codes, one JSON line per document, errors attributed to their document."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.argo.corpus import FIXTURES
from tests.argo.validator import run_validator

pytestmark = pytest.mark.slow


def test_valid_files_exit_0_with_one_verdict_per_document(argo_validator: Path) -> None:
    run = run_validator(argo_validator, [FIXTURES / "workflow-template.yaml"])
    assert run.exit_code == 0, run.stderr
    assert [(v.kind, v.name, v.ok) for v in run.verdicts] == [
        ("WorkflowTemplate", "greetings", True),
        ("Workflow", "greetings-by-ref-", True),
        ("Workflow", "greetings-whole-", True),
    ]


def test_a_broken_document_fails_alone_with_argos_error(argo_validator: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "workflow-template.yaml").read_text()
    (tmp_path / "wt.yaml").write_text(text.replace("template: greet-twice", "template: greet-thrice"))
    run = run_validator(argo_validator, [tmp_path / "wt.yaml"])
    assert run.exit_code == 1
    assert [v.ok for v in run.verdicts] == [True, False, True]
    assert "greet-thrice" in run.verdicts[1].errors[0]


def test_templateref_resolves_only_among_the_files_given(argo_validator: Path, tmp_path: Path) -> None:
    together = run_validator(argo_validator, [FIXTURES / "cluster-workflow-template.yaml"])
    assert together.exit_code == 0, together.stderr
    user = (FIXTURES / "cluster-workflow-template.yaml").read_text().split("\n---\n")[1]
    (tmp_path / "user.yaml").write_text(user)
    alone = run_validator(argo_validator, [tmp_path / "user.yaml"])
    assert alone.exit_code == 1
    assert "cluster-echo" in alone.verdicts[0].errors[0]


def test_text_mode_prints_one_line_per_document(argo_validator: Path) -> None:
    done = subprocess.run(
        [str(argo_validator), str(FIXTURES / "cron-workflow.yaml")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{FIXTURES / 'cron-workflow.yaml'}: CronWorkflow/hello-cron: ok\n"


def test_no_workflow_documents_exit_1_and_no_paths_exit_2(argo_validator: Path, tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    assert run_validator(argo_validator, [tmp_path / "cm.yaml"]).exit_code == 1
    assert subprocess.run([str(argo_validator)], capture_output=True).returncode == 2
