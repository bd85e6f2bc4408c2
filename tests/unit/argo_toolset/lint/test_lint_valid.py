"""The valid fixture, in the shapes the generator emits, lints clean with and without the Argo CRDs."""

from __future__ import annotations

from pathlib import Path

from argo_toolset.lint import lint_documents, lint_files, lint_paths

from .conftest import FIXTURES, VALID_FILE


def test_valid_fixture_is_clean_with_crds(crd_dir: Path) -> None:
    assert [str(f) for f in lint_paths([FIXTURES / "valid"], crd_dir)] == []


def test_valid_fixture_is_clean_without_crds() -> None:
    assert [str(f) for f in lint_paths([VALID_FILE], None)] == []


def test_lint_files_counts_files_and_documents(crd_dir: Path) -> None:
    result = lint_files([VALID_FILE], crd_dir)
    assert (result.files, result.documents, result.findings) == (1, 3, [])


def test_documents_in_memory_are_linted_like_files(valid_documents, crd_dir: Path) -> None:
    assert lint_documents(valid_documents, "memory", crd_dir) == []
    del valid_documents[0]["spec"]["templates"][1]["container"]["env"][0]["name"]
    findings = lint_documents(valid_documents, "memory", crd_dir)
    assert [(f.file, f.document, f.kind, f.name, f.rule) for f in findings] == [
        ("memory", 1, "WorkflowTemplate", "churn-daily", "schema-required")
    ]
    assert findings[0].path == "spec.templates[1].container.env[0].name"


def test_templateref_needs_the_referenced_template_in_the_same_run(valid_documents, crd_dir: Path) -> None:
    retro_alone = [valid_documents[1]]
    findings = lint_documents(retro_alone, "retro.yaml", crd_dir)
    assert {f.rule for f in findings} == {"template-ref"}
    assert "churn-daily" in findings[0].message
