"""Run the corpus through `generate-workflow lint` and Argo's validator; render the agreement table for docs.

`python -m tests.argo.agreement` (from the repo root, after `make argo-validate`) prints the table that
docs/LINT.md carries; tests/argo/test_agreement.py checks the docs still match a fresh run.
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from argo_toolset.lint import lint_files
from generator.crd_dir import CRD_VERSION, default_crd_dir
from tests.argo.corpus import CASES, Case
from tests.argo.validator import BINARY, TOOL_DIR, ArgoVerdict, run_validator

TABLE_START = "<!-- agreement-table:start -->"
TABLE_END = "<!-- agreement-table:end -->"
WORKFLOW_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})
# The two Argo versions the harness compares across: Argo's validator is built from the newest Go module the
# proxy serves, while lint reads the CRDs of a later release (docs/LINT.md says why): generator.crd_dir.CRD_VERSION.


def argo_module_version() -> str:
    """The Argo Go module version tools/argo-validate is built from, as go.mod pins it."""
    found = re.search(r"github\.com/argoproj/argo-workflows/v4 (v\S+)", (TOOL_DIR / "go.mod").read_text())
    if found is None:
        raise ValueError(f"{TOOL_DIR / 'go.mod'} does not require github.com/argoproj/argo-workflows/v4")
    return found.group(1)


@dataclass(frozen=True)
class Outcome:
    """What each linter said about one case."""

    case: Case
    lint_rules: tuple[str, ...]
    argo_errors: tuple[str, ...]

    @property
    def lint_rejects(self) -> bool:
        return bool(self.lint_rules)

    @property
    def argo_rejects(self) -> bool:
        return bool(self.argo_errors)

    @property
    def as_expected(self) -> bool:
        return (self.lint_rejects, self.argo_rejects) == (self.case.lint_rejects, self.case.argo_rejects)


def workflow_documents(path: Path) -> int:
    """How many workflow-kind documents the file holds, read leniently (a repeated key does not hide one)."""
    try:
        documents = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError:
        return 0  # not YAML at all: Argo's verdict on it stands alone
    return sum(isinstance(d, dict) and d.get("kind") in WORKFLOW_KINDS for d in documents)


def unlinted(path: Path, verdicts: list[ArgoVerdict]) -> str | None:
    """Why Argo's lint did not lint every workflow document of `path`, or None when it did.

    Argo's strict parser cannot convert some documents (a repeated key, for one): it logs a warning, skips the
    document and lints the rest, so "no errors" alone would read as "accepted" for a document never linted.
    """
    expected = workflow_documents(path)
    linted = sum(verdict.file == str(path) for verdict in verdicts)
    if linted >= expected:
        return None
    return (f"{path.name}: Argo's lint reported {linted} of its {expected} workflow document(s); "
            f"it skipped the rest (not linted, so not accepted)")


def run_case(case: Case, folder: Path, binary: Path, crd_dir: Path) -> Outcome:
    """Write the case's files into `folder` and lint them with both linters.

    Argo accepts the case only when it lints every workflow document of the mutated file and reports no error.
    """
    files = case.write(folder)
    findings = lint_files(files, crd_dir).findings
    # Exit 2 with no verdicts is Argo's offline client refusing the whole file set (as `argo lint --offline`
    # does for a value of the wrong type): a rejection, with Argo's message.
    argo = run_validator(binary, files)
    skipped = unlinted(folder / case.fixture, argo.verdicts) if argo.exit_code != 2 else None
    errors = tuple(error.replace(f"{folder}/", "") for error in argo.errors)  # the same text from any folder
    if skipped is not None:
        errors += (skipped,)
    return Outcome(case, tuple(dict.fromkeys(f.rule for f in findings)), errors)


def _verdict(rejects: bool) -> str:
    return "rejects" if rejects else "accepts"


def _cell(text: str, limit: int = 110) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_table(outcomes: list[Outcome]) -> str:
    """Markdown: one row per case with both verdicts, lint's rules and Argo's first error."""
    lines = [
        f"Argo's validator: Go module {argo_module_version()}; `lint`: Argo's CRDs {CRD_VERSION}. "
        "Argo accepts a case only when its lint reports every workflow document of the file as linted.",
        "",
        f"| case | what is broken | `lint` | lint rules | Argo {argo_module_version()} | Argo's error | agree |",
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        case = outcome.case
        agree = "yes" if outcome.lint_rejects == outcome.argo_rejects else f"no: {case.why}"
        argo_error = outcome.argo_errors[0] if outcome.argo_errors else ""
        lines.append(
            f"| {case.name} | {_cell(case.rule)} | {_verdict(outcome.lint_rejects)} | "
            f"{', '.join(outcome.lint_rules)} | {_verdict(outcome.argo_rejects)} | {_cell(argo_error)} | "
            f"{_cell(agree, 200)} |"
        )
    agreed = sum(o.lint_rejects == o.argo_rejects for o in outcomes)
    lines.append("")
    lines.append(f"{agreed} of {len(outcomes)} cases agree.")
    return "\n".join(lines)


def run_corpus(binary: Path, crd_dir: Path, workdir: Path) -> list[Outcome]:
    return [run_case(case, workdir / str(position), binary, crd_dir) for position, case in enumerate(CASES)]


def main() -> int:
    crd_dir = default_crd_dir()
    with tempfile.TemporaryDirectory() as workdir:
        outcomes = run_corpus(BINARY, crd_dir, Path(workdir))
    print(render_table(outcomes))
    unexpected = [o.case.name for o in outcomes if not o.as_expected]
    if unexpected:
        print(f"\nnot as the corpus expects: {', '.join(unexpected)}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    raise SystemExit(main())
