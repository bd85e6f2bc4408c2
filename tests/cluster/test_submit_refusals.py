"""`submit` refuses a wrong request before applying anything: exit 2 and a message naming the problem."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / "workflows" / "churn-daily.yaml"


def submit(*arguments: str, run_dir: Path):
    return CliRunner().invoke(main, ["submit", *arguments, "--run-dir", str(run_dir)])


def test_a_template_the_file_lacks_is_refused_naming_the_ones_it_has(tmp_path):
    result = submit(str(WORKFLOWS), "--template", "no-such-job", "-p", "ds=2026-01-01", run_dir=tmp_path)
    assert result.exit_code == 2, result.output
    assert "no template no-such-job" in result.output
    assert "WorkflowTemplate/churn-daily-retro" in result.output


def test_a_missing_or_unknown_parameter_is_refused(tmp_path):
    result = submit(str(WORKFLOWS), "--template", "churn-daily", "-p", "dss=2026-01-01", run_dir=tmp_path)
    assert result.exit_code == 2, result.output
    assert "unknown parameter 'dss'" in result.output
    assert "missing parameter 'ds'" in result.output


def test_a_cluster_that_is_down_is_refused(tmp_path):
    result = submit(str(WORKFLOWS), "--template", "churn-daily", "-p", "ds=2026-01-01", run_dir=tmp_path / "none")
    assert result.exit_code == 2, result.output
    assert "generate-workflow cluster up" in result.output

