"""The import rules each package's `__init__` states: the generator never imports the step libraries, the steps
never import hera (ARCHITECTURE.md §1), jobs.common imports no step, and the Argo core imports neither the builders
nor the tools built on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(" ".join(sorted(sys.modules)))
"""


def imported_modules(package: str) -> set[str]:
    """Every module importing all of `package`'s modules loads, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def imported_roots(package: str) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(package)}


def test_generator_imports_no_pyspark_mlflow_pyhive_nor_the_steps():
    roots = imported_roots("generator")
    assert "generator" in roots and "hera" in roots  # the probe really imported the package
    assert not roots & {"pyspark", "mlflow", "pyhive", "py4j", "jobs"}


def test_jobs_import_no_hera():
    roots = imported_roots("jobs")
    assert "jobs" in roots
    assert "hera" not in roots


def test_contract_imports_only_the_standard_library():
    roots = imported_roots("contract")
    assert "contract" in roots
    third_party = {root for root in roots if root not in sys.stdlib_module_names and not root.startswith("_")}
    assert third_party == {"contract"}, f"contract imports beyond the standard library: {third_party - {'contract'}}"


def test_jobs_common_imports_no_step():
    modules = imported_modules("jobs.common")
    assert "jobs.common.options" in modules  # the probe really imported the package
    steps = {name for name in modules if name.startswith("jobs.") and not name.startswith("jobs.common")}
    assert not steps, f"jobs.common imports step modules: {sorted(steps)}"


def test_argo_core_imports_neither_the_builders_nor_the_linter_nor_the_runner():
    modules = imported_modules("argo_toolset.core")
    assert "argo_toolset.core.catalog" in modules  # the probe really imported the package
    parents = {"generator", "argo_toolset"}
    outside = {name for name in modules if name.startswith("generator.") and name not in parents
               and not name.startswith(("argo_toolset.core", "generator.errors"))}
    assert not outside, f"the Argo core imports beyond itself: {sorted(outside)}"
    assert not {name.split(".")[0] for name in modules} & {"hera", "click"}


def test_linter_imports_neither_the_runner_nor_the_builders():
    modules = imported_modules("argo_toolset.lint")
    assert "argo_toolset.lint.stages" in modules
    assert not {name for name in modules if name.startswith(("argo_toolset.runner", "generator.specs",
                                                              "generator.config", "generator.commands"))}


def test_runner_imports_no_builders_and_the_stack_only_for_in_image_mode():
    modules = imported_modules("argo_toolset.runner")
    assert "argo_toolset.runner.api" in modules
    assert not {name for name in modules if name.startswith(("generator.specs", "generator.config",
                                                              "generator.commands"))}
