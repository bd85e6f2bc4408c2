"""The model's own environment: what it asks for, refusals before scoring, exit codes, one build per cache."""

from __future__ import annotations

import platform
import threading

import pytest

from contract import exit_codes
from jobs.common.environment_record import EnvironmentRecord
from jobs.common.errors import StepError, TransientError
from jobs.score.environment import build
from jobs.score.environment.attach import OwnEnvironment, attach_environment
from jobs.score.environment.spec import check_python, choose_mode, read_spec, server_constraints
from jobs.score.requirements import parse_requirements, plan_install

RUNNING = platform.python_version()


def _model(tmp_path, requirements: str, python: str | None = None):
    folder = tmp_path / "model"
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text(requirements)
    if python is not None:
        (folder / "python_env.yaml").write_text(f"python: {python}\nbuild_dependencies: [pip]\n"
                                                "dependencies: [-r requirements.txt]\n")
    return folder


def test_spec_reads_requirements_and_python_and_adds_the_servers_pyarrow(tmp_path):
    spec = read_spec(_model(tmp_path, "scikit-learn==1.3.2\nnumpy==1.26.4\n", "3.11.2"))
    assert spec.requirements == ["scikit-learn==1.3.2", "numpy==1.26.4", "pyarrow"]
    assert (spec.python, spec.python_source) == ("3.11.2", "python_env.yaml")
    assert read_spec(_model(tmp_path / "b", "pyarrow==15.0.0\n")).requirements == ["pyarrow==15.0.0"]


def test_numpy1_gets_a_pyarrow_that_imports_with_it_unless_the_model_pins_pyarrow():
    assert server_constraints(["numpy==1.26.4", "pyarrow"], ["numpy==1.26.4", "pyarrow==26.0.1"]) == ["pyarrow<26"]
    assert server_constraints(["numpy", "pyarrow"], ["numpy==2.4.0", "pyarrow==26.0.1"]) == []
    assert server_constraints(["pyarrow==20.0.0"], ["numpy==1.26.4", "pyarrow==20.0.0"]) == []


def test_another_python_minor_is_refused_before_anything_is_built(tmp_path):
    other = f"{platform.python_version_tuple()[0]}.{int(platform.python_version_tuple()[1]) - 1}.4"
    model = _model(tmp_path, "scikit-learn==1.3.2\n", other)
    with pytest.raises(StepError, match=f"saved with Python {other}.*cannot download") as raised:
        attach_environment(model, "models:/m/1", OwnEnvironment(tmp_path / "cache", ship=False))
    assert raised.value.exit_code == exit_codes.PERMANENT
    assert not (tmp_path / "cache").exists()
    check_python(read_spec(_model(tmp_path / "same", "x\n", RUNNING)), "models:/m/1")  # same minor: accepted


def test_auto_is_own_exactly_when_a_pinned_version_differs_from_the_image():
    import click

    assert choose_mode("auto", plan_install(parse_requirements(f"click=={click.__version__}"))) == "image"
    assert choose_mode("auto", plan_install(parse_requirements("click==0.1"))) == "own"
    assert choose_mode("own", plan_install(parse_requirements(f"click=={click.__version__}"))) == "own"
    assert choose_mode("image", plan_install(parse_requirements("click==0.1"))) == "image"


def test_an_index_that_is_down_exits_transient(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    with pytest.raises(TransientError, match="package index did not answer") as raised:
        build.ensure_environment(["six==1.16.0"], tmp_path / "cache")
    assert raised.value.exit_code == exit_codes.TRANSIENT
    assert not list((tmp_path / "cache").glob("[0-9a-f]*"))


@pytest.mark.slow
def test_a_requirement_that_cannot_be_resolved_exits_permanent_naming_it(tmp_path):
    with pytest.raises(StepError, match="no-such-version-of-six|six==0.0.999") as raised:
        build.resolve(["six==0.0.999"])
    assert raised.value.exit_code == exit_codes.PERMANENT
    assert not isinstance(raised.value, TransientError)


def test_concurrent_requests_build_once_and_never_show_half_an_environment(tmp_path, monkeypatch):
    builds: list[str] = []
    monkeypatch.setattr(build, "resolve", lambda requirements: ["six==1.16.0"])

    def fake_build(cache, env_hash, packages):  # stands in for uv: what matters here is the lock and the rename
        builds.append(env_hash)
        (cache / env_hash).mkdir(parents=True)
        (cache / env_hash / "environment.json").write_text(
            f'{{"hash": "{env_hash}", "packages": ["six==1.16.0"], "python": "{RUNNING}"}}')

    monkeypatch.setattr(build, "_build", fake_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(build.ensure_environment(["six"], tmp_path)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert sorted(r.built for r in results) == [False, False, False, True]
    assert len({r.hash for r in results}) == 1


def test_environment_record_round_trips_and_refuses_garbage():
    record = EnvironmentRecord("own", "abc", RUNNING, ["six==1.16.0"])
    assert EnvironmentRecord.from_json(record.to_json()) == record
    assert EnvironmentRecord.from_json("") is None
    with pytest.raises(StepError, match="--model-environment"):
        EnvironmentRecord.from_json("{not json")
