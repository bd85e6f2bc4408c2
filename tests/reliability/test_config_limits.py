"""A huge config is refused by its size before the YAML parser sees a byte of it.

The proof uses a file the parser cannot survive: 300,000 nested `[` exceed Python's recursion limit in PyYAML's
composer (a RecursionError, not a YAML error). A loader that parsed first would crash with a traceback or report
invalid YAML; the size check answers with its own message, and `build` exits 1 without a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main as generate_workflow
from generator.config import load_jobs, yaml_source
from generator.config.yaml_source import MAX_CONFIG_BYTES
from generator.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SIZE_MESSAGE = "file too large for a config"
PARSER_BOMB = "[" * (MAX_CONFIG_BYTES + 1)  # unclosed, and nested deeper than the parser can recurse


def _conf_with_job(tmp_path: Path, text: str) -> Path:
    conf = tmp_path / "conf"
    conf.mkdir()
    shutil.copy(REPO / "conf" / "defaults.yaml", conf / "defaults.yaml")
    job = conf / "huge-job.yaml"
    job.write_text(text)
    return job


def _issues(job: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_jobs([job])
    return [str(issue) for issue in caught.value.issues]


def test_the_parser_itself_cannot_survive_the_file():
    """Why the file proves the order: parsed, it is not a config error but a crash."""
    with pytest.raises(RecursionError):
        yaml.safe_load(PARSER_BOMB)


def test_a_huge_config_gets_the_size_message_and_no_parse_error(tmp_path):
    job = _conf_with_job(tmp_path, PARSER_BOMB)

    issues = _issues(job)

    assert issues == [f"{job}: <root>: {SIZE_MESSAGE}: {MAX_CONFIG_BYTES + 1} bytes, allowed at most "
                      f"{MAX_CONFIG_BYTES} bytes; refused before parsing"]


def test_the_parser_is_never_called_for_a_huge_config(tmp_path, monkeypatch):
    job = _conf_with_job(tmp_path, "description: " + "x" * MAX_CONFIG_BYTES + "\n")
    parsed: list[str] = []
    real_parse = yaml_source._parse

    def spying_parse(text):
        parsed.append(text)
        return real_parse(text)

    monkeypatch.setattr(yaml_source, "_parse", spying_parse)
    issues = _issues(job)

    assert any(SIZE_MESSAGE in issue for issue in issues)
    assert parsed == [(job.parent / "defaults.yaml").read_text()]  # only defaults.yaml reached the parser


def test_a_file_at_the_limit_is_parsed(tmp_path):
    """The boundary: MAX_CONFIG_BYTES itself is allowed, so the same bytes now reach the parser (and fail there)."""
    job = _conf_with_job(tmp_path, "name: [" + "x" * (MAX_CONFIG_BYTES - len("name: [")))

    issues = _issues(job)

    assert len(issues) == 1 and "invalid YAML" in issues[0] and SIZE_MESSAGE not in issues[0]


def test_build_refuses_a_huge_config_with_exit_1_and_no_traceback(tmp_path):
    job = _conf_with_job(tmp_path, PARSER_BOMB)

    result = CliRunner().invoke(generate_workflow, ["build", str(job.parent), "--out-dir", str(tmp_path / "out")])

    assert result.exit_code == 1, result.output
    assert SIZE_MESSAGE in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, RecursionError)
    assert not (tmp_path / "out").exists()
