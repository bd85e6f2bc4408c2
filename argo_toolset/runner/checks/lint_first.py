"""run-local's first check: the linter's rules over the documents, so nothing runs that Argo would refuse."""

from __future__ import annotations

from pathlib import Path

from argo_toolset.errors import UserError, listed
from argo_toolset.lint import Finding, lint_documents


class InvalidWorkflowError(UserError):
    """The documents break rules Argo enforces (the findings `generate-workflow lint` prints)."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(listed(f"the workflow breaks {len(findings)} rule(s) Argo enforces (nothing was run; "
                                "`generate-workflow lint` reports the same):", findings))


def check_argo_rules(documents: list[dict], source: str, crd_dir: Path | None) -> None:
    """Lint the documents as `generate-workflow lint` would, with Argo's CRDs when a folder of them is given.

    Raises:
        InvalidWorkflowError: Any finding.
    """
    findings = lint_documents(documents, source, crd_dir)
    if findings:
        raise InvalidWorkflowError(findings)
