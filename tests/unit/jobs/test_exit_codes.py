"""Steps exit with contract.exit_codes.PERMANENT when retrying cannot help, and otherwise with another code."""

from __future__ import annotations

from click.testing import CliRunner

from contract import exit_codes
from generator.localstack.processes import free_port
from jobs.fetch_model import main as fetch_model_main
from jobs.plan_dates import main as plan_dates_main


def test_a_step_error_exits_with_the_permanent_code(tmp_path):
    result = CliRunner().invoke(plan_dates_main, ["--start", "2024-02-01", "--end", "2024-01-01",
                                                  "--out-dir", str(tmp_path)])
    assert result.exit_code == exit_codes.PERMANENT, result.output
    assert "is after --end" in result.output


def test_a_missing_or_malformed_option_exits_with_the_permanent_code_too(tmp_path):
    missing = CliRunner().invoke(plan_dates_main, ["--start", "2024-01-01", "--out-dir", str(tmp_path)])
    assert missing.exit_code == exit_codes.PERMANENT and "Missing option '--end'" in missing.output
    bad_type = CliRunner().invoke(plan_dates_main, ["--start", "2024-01-01", "--end", "2024-01-02",
                                                    "--lanes", "many", "--out-dir", str(tmp_path)])
    assert bad_type.exit_code == exit_codes.PERMANENT and "'many' is not a valid integer" in bad_type.output


def test_a_service_that_does_not_answer_exits_with_another_code(tmp_path):
    uri = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(fetch_model_main, ["--model-uri", "models:/m@champion", "--tracking-uri", uri,
                                                   "--retry-seconds", "0", "--out-dir", str(tmp_path)])
    assert result.exit_code == exit_codes.TRANSIENT != exit_codes.PERMANENT, result.output
    assert "did not answer" in result.output

