"""Resolve and build a model's environment into the cache with uv: once per resolved content, atomically.

Cache layout (`cache` = the configured path, e.g. a volume every score pod mounts):
  requests/<request key>   the environment hash a request (requirement lines + Python) resolved to, so a later
                           run needs neither the resolver nor the package index
  <hash>/                  the environment: `env/` (a relocatable virtualenv), `environment.json`
  <hash>.tar.gz            the same packed for a cluster's executors (shipping.py), made on first need
  locks/<request key>      flock held while one process resolves and builds (lanes of a retro wait, then reuse)
An environment is built in a temporary folder beside its final place and renamed when complete, so a reader
never sees half an environment; a build interrupted midway leaves only a temporary folder, never a hash folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

from jobs.common.errors import StepError, TransientError
from jobs.score.environment.spec import server_constraints

log = logging.getLogger(__name__)
# Part of every key: a change of the server's protocol or the build recipe must never reuse an older build.
RECIPE = "own-env/1"
# uv's words for "these requirements have no solution" (permanent); anything else failing is the index or network.
_UNRESOLVABLE = ("No solution found", "not found in the package registry", "was not found in the package")


@dataclass(frozen=True)
class BuiltEnvironment:
    """Attributes:
        hash: key of the environment (resolved packages, Python version, platform, recipe).
        root: its folder in the cache (holds `env/` and `environment.json`).
        packages: resolved `name==version` lines.
        python: Python version of the environment.
        built: True when this call built it; False when it was reused from the cache.
        seconds: time this call spent resolving and building (0 when reused without resolving).
    """

    hash: str
    root: Path
    packages: list[str]
    python: str
    built: bool
    seconds: float

    @property
    def interpreter(self) -> Path:
        return self.root / "env" / "bin" / "python"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def python_version() -> str:
    return platform.python_version()


def request_key(requirements: list[str]) -> str:
    """Key of a request: the requirement lines as the model states them, the Python version and platform."""
    return _digest(RECIPE, python_version(), sys.platform, platform.machine(), *sorted(requirements))


def environment_hash(packages: list[str]) -> str:
    """Key of an environment: its resolved packages, the Python version and platform."""
    return _digest(RECIPE, python_version(), sys.platform, platform.machine(), *sorted(packages))


def _uv(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([find_uv_bin(), *args], input=stdin, capture_output=True, text=True, check=False)


def resolve(requirements: list[str]) -> list[str]:
    """The full set of packages `requirements` resolve to for this interpreter, as sorted `name==version` lines.

    uv reads the package index from its own settings (UV_DEFAULT_INDEX, UV_INDEX_URL, uv.toml).

    Raises:
        StepError: the requirements have no solution (exit 2; the message names them and quotes uv).
        TransientError: the index could not be reached or answered wrongly (exit 1: Argo retries).
    """
    result = _uv("pip", "compile", "-", "--python", sys.executable, "--no-header", "--no-annotate", "--quiet",
                 stdin="\n".join(requirements) + "\n")
    if result.returncode != 0:
        said = result.stderr.strip()[-2000:]
        if any(mark in said for mark in _UNRESOLVABLE):
            raise StepError(f"the model's requirements cannot be resolved ({', '.join(requirements)}):\n{said}")
        raise TransientError(f"could not resolve the model's requirements: the package index did not answer:\n{said}")
    return sorted(line.strip() for line in result.stdout.splitlines() if line.strip() and not line.startswith("#"))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(text)
    os.replace(temporary, path)


def _load(root: Path, built: bool, seconds: float) -> BuiltEnvironment:
    data = json.loads((root / "environment.json").read_text())
    return BuiltEnvironment(data["hash"], root, data["packages"], data["python"], built, seconds)


def _build(cache: Path, env_hash: str, packages: list[str]) -> None:
    """Builds the environment into a temporary folder and renames it to `cache/<hash>` when complete."""
    temporary = cache / f".building-{env_hash}-{uuid.uuid4().hex[:8]}"
    try:
        venv = _uv("venv", "--quiet", "--relocatable", "--python", sys.executable, str(temporary / "env"))
        if venv.returncode != 0:
            raise StepError(f"could not create the model's environment: {venv.stderr.strip()[-2000:]}")
        installed = _uv("pip", "install", "--quiet", "--python", str(temporary / "env" / "bin" / "python"),
                        "--no-deps", "--compile-bytecode", "-r", "-", stdin="\n".join(packages) + "\n")
        if installed.returncode != 0:  # resolved a moment ago: a download that failed, so another try may pass
            raise TransientError(f"could not install the model's environment: {installed.stderr.strip()[-2000:]}")
        record = {"hash": env_hash, "packages": packages, "python": python_version(), "recipe": RECIPE}
        (temporary / "environment.json").write_text(json.dumps(record, indent=1, sort_keys=True))
        try:
            os.rename(temporary, cache / env_hash)
        except OSError:  # another host built the same hash meanwhile (a cache without shared locks): use theirs
            if not (cache / env_hash / "environment.json").is_file():
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def ensure_environment(requirements: list[str], cache: Path) -> BuiltEnvironment:
    """The environment for `requirements` from `cache`, resolved and built first when the cache lacks it.

    Raises:
        StepError: unresolvable requirements, or a cache path that cannot be written.
        TransientError: the package index did not answer, or a download failed.
    """
    key = request_key(requirements)
    pointer = cache / "requests" / key
    try:
        with _locked(cache / "locks" / key):
            if pointer.is_file():
                root = cache / pointer.read_text().strip()
                if (root / "environment.json").is_file():
                    return _load(root, built=False, seconds=0.0)
            started = time.monotonic()
            packages = resolve(requirements)
            constraints = server_constraints(requirements, packages)
            if constraints:
                packages = resolve(requirements + constraints)
            env_hash = environment_hash(packages)
            built = not (cache / env_hash / "environment.json").is_file()
            if built:
                log.info("building model environment %s (%d packages) in %s", env_hash, len(packages), cache)
                _build(cache, env_hash, packages)
            _write_atomically(pointer, env_hash)
            return _load(cache / env_hash, built, time.monotonic() - started)
    except PermissionError as error:
        raise StepError(f"--environment-cache {cache}: cannot write there ({error}); name a writable volume "
                        "(config model.environment_cache)") from error
