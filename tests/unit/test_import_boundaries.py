"""The generator never imports the step libraries, and the steps never import hera (ARCHITECTURE.md §1)."""

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
print(" ".join(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


def imported_roots(package: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_generator_imports_no_pyspark_mlflow_pyhive():
    roots = imported_roots("generator")
    assert "generator" in roots and "hera" in roots  # the probe really imported the package
    assert not roots & {"pyspark", "mlflow", "pyhive", "py4j"}


def test_jobs_import_no_hera():
    roots = imported_roots("jobs")
    assert "jobs" in roots
    assert "hera" not in roots


def test_contract_imports_only_the_standard_library():
    roots = imported_roots("contract")
    assert "contract" in roots
    third_party = {root for root in roots if root not in sys.stdlib_module_names and not root.startswith("_")}
    assert third_party == {"contract"}, f"contract imports beyond the standard library: {third_party - {'contract'}}"
