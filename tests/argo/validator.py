"""Build and run tools/argo-validate (Argo's own offline lint, from its Go module) and read its JSON lines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOL_DIR = REPO_ROOT / "tools" / "argo-validate"
# Where `make argo-validate` puts it too (.run/ is gitignored).
BINARY = REPO_ROOT / ".run" / "argo-validate"
# Go's official tarball installs here; Debian's golang package is too old for Argo v4's module.
GO_FALLBACK = Path("/usr/local/go/bin/go")


class ValidatorBuildError(RuntimeError):
    """Go is missing or the build failed; the message says which and how to fix it."""


def find_go() -> str:
    """The `go` to build with: $GO, else `go` on PATH, else /usr/local/go/bin/go."""
    go = os.environ.get("GO") or shutil.which("go") or (str(GO_FALLBACK) if GO_FALLBACK.is_file() else None)
    if go is None:
        raise ValidatorBuildError(
            "Go not found ($GO, PATH, /usr/local/go/bin/go): install Go >= 1.25 (go.dev) to build tools/argo-validate"
        )
    return go


def build_validator(output: Path = BINARY) -> Path:
    """`go build` the validator into `output` (Go's build and module caches make a rebuild take seconds)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [find_go(), "build", "-trimpath", "-o", str(output), "."]
    done = subprocess.run(command, cwd=TOOL_DIR, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ValidatorBuildError(f"{' '.join(command)} (in {TOOL_DIR}) failed:\n{done.stderr[-4000:]}")
    return output


@dataclass(frozen=True)
class ArgoVerdict:
    """Argo's verdict on one document (one JSON line of `argo-validate -json`)."""

    file: str
    index: int
    kind: str
    name: str
    ok: bool
    errors: tuple[str, ...]


@dataclass(frozen=True)
class ValidatorRun:
    """One run of the validator: exit code 0 all valid, 1 a document failed (or none found), 2 the run failed."""

    exit_code: int
    verdicts: list[ArgoVerdict]
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def errors(self) -> list[str]:
        """Every error, document errors first, then a run-level message from stderr when the run failed."""
        found = [error for verdict in self.verdicts for error in verdict.errors]
        if self.exit_code != 0 and not found:
            found.append(self.stderr.strip().splitlines()[0] if self.stderr.strip() else f"exit {self.exit_code}")
        return found


def run_validator(binary: Path, paths: list[Path]) -> ValidatorRun:
    """Validate files or directories together (templateRef resolves among them), as `argo lint --offline` does."""
    done = subprocess.run(
        [str(binary), "-json", *map(str, paths)], capture_output=True, text=True, check=False, timeout=300
    )
    verdicts = []
    for line in done.stdout.splitlines():
        record = json.loads(line)
        verdicts.append(
            ArgoVerdict(
                record["file"], record["index"], record["kind"], record["name"], record["ok"], tuple(record["errors"])
            )
        )
    return ValidatorRun(done.returncode, verdicts, done.stderr)
