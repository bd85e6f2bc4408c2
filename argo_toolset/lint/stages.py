"""Run the three lint stages (strict parse, CRD schema + CEL, semantic rules) over files or documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argo_toolset.core.catalog import Catalog
from argo_toolset.core.documents import Document, check_kind, parse_documents
from argo_toolset.core.findings import Finding
from argo_toolset.errors import UserError
from argo_toolset.lint import call_rules, rbac_rules, structure_rules, variable_rules
from argo_toolset.lint.crd import check_crd_dir, load_crd_schema
from argo_toolset.lint.hera_fields import check_document_fields, check_metadata_fields
from argo_toolset.lint.legacy import check_legacy_fields
from argo_toolset.lint.metadata_rules import check_cron, check_name
from argo_toolset.lint.schema import check_schema

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LintResult:
    """Findings of one lint run and how much was read."""

    findings: list[Finding]
    files: int
    documents: int


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files to lint: each file as given, and every *.yaml / *.yml under each directory (sorted).

    Raises:
        UserError: a path does not exist.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"lint: {path} does not exist (give YAML files or directories)")
    return files


def _document_stage(document: Document, crd_dir: Path | None) -> list[Finding]:
    """Per-document checks: kind, removed v3 fields, unknown fields / CRD schema, name, cron."""
    findings = check_kind(document)
    if findings:
        return findings  # without a known kind there is no schema to check against
    findings += check_legacy_fields(document)
    if crd_dir is not None:
        findings += check_schema(document, load_crd_schema(crd_dir, document.kind))
        findings += check_metadata_fields(document)
    else:
        findings += check_document_fields(document)
    findings += check_name(document)
    findings += check_cron(document)
    return findings


def _semantic_stage(documents: list[Document]) -> list[Finding]:
    """Rules across templates and documents (templateRef resolves among the documents of one run)."""
    catalog = Catalog(documents)
    findings: list[Finding] = []
    for workflow in catalog.workflows:
        findings += structure_rules.check_names(workflow)
        findings += structure_rules.check_template_types(workflow)
        findings += structure_rules.check_images(workflow)
        findings += structure_rules.check_resource_manifests(workflow)
        findings += structure_rules.check_entrypoint(workflow, catalog)
        findings += structure_rules.check_template_refs(workflow, catalog)
        findings += structure_rules.check_dag(workflow)
        findings += call_rules.check_calls(workflow, catalog)
        findings += call_rules.check_workflow_arguments(workflow, catalog)
        findings += variable_rules.check_variables(workflow, catalog)
    return findings


def _lint(documents: list[Document], crd_dir: Path | None) -> list[Finding]:
    findings: list[Finding] = []
    valid: list[Document] = []
    rbac: list[Document] = []
    for document in documents:
        if rbac_rules.is_rbac(document):
            found = rbac_rules.check_rbac(document)
            findings += found
            if not found:
                rbac.append(document)
            continue
        found = _document_stage(document, crd_dir)
        findings += found
        if not any(f.rule == "kind" for f in found):
            valid.append(document)
    return findings + _semantic_stage(valid) + rbac_rules.check_role_refs(rbac)


def _in_file_order(findings: list[Finding], sources: list[str]) -> list[Finding]:
    """Findings grouped by file (in the order given) and document; stage order kept within a document."""
    rank = {source: position for position, source in enumerate(sources)}
    return sorted(findings, key=lambda f: (rank.get(f.file, len(rank)), f.document))


def lint_documents(docs: Iterable[Any], source_name: str, crd_dir: Path | None) -> list[Finding]:
    """Lint already-parsed documents (e.g. what the generator is about to write).

    Args:
        docs: parsed YAML documents (mappings), in file order.
        source_name: the label findings carry as their file.
        crd_dir: a directory with Argo's CRD files (argoproj.io_<plural>.yaml), or None to skip the schema
            stage and check unknown fields against Hera's models instead.
    """
    if crd_dir is not None:
        check_crd_dir(crd_dir)
    documents = [Document(source_name, position, doc) for position, doc in enumerate(docs, start=1) if doc is not None]
    return _in_file_order(_lint(documents, crd_dir), [source_name])


def lint_files(files: list[Path], crd_dir: Path | None) -> LintResult:
    """Lint YAML files together (templateRef / workflowTemplateRef resolve across all of them)."""
    if crd_dir is not None:
        check_crd_dir(crd_dir)
    documents: list[Document] = []
    findings: list[Finding] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"lint: cannot read {file}: {error}") from error
        parsed, parse_findings = parse_documents(text, str(file))
        documents += parsed
        findings += parse_findings
    findings += _lint(documents, crd_dir)
    return LintResult(_in_file_order(findings, [str(f) for f in files]), len(files), len(documents))


def lint_paths(paths: list[Path], crd_dir: Path | None) -> list[Finding]:
    """Lint files and directories (every *.yaml / *.yml in a directory); see `lint_files`."""
    return lint_files(collect_files(paths), crd_dir).findings
