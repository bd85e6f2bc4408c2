"""Every import rule a package's `__init__` states (docs/ARCHITECTURE.md §4), as one table checked row by row."""

from __future__ import annotations

import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = ("argo_toolset", "contract", "generator", "jobs")

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for module in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(" ".join(sorted(sys.modules)))
"""


@functools.cache
def imported_modules(package: str) -> frozenset[str]:
    """Every module importing all of `package`'s modules loads, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return frozenset(result.stdout.split())


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@dataclass(frozen=True)
class Rule:
    """What one package may load.

    Attributes:
        package: the package, every module of it imported.
        may_import: the project's packages it may use (with whatever they load); None leaves the project open.
        never: module prefixes, the project's or third-party, it must never load.
        stdlib_only: no third-party module at all.
    """

    package: str
    may_import: tuple[str, ...] | None = None
    never: tuple[str, ...] = ()
    stdlib_only: bool = False

    def __str__(self) -> str:
        return self.package


RULES = [
    Rule("contract", may_import=(), stdlib_only=True),
    Rule("argo_toolset", never=("generator", "jobs", "contract")),
    Rule("argo_toolset.core", may_import=(), never=("click", "hera")),
    Rule("argo_toolset.lint", may_import=("argo_toolset.core", "argo_toolset.kube_rbac", "argo_toolset.errors")),
    Rule("argo_toolset.runner", may_import=("argo_toolset.core", "argo_toolset.lint", "argo_toolset.errors",
                                            "argo_toolset.podman")),
    Rule("argo_toolset.podman", may_import=(), stdlib_only=True),
    Rule("argo_toolset.processes", may_import=(), stdlib_only=True),
    Rule("argo_toolset.cluster", may_import=("argo_toolset.processes", "argo_toolset.podman", "argo_toolset.runner")),
    Rule("generator", never=("pyspark", "mlflow", "pyhive", "py4j", "jobs")),
    Rule("generator.config", may_import=("contract", "argo_toolset.core", "generator.errors")),
    Rule("generator.specs", may_import=("contract", "generator.config", "argo_toolset.kube_rbac", "generator.errors")),
    Rule("generator.localstack", may_import=("contract", "argo_toolset.processes", "generator.errors")),
    Rule("generator.image", may_import=("argo_toolset.podman",), stdlib_only=True),
    Rule("generator.history", may_import=("generator.errors",)),
    Rule("jobs", never=("hera", "generator", "argo_toolset")),
    Rule("jobs.common", may_import=("contract",)),
]


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_package_imports_only_what_its_rule_allows(rule: Rule):
    modules = imported_modules(rule.package)
    assert rule.package in modules  # the probe really imported the package
    problems = []
    if rule.may_import is not None:
        parents = {rule.package.rsplit(".", depth)[0] for depth in range(1, rule.package.count(".") + 1)}
        allowed = set().union(*(imported_modules(dependency) for dependency in rule.may_import))
        outside = sorted(name for name in modules if name.split(".")[0] in PROJECT and not _within(name, rule.package)
                         and name not in parents and name not in allowed)
        problems += [f"imports {name}, beyond {rule.may_import or 'itself'}" for name in outside]
    problems += [f"imports {name}, which it never may" for name in sorted(modules)
                 if any(_within(name, prefix) for prefix in rule.never)]
    if rule.stdlib_only:
        roots = {name.split(".")[0] for name in modules}
        problems += [f"imports the third-party {root}" for root in sorted(roots) if root not in PROJECT
                     and root not in sys.stdlib_module_names and not root.startswith("_")]
    assert not problems, f"{rule.package}:\n" + "\n".join(problems)


def test_every_package_has_a_rule():
    """A new package gets a row here (and its rule in its `__init__` and docs/ARCHITECTURE.md)."""
    ruled = {rule.package for rule in RULES}
    packages = {path.parent.relative_to(REPO).as_posix().replace("/", ".")
                for root in PROJECT for path in (REPO / root).glob("*/__init__.py")} | set(PROJECT)
    # Steps and the commands: the `jobs` and `generator` rows hold for them (the commands may use every package).
    exempt = {"jobs.score", "jobs.monitor", "generator.commands"}
    assert packages - exempt <= ruled, f"packages without a rule: {sorted(packages - exempt - ruled)}"
