"""Run the corpus through `generate-workflow lint` and Argo's validator; render the agreement table for docs.

`python -m tests.argo.agreement` (from the repo root, after `make argo-validate`) prints the table that
docs/LINT.md carries; tests/argo/test_agreement.py checks the docs still match a fresh run.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.argo.lint import lint_files
from tests.argo.corpus import CASES, Case
from tests.argo.validator import BINARY, REPO_ROOT, run_validator

TABLE_START = "<!-- agreement-table:start -->"
TABLE_END = "<!-- agreement-table:end -->"


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


def run_case(case: Case, folder: Path, binary: Path, crd_dir: Path) -> Outcome:
    """Write the case's files into `folder` and lint them with both linters."""
    files = case.write(folder)
    findings = lint_files(files, crd_dir).findings
    # Exit 2 with no verdicts is Argo's offline client refusing the whole file set (as `argo lint --offline`
    # does for a value of the wrong type): a rejection, with Argo's message.
    argo = run_validator(binary, files)
    errors = tuple(error.replace(f"{folder}/", "") for error in argo.errors)  # the same text from any folder
    return Outcome(case, tuple(dict.fromkeys(f.rule for f in findings)), errors)


def _verdict(rejects: bool) -> str:
    return "rejects" if rejects else "accepts"


def _cell(text: str, limit: int = 110) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_table(outcomes: list[Outcome]) -> str:
    """Markdown: one row per case with both verdicts, lint's rules and Argo's first error."""
    lines = [
        "| case | what is broken | `lint` | lint rules | Argo v4.0.5 | Argo's error | agree |",
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
    crd_dir = Path(os.environ.get("ARGO_CRD_DIR") or REPO_ROOT.parent / "shared" / "argo-crds" / "v4.1.2")
    with tempfile.TemporaryDirectory() as workdir:
        outcomes = run_corpus(BINARY, crd_dir, Path(workdir))
    print(render_table(outcomes))
    unexpected = [o.case.name for o in outcomes if not o.as_expected]
    if unexpected:
        print(f"\nnot as the corpus expects: {', '.join(unexpected)}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    raise SystemExit(main())
