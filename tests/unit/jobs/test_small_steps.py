"""plan_dates lanes and the report summary."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from jobs.common.errors import StepError
from jobs.plan_dates import main as plan_main
from jobs.plan_dates import plan_lanes
from jobs.report import main as report_main


def test_lanes_round_robin_inclusive():
    assert plan_lanes("2024-01-30", "2024-02-02", 3, 10) == [["2024-01-30", "2024-02-02"], ["2024-01-31"],
                                                            ["2024-02-01"]]
    assert plan_lanes("2024-01-01", "2024-01-01", 4, 1) == [["2024-01-01"]]


@pytest.mark.parametrize("start, end, match", [
    ("2024-01-05", "2024-01-01", "is after"), ("2014-01-01", "2024-01-01", "at most 366"),
    ("2024-01-32", "2024-02-01", "--start"),
])
def test_lanes_refuse_bad_ranges(start, end, match):
    with pytest.raises(StepError, match=match):
        plan_lanes(start, end, 2, 366)


def test_plan_dates_cli_writes_lanes(tmp_path):
    result = CliRunner().invoke(plan_main, ["--start", "2024-01-01", "--end", "2024-01-03", "--lanes", "2",
                                            "--out-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads((tmp_path / "lanes").read_text()) == [["2024-01-01", "2024-01-03"], ["2024-01-02"]]


def test_report_always_exits_zero_and_names_failures():
    result = CliRunner().invoke(report_main, ["--workflow-name", "w", "--status", "Failed",
                                              "--failures", '[{"displayName": "score", "message": "boom"}]'])
    assert result.exit_code == 0 and "failed: score: boom" in result.output
    garbage = CliRunner().invoke(report_main, ["--workflow-name", "w", "--status", "Error", "--failures", "{not"])
    assert garbage.exit_code == 0 and "Error" in garbage.output
