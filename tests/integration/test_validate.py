"""validate against the stack's Spark Thrift Server (over HiveServer2's protocol) and MLflow: passes on good output,
fails readably on planted bad output."""

from __future__ import annotations

import json

import pytest

from contract import exit_codes
from tests.integration.helpers import load_partition, run_step

pytestmark = [pytest.mark.slow, pytest.mark.integration]
DS = "2024-04-01"


@pytest.fixture(scope="module")
def tables(hive_cursor, local_stack, test_database):
    """Input (5 ids), good output, and bad outputs: a missing row, a NULL score, a drifted score."""
    import pandas as pd

    ids = [1, 2, 3, 4, 5]
    scores = [0.1, 0.2, 0.3, 0.4, 0.5]
    made = {}
    variants = {
        "input": pd.DataFrame({"id": ids, "x": [1.0] * 5}),
        "good": pd.DataFrame({"id": ids, "score": scores}),
        "missing_row": pd.DataFrame({"id": ids[:4], "score": scores[:4]}),
        "null_score": pd.DataFrame({"id": ids, "score": [0.1, None, 0.3, 0.4, 0.5]}),
        "drifted": pd.DataFrame({"id": ids, "score": [0.1, 0.2, 0.3, 0.4, 0.9]}),
    }
    for name, frame in variants.items():
        table = f"{test_database}.val_{name}"
        load_partition(hive_cursor, local_stack, table, frame, DS)
        made[name] = table
    return made


def _args(tables, output: str, out_dir, *extra: str) -> list[str]:
    return ["--ds", DS, "--input-table", tables["input"], "--input-partition-column", "dt", "--output-table", output,
            "--output-partition-column", "dt", "--id-column", "id", "--model-name", "m", "--model-version", "3",
            "--model-run-id", "abc", "--experiment", "it-validate", "--out-dir", str(out_dir), *extra]


def test_validate_passes_and_logs_lineage(tables, step_env, tmp_path, mlflow_client):
    env = {**step_env, "HIVE_PASSWORD": "planted-secret-value"}
    result = run_step("validate", _args(tables, tables["good"], tmp_path, "--reference-table", tables["good"]), env)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report").read_text())
    assert report["passed"] and report["output_rows"] == 5 and report["reference_mismatches"] == 0
    experiment = mlflow_client.get_experiment_by_name("it-validate")
    runs = mlflow_client.search_runs([experiment.experiment_id], f"params.output_table = '{tables['good']}'")
    assert len(runs) == 1
    run = runs[0]
    assert run.data.params["model_version"] == "3" and run.data.params["ds"] == DS
    assert run.data.metrics["output_rows"] == 5 and run.data.metrics["checks_passed"] == 1
    assert "planted-secret-value" not in json.dumps(run.data.params) + result.stdout + result.stderr


@pytest.mark.parametrize("variant, failed_check, detail", [
    ("missing_row", "row_count", "output 4 rows, input 5 rows"),
    ("null_score", "null_scores", "1 rows with a NULL score"),
    ("drifted", "reference", "1 scores differ by more than 0.01"),
])
def test_validate_fails_with_a_readable_report(tables, step_env, tmp_path, variant, failed_check, detail):
    extra = ["--reference-table", tables["good"], "--tolerance", "0.01"]
    result = run_step("validate", _args(tables, tables[variant], tmp_path, *extra), step_env)
    assert result.returncode == exit_codes.PERMANENT
    assert f"[FAIL] {failed_check}: {detail}" in result.stdout
    assert "validation failed" in result.stderr and "Traceback" not in result.stderr
    report = json.loads((tmp_path / "report").read_text())
    assert not report["passed"]
    assert failed_check in [c["name"] for c in report["checks"] if not c["passed"]]
