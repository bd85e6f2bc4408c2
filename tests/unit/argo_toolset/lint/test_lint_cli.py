"""`generate-workflow lint` through click's CliRunner: output lines, exit codes, CRD-dir note, help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.lint import lint

from .conftest import FIXTURES, VALID_FILE

BROKEN = FIXTURES / "broken"
LINE = re.compile(
    r"^(?P<file>\S+): doc (?P<doc>\d+) (?P<kind>\S+)/(?P<name>\S+): (?P<path>.+?): \[(?P<rule>[a-z0-9-]+)\] .+$"
)


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(lint, list(args), env=env or {"ARGO_CRD_DIR": ""})


def test_clean_directory_exits_0_with_a_summary(crd_dir: Path) -> None:
    result = _run(str(FIXTURES / "valid"), "--crd-dir", str(crd_dir))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "OK: 2 file(s), 4 document(s), no findings"
    assert "skipped" not in result.stderr


def test_crd_dir_from_the_environment(crd_dir: Path) -> None:
    result = _run(str(VALID_FILE), env={"ARGO_CRD_DIR": str(crd_dir)})
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.stderr


def test_without_crd_dir_a_note_says_the_schema_stage_is_skipped() -> None:
    result = _run(str(VALID_FILE))
    assert result.exit_code == 0, result.output
    assert "CRD schema and CEL checks skipped" in result.stderr


def test_findings_exit_1_one_line_each(crd_dir: Path) -> None:
    result = _run(str(BROKEN), "--crd-dir", str(crd_dir))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines
    found = {(Path(m["file"]).name, m["doc"], m["path"], m["rule"]) for m in map(LINE.match, lines)}
    assert ("duplicate-key.yaml", "1", "line 8", "yaml") in found
    assert ("not-yaml.yaml", "1", "line 4", "yaml") in found
    assert ("legacy-cron.yaml", "1", "spec.schedule", "legacy-field") in found
    assert ("legacy-cron.yaml", "1", "spec.workflowSpec.synchronization.mutex", "legacy-field") in found
    assert ("legacy-cron.yaml", "1", "spec.timezone", "timezone") in found
    assert f"{len(lines)} finding" in result.stderr


def test_default_path_is_workflows_dir(crd_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "job.yml").write_text(VALID_FILE.read_text())
    monkeypatch.chdir(tmp_path)
    result = _run("--crd-dir", str(crd_dir))
    assert result.exit_code == 0, result.output
    assert "1 file(s), 3 document(s)" in result.stdout


def test_missing_path_and_bad_crd_dir_are_user_errors(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "does not exist" in result.stderr and "Traceback" not in result.output
    result = _run(str(VALID_FILE), "--crd-dir", str(tmp_path))
    assert result.exit_code == 1 and "argoproj.io_workflows.yaml" in result.stderr


def test_help_explains_paths_stages_and_rules() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for text in ("--crd-dir", "ARGO_CRD_DIR", "workflows/", "unknown-field", "dag-cycle", "legacy-field"):
        assert text in result.stdout
