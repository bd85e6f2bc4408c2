"""Offline linter for Argo Workflows specs: strict parse, Argo CRD schema + CEL rules, semantic rules.

Builds on `generator.argo.core`; may import hera (its models name Argo's fields) and cel-python, never the runner,
the builders or the config.
"""


from generator.argo.core.findings import RULES, Finding
from generator.argo.lint.stages import LintResult, collect_files, lint_documents, lint_files, lint_paths

__all__ = ["RULES", "Finding", "LintResult", "collect_files", "lint_documents", "lint_files", "lint_paths"]
