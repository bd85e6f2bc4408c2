"""Smoke test of the harness itself: `python -m bench --quick` on the real local stack writes both reports.

Small data and one round: it proves every path runs end to end (Hive in, Hive out, REST, memory series), not
how fast; the full benchmark is never run in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.results import PATHS

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parents[3]


@pytest.mark.timeout(1200)
def test_quick_run_measures_every_path_and_writes_reports(local_stack, tmp_path):
    markdown, figures = tmp_path / "BENCHMARKS.md", tmp_path / "benchmarks.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--markdown", str(markdown), "--json", str(figures),
         "--work-dir", str(tmp_path / "work"), "--metastore-uri", local_stack.metastore_uri,
         "--tracking-uri", local_stack.mlflow_uri, "--warehouse-dir", str(local_stack.warehouse_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=1150, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads(figures.read_text())
    assert set(document["rows_per_s"]) == set(PATHS)
    assert all(rate > 0 for rate in document["rows_per_s"].values())
    assert document["ratio_to_limit"]["limit"] == 1.0
    assert [point["scale"] for point in document["memory"]] == [1, 4, 16]
    assert all(point["peak_rss_mib"] > 100 for point in document["memory"])  # a JVM and Python at least
    assert {"session_start (once per run)", "requirements_check (once per run)"} <= set(document["fixed_costs_s"])
    assert document["settings"]["repeats"] == 1
    text = markdown.read_text()
    assert "## Rows per second, side by side" in text and "python -m bench --quick" in text
