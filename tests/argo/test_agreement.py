"""`generate-workflow lint` and Argo's own validator agree on valid Argo-shaped specs and on broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.argo.agreement import TABLE_END, TABLE_START, Outcome, render_table, run_case, run_corpus
from tests.argo.corpus import CASES, Case
from tests.argo.validator import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case_verdicts(case: Case, argo_validator: Path, crd_dir: Path, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path, argo_validator, crd_dir)
    said = f"lint rules {outcome.lint_rules}, Argo errors {outcome.argo_errors}"
    assert outcome.argo_rejects == case.argo_rejects, said
    assert outcome.lint_rejects == case.lint_rejects, said


def test_disagreements_are_explained() -> None:
    for case in CASES:
        assert (case.lint_rejects != case.argo_rejects) == bool(case.why), case.name


def test_docs_table_matches_a_fresh_run(argo_validator: Path, crd_dir: Path, tmp_path: Path) -> None:
    outcomes: list[Outcome] = run_corpus(argo_validator, crd_dir, tmp_path)
    text = (REPO_ROOT / "docs" / "LINT.md").read_text()
    documented = text.split(TABLE_START)[1].split(TABLE_END)[0].strip()
    assert documented == render_table(outcomes), "docs/LINT.md is stale: run `python -m tests.argo.agreement`"
