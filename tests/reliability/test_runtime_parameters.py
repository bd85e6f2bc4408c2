"""Run-time parameter corpus: what anyone can type into the Argo UI submit dialog is refused before any service.

Each step runs in-process with every service on a closed port and a zero retry budget: a value that got past
validation would fail with "did not answer" instead of the expected message, so the test proves the check
comes first and that nothing is written (the out dir stays empty).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from contract import exit_codes
from jobs import fetch_model, plan_dates, prepare, validate
from jobs.score import cli as score
from tests.reliability.helpers import closed_port

BAD_DATES = {
    "not-a-date": ("yesterday", "is not a date; expected YYYY-MM-DD"),
    "impossible-date": ("2024-02-30", "is not a real date"),
    "sql-in-ds": ("2024-01-01' OR '1'='1", "is not a date; expected YYYY-MM-DD"),
    "statement-in-ds": ("2024-01-01; DROP TABLE scores.churn_daily; --", "is not a date"),
}
OUTSIDE_REGISTRY = ["s3://bucket/model", "file:///etc", "/etc/passwd", "http://evil.example.com/model.pkl",
                    "runs:/../../etc/passwd", "models:/", "mlflow-artifacts:/1/abc/model", "models:/churn@a/../x"]


def _services(tmp_path: Path) -> dict[str, str]:
    port = closed_port()
    return {"HIVE_HOST": "127.0.0.1", "HIVE_PORT": str(port), "HIVE_METASTORE_URI": f"thrift://127.0.0.1:{port}",
            "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}", "STEP_RETRY_SECONDS": "0",
            "MLFLOW_DISABLE_TELEMETRY": "true", "TMPDIR": str(tmp_path)}


def _invoke(command, args: list[str], tmp_path: Path):
    result = CliRunner().invoke(command, args, env=_services(tmp_path), catch_exceptions=False)
    return result, result.output


def _ds_args(step: str, ds: str, tmp_path: Path) -> list[str]:
    out = ["--out-dir", str(tmp_path / "out")]
    if step == "prepare":
        sql = tmp_path / "prepare.sql"
        sql.write_text("INSERT OVERWRITE TABLE db.t PARTITION (dt = '${ds}') SELECT * FROM db.s WHERE dt = '${ds}';")
        return ["--sql-file", str(sql), "--ds", ds]
    if step == "score":
        return ["--ds", ds, "--model-uri", "models:/m/1", "--model-name", "m", "--model-version", "1",
                "--model-run-id", "r", "--input-table", "db.features", "--input-partition-column", "dt",
                "--id-column", "id", "--output-table", "db.scores", "--output-partition-column", "dt", *out]
    return ["--ds", ds, "--input-table", "db.features", "--input-partition-column", "dt", "--output-table",
            "db.scores", "--output-partition-column", "dt", "--id-column", "id", *out]


@pytest.mark.parametrize("case", BAD_DATES, ids=str)
@pytest.mark.parametrize("step", ["prepare", "score", "validate"])
def test_bad_ds_is_refused_before_any_service_and_writes_nothing(step, case, tmp_path):
    command = {"prepare": prepare.main, "score": score.main, "validate": validate.main}[step]
    value, message = BAD_DATES[case]

    result, output = _invoke(command, _ds_args(step, value, tmp_path), tmp_path)

    assert result.exit_code == exit_codes.PERMANENT, output
    assert f"--ds: {value!r} {message}" in output
    assert "did not answer" not in output and "Traceback" not in output
    assert not (tmp_path / "out").exists()


UNSAFE_VARS = {
    "statement": ("factor", "2; DROP TABLE scores.churn_daily"),
    "always-true": ("factor", "1 OR 1=1"),
    "quote": ("region", "eu' OR '1'='1"),
    "comment": ("factor", "2 --"),
    "impossible-date": ("since", "2024-02-30"),
}


@pytest.mark.parametrize("case", UNSAFE_VARS, ids=str)
def test_prepare_refuses_an_unsafe_var_before_touching_hive(case, tmp_path):
    """Nothing listens on the Hive port and the retry budget is zero: a value that got past validation would end in
    "HiveServer2 at ... did not answer" instead (the control test below shows that message)."""
    name, value = UNSAFE_VARS[case]
    args = _ds_args("prepare", "2024-01-01", tmp_path) + ["--var", f"{name}={value}"]

    result, output = _invoke(prepare.main, args, tmp_path)

    assert result.exit_code == exit_codes.PERMANENT, output
    assert f"--var {name}: {value!r}" in output
    assert "did not answer" not in output and "Traceback" not in output


def test_prepare_with_safe_values_does_reach_for_the_closed_hive_port(tmp_path):
    """Control: with valid values the same call does try HiveServer2, so the test above can tell the two apart."""
    args = _ds_args("prepare", "2024-01-01", tmp_path) + ["--var", "factor=2", "--var", "region=eu"]

    result, output = _invoke(prepare.main, args, tmp_path)

    assert result.exit_code == exit_codes.TRANSIENT, output
    assert "HiveServer2 at 127.0.0.1:" in output and "did not answer after 1 attempt(s)" in output


@pytest.mark.parametrize("uri", OUTSIDE_REGISTRY)
@pytest.mark.parametrize("step", ["fetch_model", "score"])
def test_model_uri_outside_the_registry_is_refused_before_contacting_mlflow(step, uri, tmp_path):
    if step == "fetch_model":
        result, output = _invoke(fetch_model.main, ["--model-uri", uri, "--out-dir", str(tmp_path / "out")], tmp_path)
    else:  # a hand-run score step gets the URI directly, without fetch-model in front of it
        args = _ds_args("score", "2024-01-01", tmp_path)
        args[args.index("models:/m/1")] = uri
        result, output = _invoke(score.main, args, tmp_path)

    assert result.exit_code == exit_codes.PERMANENT, output
    assert f"--model-uri: {uri!r} is not supported; use models:/<name>@<alias>" in output
    assert "did not answer" not in output and "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_model_name_with_a_quote_never_reaches_an_mlflow_search_filter(tmp_path):
    uri = "models:/churn' OR name LIKE '%/1"
    result, output = _invoke(fetch_model.main, ["--model-uri", uri, "--out-dir", str(tmp_path / "out")], tmp_path)

    assert result.exit_code == exit_codes.PERMANENT, output
    assert f"--model-uri: {uri!r} is not supported; use models:/<name>@<alias>" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("start, end, message", [
    ("2024-03-10", "2024-03-01", "--start 2024-03-10 is after --end 2024-03-01"),
    ("2014-01-01", "2023-12-31", "2014-01-01..2023-12-31 spans 3652 days; at most 366 are allowed (--max-days)"),
    ("2024-01-01'; --", "2024-01-02", "--start: \"2024-01-01'; --\" is not a date"),
])
def test_plan_dates_refuses_reversed_huge_and_bad_ranges(start, end, message, tmp_path):
    result, output = _invoke(plan_dates.main, ["--start", start, "--end", end, "--lanes", "3",
                                               "--out-dir", str(tmp_path / "out")], tmp_path)

    assert result.exit_code == exit_codes.PERMANENT, output
    assert message in output and "Traceback" not in output
    assert not (tmp_path / "out").exists()
