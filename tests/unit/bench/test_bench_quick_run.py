"""Smoke test of the harness itself: `python -m bench --quick` on the real local stack writes both reports.

Small data and one round: it proves every path runs end to end (Hive in, Hive out, REST, warm and cold) and writes
the limit's scores, not how fast; the full benchmark is never run in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.results import COLD_PATHS, PATHS
from bench.scores import TOLERANCE
from bench.settings import QUICK

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REPO = Path(__file__).resolve().parents[3]


@pytest.mark.timeout(1800)
def test_quick_run_measures_every_path_and_writes_reports(local_stack, tmp_path):
    markdown, figures = tmp_path / "BENCHMARKS.md", tmp_path / "benchmarks.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--markdown", str(markdown), "--json", str(figures),
         "--work-dir", str(tmp_path / "work"), "--metastore-uri", local_stack.metastore_uri,
         "--tracking-uri", local_stack.mlflow_uri, "--warehouse-dir", str(local_stack.warehouse_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=1750, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads(figures.read_text())
    assert set(document["rows_per_s"]) == set(PATHS)
    assert all(rate > 0 for rate in document["rows_per_s"].values())
    assert document["ratio_to_limit"]["limit"] == 1.0
    # Every warm path's scores were read back and equal the limit's predictions (the run fails otherwise).
    assert set(document["max_abs_diff_vs_limit"]) == set(PATHS)
    assert all(diff < TOLERANCE for diff in document["max_abs_diff_vs_limit"].values())
    # Cold: a fresh process per run of every cold path at every scale, its scores checked too (each run's output
    # partition was dropped before it started, so a run that wrote nothing would have failed the run).
    scales = list(QUICK.memory_scales)
    assert set(document["cold"]) == set(COLD_PATHS)
    for path, cold in document["cold"].items():
        assert [point["scale"] for point in cold["scales"]] == scales, path
        assert all(point["runs"] == 1 and point["max_abs_diff"] < TOLERANCE for point in cold["scales"]), path
        assert all(point["peak_rss_mib_max"] > 100 for point in cold["scales"]), path  # a JVM and Python at least
    assert set(document["memory"]) == set(COLD_PATHS)
    assert all([point["scale"] for point in points] == scales for points in document["memory"].values())
    # The ceiling and every Spark path side by side, warm and cold.
    assert document["ceiling"]["rows_per_s"] > 0 and set(document["ratio_to_ceiling"]) == set(PATHS)
    assert {(row["path"], row["mode"]) for row in document["headline"]} == {
        (path, mode) for path in COLD_PATHS for mode in ("warm", "cold")}
    costs = set(document["fixed_costs_s"])
    assert {"ours: session_start (once per session)", "ours: requirements_check (once per session)"} <= costs
    assert any(name.startswith("spark_udf: build spark_udf") for name in costs)
    assert document["settings"]["repeats"] == 1
    text = markdown.read_text()
    assert "## Warm: long-lived sessions" in text and "## Cold: a fresh process per run" in text
    assert "## Every path side by side" in text and "## Memory: peak RSS of every cold path" in text
    assert "python -m bench --quick" in text
