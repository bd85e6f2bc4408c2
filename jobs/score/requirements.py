"""Model requirements: parse, refuse anything but `name[extras] specifier`, install only what is missing.

Why a present package with another version only warns: the model's requirements.txt pins what was installed
where it was trained (`pandas==2.2.3`), and the step runs inside the image's environment that Spark, pyarrow
and MLflow themselves depend on. Replacing a package under the running job could break the job itself, and
patch-level differences are the norm; so the environment wins and the log says which versions differ.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from jobs.common.errors import StepError, TransientError

log = logging.getLogger(__name__)

# A plain requirement never needs these: options, URLs, VCS links, archives and paths could pull code from
# anywhere but the configured package index.
_REFUSED_MARKS = ("://", "git+", "file:", "./", "../", "~/", "\\")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2")
# Folder inside the model archive holding what install_missing installed, for a cluster master's executors: they
# run the same image but not this step's pip run, so the packages travel with the model (bundle.py, worker.py).
REQUIREMENTS_FOLDER = "_installed_requirements"


@dataclass(frozen=True)
class InstallPlan:
    """What to do about a model's requirements in this environment.

    Attributes:
        missing: requirement lines to install (package not installed here).
        mismatched: `(requirement, installed version)` pairs that only get a warning.
        satisfied: requirement lines already met.
    """

    missing: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, str]] = field(default_factory=list)
    satisfied: list[str] = field(default_factory=list)


def parse_requirements(text: str) -> list[Requirement]:
    """Parses requirements.txt text, allowing only `name[extras] specifier [; marker]` lines.

    Raises:
        StepError: listing every refused line (options such as `-e`, `--index-url`, `-f`, URLs, paths).
    """
    parsed: list[Requirement] = []
    refused: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        lowered = line.lower()
        if (line.startswith(("-", ".", "/", "~")) or any(mark in lowered for mark in _REFUSED_MARKS)
                or lowered.endswith(_ARCHIVE_SUFFIXES)):
            refused.append(f"line {number}: {line}")
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            refused.append(f"line {number}: {line} ({error})")
            continue
        if requirement.url:
            refused.append(f"line {number}: {line}")
            continue
        parsed.append(requirement)
    if refused:
        raise StepError(
            "model requirements refused: only `name[extras] version-specifier` lines from the configured "
            "package index are allowed (no pip options, URLs, VCS links or paths):\n  " + "\n  ".join(refused)
        )
    return parsed


def plan_install(requirements: list[Requirement]) -> InstallPlan:
    """Splits requirements into missing, version-mismatched and satisfied in the running environment."""
    plan = InstallPlan()
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            plan.missing.append(str(requirement))
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            plan.mismatched.append((str(requirement), installed))
        else:
            plan.satisfied.append(str(requirement))
    return plan


def refuse_missing(plan: InstallPlan) -> None:
    """With run-time installs off: fails, naming every requirement the image lacks, before anything is scored.

    Raises:
        StepError: when any requirement is missing.
    """
    for requirement, installed in plan.mismatched:
        log.warning("model wants %s but %s is installed; keeping the installed version", requirement, installed)
    if plan.missing:
        raise StepError(
            f"the model needs {', '.join(plan.missing)}, which the image lacks, and run-time installs are off "
            "(--no-install-requirements; config model.install_requirements: false): add them to the image, or "
            "allow installs where the cluster can reach the package index"
        )


def install_missing(plan: InstallPlan, target_dir: Path) -> list[str]:
    """Installs `plan.missing` with pip into `target_dir` and makes it importable here and in Spark's workers.

    pip uses its own configuration (PIP_INDEX_URL, pip.conf): the configured index only. The target dir goes at
    the END of sys.path and PYTHONPATH, so packages of the environment always win over copies pip pulled in as
    dependencies. Must run before the SparkSession starts (its Python workers inherit PYTHONPATH).

    Returns:
        The requirement lines installed (empty when nothing was missing).
    """
    for requirement, installed in plan.mismatched:
        log.warning("model wants %s but %s is installed; keeping the installed version", requirement, installed)
    if not plan.missing:
        log.info("model requirements: all %d present", len(plan.satisfied) + len(plan.mismatched))
        return []
    target_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--quiet",
               "--target", str(target_dir), *plan.missing]
    log.info("installing missing model requirements: %s", ", ".join(plan.missing))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # The package index may be down for a while: transient, so Argo retries the step.
        raise TransientError(f"pip could not install {', '.join(plan.missing)}:\n{result.stderr.strip()[-2000:]}")
    if str(target_dir) not in sys.path:
        sys.path.append(str(target_dir))
    existing = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = f"{existing}{os.pathsep}{target_dir}" if existing else str(target_dir)
    return list(plan.missing)
