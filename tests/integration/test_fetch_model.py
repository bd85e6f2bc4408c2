"""fetch-model against a real MLflow server: alias -> pinned version, requirements only, clear errors."""

from __future__ import annotations

import pytest

from contract import exit_codes
from demo.model import installed_requirements
from tests.integration.helpers import output_files, run_step

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_fetch_model_resolves_alias_and_fetches_requirements(pyfunc_model, step_env, tmp_path):
    result = run_step("fetch_model", ["--model-uri", pyfunc_model.alias_uri, "--out-dir", str(tmp_path)], step_env)
    assert result.returncode == 0, result.stderr
    outputs = output_files(tmp_path)
    assert outputs["model-name"] == pyfunc_model.name
    assert outputs["model-version"] == pyfunc_model.version
    assert outputs["model-run-id"] == pyfunc_model.run_id
    assert outputs["pinned-uri"] == pyfunc_model.pinned_uri
    assert outputs["requirements"].split() == installed_requirements()


def test_fetch_model_by_version_and_by_run(pyfunc_model, step_env, tmp_path):
    by_version = run_step("fetch_model", ["--model-uri", pyfunc_model.pinned_uri, "--out-dir", str(tmp_path / "v")],
                          step_env)
    assert by_version.returncode == 0, by_version.stderr
    assert output_files(tmp_path / "v")["pinned-uri"] == pyfunc_model.pinned_uri
    by_run = run_step("fetch_model", ["--model-uri", f"runs:/{pyfunc_model.run_id}/model",
                                      "--out-dir", str(tmp_path / "r")], step_env)
    assert by_run.returncode == 0, by_run.stderr
    assert output_files(tmp_path / "r")["model-version"] == pyfunc_model.version


@pytest.mark.parametrize("uri_template, expected", [
    ("models:/{name}@nope", "has no alias 'nope'; its aliases: @champion -> v{version}"),
    ("models:/{name}_missing@champion", "does not exist; registered models:"),
    ("models:/{name}/999", "has no version 999; its versions: {version}"),
    ("s3://bucket/model", "is not supported"),
])
def test_fetch_model_unknown_things_name_what_exists(pyfunc_model, step_env, tmp_path, uri_template, expected):
    uri = uri_template.format(name=pyfunc_model.name)
    result = run_step("fetch_model", ["--model-uri", uri, "--out-dir", str(tmp_path)], step_env)
    assert result.returncode == exit_codes.PERMANENT
    assert expected.format(version=pyfunc_model.version) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pinned-uri").exists()
