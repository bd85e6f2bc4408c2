"""What a logged model asks of its environment: requirement lines and the Python version it was saved with."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from jobs.common.errors import StepError
from jobs.score.requirements import InstallPlan, parse_requirements

# The model server (server.py) speaks Arrow IPC: the environment needs pyarrow even when the model does not name
# it. Unpinned, so the resolver picks a version that fits the model's own pins (e.g. numpy < 2).
SERVER_REQUIREMENTS = ("pyarrow",)
# pyarrow 26 refuses NumPy 1 at import without saying so in its metadata (measured: 25.0.1 imports with numpy
# 1.26.4, 26.0.1 does not), so a model pinned to NumPy 1 gets an older pyarrow for the server.
NUMPY1_SERVER_CONSTRAINTS = ("pyarrow<26",)


@dataclass(frozen=True)
class EnvironmentSpec:
    """Attributes:
        requirements: requirement lines (model's requirements.txt, python_env.yaml's extra dependencies, and
            SERVER_REQUIREMENTS the model does not name), in file order.
        python: Python version the model was saved with ("" when the model does not say).
        python_source: the file that said it (for messages).
    """

    requirements: list[str]
    python: str
    python_source: str


def read_spec(model_dir: Path) -> EnvironmentSpec:
    """Reads requirements.txt, python_env.yaml (when present) and MLmodel's python_version from `model_dir`.

    Raises:
        StepError: a requirement line that is not `name[extras] specifier` (see requirements.parse_requirements).
    """
    requirements_file = model_dir / "requirements.txt"
    text = requirements_file.read_text() if requirements_file.is_file() else ""
    python, source = "", ""
    python_env = model_dir / "python_env.yaml"
    if python_env.is_file():
        data = yaml.safe_load(python_env.read_text()) or {}
        python, source = str(data.get("python") or ""), "python_env.yaml"
        extra = [str(line) for line in data.get("dependencies") or [] if not str(line).startswith("-r")]
        text += "\n" + "\n".join(extra)
    if not python and (model_dir / "MLmodel").is_file():
        flavor = (yaml.safe_load((model_dir / "MLmodel").read_text()) or {}).get("flavors", {})
        python, source = str(flavor.get("python_function", {}).get("python_version") or ""), "MLmodel"
    parsed = parse_requirements(text)
    named = {requirement.name.lower().replace("_", "-") for requirement in parsed}
    lines = [str(requirement) for requirement in parsed]
    lines += [name for name in SERVER_REQUIREMENTS if name not in named]
    return EnvironmentSpec(lines, python, source)


def server_constraints(requirements: list[str], packages: list[str]) -> list[str]:
    """Constraints to resolve again with when `packages` would break the server (empty when they will not)."""
    if "pyarrow" not in requirements:  # the model pins its own pyarrow: never second-guess it
        return []
    numpy = next((line.split("==", 1)[1] for line in packages if line.lower().startswith("numpy==")), "")
    return list(NUMPY1_SERVER_CONSTRAINTS) if numpy.split(".")[0] in ("0", "1") else []


def check_python(spec: EnvironmentSpec, model_uri: str) -> None:
    """Refuses a model saved under another Python minor version than the step's (no interpreter to download).

    Raises:
        StepError: the versions differ in major.minor.
    """
    if not spec.python:
        return
    wanted = spec.python.split(".")[:2]
    running = [str(sys.version_info.major), str(sys.version_info.minor)]
    if wanted != running:
        raise StepError(
            f"model {model_uri} was saved with Python {spec.python} ({spec.python_source}); the image runs Python "
            f"{'.'.join(running)} and cannot download another interpreter: score it with an image of Python "
            f"{'.'.join(wanted)}, or log the model again under Python {'.'.join(running)}")


def choose_mode(configured: str, plan: InstallPlan) -> str:
    """`own` or `image` for the configured mode; `auto` is `own` exactly when a pinned version differs here."""
    if configured == "auto":
        return "own" if plan.mismatched else "image"
    return configured
