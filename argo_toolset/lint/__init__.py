"""Offline linter for Argo Workflows specs: strict parse, Argo CRD schema + CEL rules, semantic rules.

Builds on `argo_toolset.core`, `argo_toolset.kube_rbac` and `argo_toolset.errors`; may import hera (its models
name Argo's fields), click and cel-python; never the runner, nor anything of the project.
"""


from argo_toolset.core.findings import RULES, Finding
from argo_toolset.lint.stages import LintResult, collect_files, lint_documents, lint_files, lint_paths

__all__ = ["RULES", "Finding", "LintResult", "collect_files", "lint_documents", "lint_files", "lint_paths"]
