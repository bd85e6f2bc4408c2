"""`generate-workflow run-local` through click's CliRunner: exit codes, messages, options."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import generator.specs
from generator.commands.run_local import run_local
from generator.localstack.processes import free_port

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "fixtures" / "runner"


@pytest.fixture
def invoke(tmp_path):
    records = tmp_path / "rec"
    records.mkdir()

    def run(*args: str):
        base = ["--work-dir", str(tmp_path / "work"), "--lock-dir", str(tmp_path / "locks"), "--backoff-scale", "0",
                "-e", f"REC={records}"]
        return CliRunner().invoke(run_local, [*args, *base])

    return run


def test_success_exits_zero_with_progress_and_summary(invoke):
    result = invoke(str(FIXTURES / "diamond.yaml"), "-p", "start=5")

    assert result.exit_code == 0, result.output
    assert "✔ D Succeeded in" in result.output
    assert "  D | 10+10" in result.output  # streamed step output, prefixed by the node name
    assert "Status:      Succeeded" in result.output
    assert "Parameters:  start=5" in result.output


def test_failed_workflow_exits_one_after_the_exit_handler(invoke):
    result = invoke(str(FIXTURES / "exit_handler.yaml"), "--quiet-logs")

    assert result.exit_code == 1
    assert "Status:      Failed" in result.output
    assert ".onExit" in result.output


def test_missing_parameter_exits_one_without_traceback(invoke):
    result = invoke(str(FIXTURES / "diamond.yaml"))

    assert result.exit_code == 1
    assert "parameter 'start' is required" in result.output
    assert "Traceback" not in result.output


def test_unsupported_feature_exits_one_naming_it(invoke):
    result = invoke(str(FIXTURES / "unsupported.yaml"), "--template", "sidecar")

    assert result.exit_code == 1
    assert "run-local does not implement 1 feature(s)" in result.output
    assert "sidecars" in result.output


def test_malformed_pairs_are_usage_errors(invoke):
    result = invoke(str(FIXTURES / "diamond.yaml"), "-p", "start")

    assert result.exit_code == 2
    assert "'start' is not NAME=VALUE" in result.output


def test_env_override_reaches_every_step(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD", "x")

    result = invoke(str(FIXTURES / "secrets.yaml"), "-e", "DB_USER=dev-user")

    assert result.exit_code == 0, result.output
    assert "user=dev-user password=x" in result.output


def test_job_config_is_rendered_by_the_generator_then_run(invoke, tmp_path, monkeypatch):
    config = tmp_path / "job.yaml"
    config.write_text("name: demo\n")
    rendered = []

    def fake_render(path):
        rendered.append(Path(path))
        return (FIXTURES / "steps.yaml").read_text()

    monkeypatch.setattr(generator.specs, "render_job", fake_render)
    result = invoke(str(config))

    assert result.exit_code == 0, result.output
    assert rendered == [config]
    assert "Running WorkflowTemplate steps" in result.output


def test_help_explains_secrets_paths_and_refusals():
    text = CliRunner().invoke(run_local, ["--help"]).output

    for phrase in ("ARGO_SECRET_", "secretKeyRef", "<node folder>/root", "refused before anything runs",
                   "--backoff-scale", "no local effect", "waiting for lock"):
        assert phrase in text


def test_demo_config_without_the_stack_fails_in_seconds_naming_each_service(tmp_path):
    """As a new user does: run-local of the demo config while `stack up` was not run (every port closed)."""
    conf = tmp_path / "conf"
    shutil.copytree(REPO / "demo" / "conf", conf)
    ports = {"hive": free_port(), "metastore": free_port(), "mlflow": free_port()}
    defaults = yaml.safe_load((conf / "defaults.yaml").read_text())
    defaults["hive"].update(port=ports["hive"], metastore_uri=f"thrift://127.0.0.1:{ports['metastore']}")
    defaults["mlflow"]["tracking_uri"] = f"http://127.0.0.1:{ports['mlflow']}"
    (conf / "defaults.yaml").write_text(yaml.safe_dump(defaults))

    started = time.monotonic()
    # STEP_RETRY_SECONDS keeps a run that does start (no check) short: steps then fail on their own retries.
    result = CliRunner().invoke(run_local, [str(conf / "cancer-risk-daily.yaml"), "-p", "ds=2026-03-01",
                                            "-e", "STEP_RETRY_SECONDS=1", "--backoff-scale", "0",
                                            "--work-dir", str(tmp_path / "work"), "--lock-dir", str(tmp_path / "l")])
    elapsed = time.monotonic() - started

    assert result.exit_code == 1, result.output
    assert "services the steps need are not running (nothing was run)" in result.output
    assert f"HiveServer2 (Spark Thrift Server) at 127.0.0.1:{ports['hive']}" in result.output
    assert f"Hive metastore at 127.0.0.1:{ports['metastore']}" in result.output
    assert f"MLflow tracking server at 127.0.0.1:{ports['mlflow']}" in result.output
    assert "generate-workflow stack up" in result.output
    assert not (tmp_path / "work").exists() or not list((tmp_path / "work").rglob("main.log"))
    assert elapsed < 10
