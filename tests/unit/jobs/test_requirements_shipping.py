"""Model requirements on a cluster: installed packages travel inside the model archive; with installs off a missing
one fails the step before anything starts."""

from __future__ import annotations

import sys
import zipfile

import pytest
from click.testing import CliRunner

from jobs.common.errors import StepError
from jobs.score import worker
from jobs.score.bundle import pack_folder
from jobs.score.cli import main
from jobs.score.requirements import REQUIREMENTS_FOLDER, parse_requirements, plan_install, refuse_missing

ABSENT = "surely-not-installed-package-xyz==1.0"


def test_refuse_missing_names_every_missing_requirement():
    plan = plan_install(parse_requirements(f"{ABSENT}\nclick\nanother-absent-package-abc>=2"))
    with pytest.raises(StepError, match="surely-not-installed-package-xyz==1.0, another-absent-package-abc>=2"):
        refuse_missing(plan)
    refuse_missing(plan_install(parse_requirements("click")))  # nothing missing: no error


def test_step_with_installs_off_fails_before_scoring(tmp_path):
    args = ["--ds", "2024-01-01", "--model-uri", "models:/m/1", "--model-name", "m", "--model-version", "1",
            "--model-run-id", "r", "--requirements", ABSENT, "--no-install-requirements", "--input-table", "a.b",
            "--input-partition-column", "dt", "--id-column", "id", "--output-table", "a.c",
            "--output-partition-column", "dt", "--metastore-uri", "thrift://127.0.0.1:1", "--work-dir",
            str(tmp_path / "work"), "--out-dir", str(tmp_path / "out")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "surely-not-installed-package-xyz==1.0" in result.output + str(result.exception)
    assert not (tmp_path / "work" / "model-deps").exists()  # pip never ran


def test_installed_packages_travel_in_the_archive_and_load_after_the_environment(tmp_path, monkeypatch):
    model, deps = tmp_path / "model", tmp_path / "deps"
    model.mkdir()
    (model / "MLmodel").write_text("flavors: {}\n")
    (deps / "shippedpkg").mkdir(parents=True)
    (deps / "shippedpkg" / "__init__.py").write_text("VALUE = 42\n")
    (deps / "shippedpkg" / "__pycache__").mkdir()
    (deps / "shippedpkg" / "__pycache__" / "x.pyc").write_bytes(b"")
    archive = tmp_path / "model.zip"
    pack_folder(model, archive, deps)
    with zipfile.ZipFile(archive) as packed:
        assert sorted(packed.namelist()) == ["MLmodel", f"{REQUIREMENTS_FOLDER}/shippedpkg/__init__.py"]
        packed.extractall(tmp_path / "unpacked")
    monkeypatch.setattr(sys, "path", list(sys.path))
    worker._use_shipped_requirements(str(tmp_path / "unpacked"))
    assert sys.path[-1] == str(tmp_path / "unpacked" / REQUIREMENTS_FOLDER)  # last: the image's packages win
    import shippedpkg

    assert shippedpkg.VALUE == 42
