"""Offline linter for Argo Workflows specs: strict parse, Argo CRD schema + CEL rules, semantic rules."""

from generator.lint.findings import RULES, Finding
from generator.lint.runner import LintResult, collect_files, lint_documents, lint_files, lint_paths

__all__ = ["RULES", "Finding", "LintResult", "collect_files", "lint_documents", "lint_files", "lint_paths"]
