"""Builds the cluster's programs from their pinned Go module (`source`; Go's build cache keeps them warm).

Argo's module embeds its web UI from `ui/dist/app`, which the published module does not contain (Argo's own
build makes it with Node first), and its executor's Linux process handling is missing from the published v4.0.5;
Go refuses to overlay files in the module cache. So the build uses a copy of Argo's module (from the cache,
checksum-verified by `go mod download`) with a one-page UI placeholder and our Linux file
(`argo-additions` in the module) added, through a build-only go.mod that replaces the module with that copy; the
module's own go.mod stays plain.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ARGO_MODULE = "github.com/argoproj/argo-workflows/v4"
UI_PLACEHOLDER = Path("ui") / "index.html"  # in the source module
# Files our build copy of Argo's module needs and the published module lacks (their own comments say why).
ARGO_ADDITIONS = Path("argo-additions")  # in the source module
LINK_FLAGS = "-s -w"  # no symbol tables: smaller binaries, faster links; these are test tools


class GoBuildError(Exception):
    """Go is missing or a build failed (the message holds the end of its output)."""


@dataclass(frozen=True)
class Program:
    """One binary built from the source module: its package, output name and whether it must be static."""

    package: str
    output: str
    static: bool


PROGRAMS = (
    Program(".", "platform", static=False),
    # argoexec runs in the executor image and, copied by Argo's init container, in the project image: both are
    # Debian bookworm with the host's glibc, so it links as `platform` does and reuses every package `platform`
    # compiled (a static build would compile the whole graph again with cgo off).
    Program("./argoexec", "argoexec", static=False),
    # The sandbox process runs alone in an empty image: static, and small (the standard library only).
    Program("./pause", "pause", static=True),
)


def go_binary() -> str:
    """The `go` command: on PATH, else /usr/local/go/bin/go (where go.dev's archive installs)."""
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if not found:
        raise GoBuildError("Go >= 1.25 is needed to build the cluster's programs: install it from go.dev "
                           "into /usr/local/go")
    return found


def _go(arguments: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([go_binary(), *arguments], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-25:])
        raise GoBuildError(f"go {' '.join(arguments)} failed in {cwd}:\n{tail}")
    return result.stdout


def module_dir(module: str, source: Path) -> Path:
    """The folder of a module `source` requires, at the version its go.mod pins (downloaded and verified)."""
    version = json.loads(_go(["list", "-m", "-json", module], source))["Version"]
    return Path(json.loads(_go(["mod", "download", "-json", f"{module}@{version}"], source))["Dir"])


def argo_module_dir(source: Path) -> Path:
    """Argo's module as `source`'s go.mod pins it: its CRDs and RBAC manifests are read from here at run time."""
    return module_dir(ARGO_MODULE, source)


def _build_modfile(build_dir: Path, source: Path) -> Path:
    argo = argo_module_dir(source)
    copy = build_dir / "argo-workflows"
    marker = copy / ".copied-from"
    if not marker.exists() or marker.read_text() != str(argo):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(argo, copy)
        for path in [copy, *copy.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
        marker.write_text(str(argo))
    placeholder = copy / "ui" / "dist" / "app" / "index.html"
    placeholder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / UI_PLACEHOLDER, placeholder)
    for addition in (source / ARGO_ADDITIONS).rglob("*.go"):
        shutil.copyfile(addition, copy / addition.relative_to(source / ARGO_ADDITIONS))
    modfile = build_dir / "go.mod"
    modfile.write_text((source / "go.mod").read_text() + f"\nreplace {ARGO_MODULE} => {copy}\n")
    shutil.copyfile(source / "go.sum", build_dir / "go.sum")
    return modfile


def build_programs(source: Path, bin_dir: Path, echo=lambda _line: None) -> None:
    """Builds every program of the Go module `source` into `bin_dir`; Go relinks nothing whose inputs did not
    change.

    One build at a time per `bin_dir` (a file lock): CI starts one in the background while the other tests run,
    and the cluster tests' `cluster up` waits for it instead of compiling the same packages a second time.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    with open(bin_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _build_locked(source, bin_dir, echo)


def _build_locked(source: Path, bin_dir: Path, echo) -> None:
    modfile = _build_modfile(bin_dir.parent / "cluster-build", source)
    for program in PROGRAMS:
        started = time.monotonic()
        env = {"CGO_ENABLED": "0"} if program.static else {}
        _go(["build", "-modfile", str(modfile), "-trimpath", "-ldflags", LINK_FLAGS,
             "-o", str(bin_dir / program.output), program.package], source, env=env)
        echo(f"go build {program.output}: {time.monotonic() - started:.1f}s")
