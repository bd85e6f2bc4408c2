"""`generate-workflow build` in-process via CliRunner: writes, checks drift, reports config errors cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of conf/ and workflows/ in a scratch folder that is the working directory."""
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    shutil.copytree(REPO / "workflows", tmp_path / "workflows")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_check_passes_on_the_committed_workflows(project):
    result = invoke("build", "--check")
    assert result.exit_code == 0, result.output
    assert "4 generated file(s) match" in result.output  # 2 workflows files + their RBAC manifests


def test_check_fails_listing_drifted_missing_and_orphaned_files(project):
    (project / "workflows" / "churn-daily.yaml").write_text("# edited by hand\n")
    (project / "workflows" / "credit-limit-review.yaml").unlink()
    (project / "workflows" / "retired-job.yaml").write_text("# no config left\n")
    result = invoke("build", "--check")
    assert result.exit_code == 1
    assert "workflows/churn-daily.yaml: changed" in result.output
    assert "workflows/credit-limit-review.yaml: missing" in result.output
    assert "workflows/retired-job.yaml: orphaned" in result.output
    assert (project / "workflows" / "churn-daily.yaml").read_text() == "# edited by hand\n"  # --check writes nothing


def test_build_regenerates_after_a_config_change(project):
    config = project / "conf" / "churn-daily.yaml"
    config.write_text(config.read_text().replace('cron: "0 3 * * *"', 'cron: "30 4 * * *"'))
    assert invoke("build", "--check").exit_code == 1
    result = invoke("build")
    assert result.exit_code == 0, result.output
    assert "wrote workflows/churn-daily.yaml" in result.output
    assert "- 30 4 * * *" in (project / "workflows" / "churn-daily.yaml").read_text()
    assert invoke("build", "--check").exit_code == 0


def test_build_one_file_into_another_folder(project):
    result = invoke("build", "conf/credit-limit-review.yaml", "--out-dir", "out")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (project / "out").iterdir())
    assert written == ["credit-limit-review.rbac.yaml", "credit-limit-review.yaml"]


def test_other_folder_uses_its_own_defaults(project):
    other = project / "other"
    shutil.copytree(project / "conf", other)
    (other / "defaults.yaml").write_text((other / "defaults.yaml").read_text().replace("ds-scoring", "team-b"))
    assert invoke("build", "other", "--out-dir", "other-out").exit_code == 0
    assert "namespace: team-b" in (project / "other-out" / "churn-daily.yaml").read_text()


def test_config_errors_exit_1_with_file_and_key_and_no_traceback(project):
    config = project / "conf" / "churn-daily.yaml"
    config.write_text(config.read_text().replace("timezone: Europe/Moscow", "timezone: Mars/Base"))
    (project / "conf" / "credit-limit-review.yaml").write_text(
        (project / "conf" / "credit-limit-review.yaml").read_text() + "colour: blue\n"
    )
    before = (project / "workflows" / "credit-limit-review.yaml").read_text()
    result = invoke("build")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "2 config errors" in result.output
    assert "conf/churn-daily.yaml: schedule.timezone: 'Mars/Base' is not an IANA time zone" in result.output
    assert "conf/credit-limit-review.yaml: colour: unknown key" in result.output
    # Nothing is written when any config is invalid.
    assert (project / "workflows" / "credit-limit-review.yaml").read_text() == before


def test_missing_path_is_a_clear_error(project):
    result = invoke("build", "nope/")
    assert result.exit_code == 1
    assert "nope: no such file or folder" in result.output


@pytest.mark.parametrize("command", [[], ["build"], ["lint"], ["run-local"], ["stack"]])
def test_every_command_explains_itself(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output) > 200
