"""The generated templates and the steps agree: each `python -m jobs.<step>` exists and takes every option passed,
the env the templates set and the steps read is spelled in contract/step_env.py, and the output parameters a
template declares are those its step writes (contract/step_outputs.py)."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
import pytest
import yaml

from contract import step_env, step_outputs
from generator.config import load_jobs
from generator.specs import documents
from generator.specs.pod import RUN_AS
from generator.specs.spark_k8s import POD_IDENTITY

REPO = Path(__file__).resolve().parents[2]


def step_containers():
    """(job, template name, container) for every container template the example and demo configs generate."""
    for job in load_jobs([REPO / "conf"]) + load_jobs([REPO / "demo" / "conf"]):
        for document in documents(job):
            spec = document["spec"].get("workflowSpec", document["spec"])
            for template in spec.get("templates", []):
                if "container" in template:
                    yield pytest.param(template["container"], id=f"{job.config.name}/{template['name']}")


@pytest.mark.parametrize("container", step_containers())
def test_template_calls_an_existing_step_with_known_options(container):
    command = container["command"]
    assert command[:2] == ["python", "-m"] and command[2].startswith("jobs.")
    module = importlib.import_module(command[2])
    if hasattr(module, "__path__"):  # a package: `python -m` runs its __main__ module
        module = importlib.import_module(f"{command[2]}.__main__")
    assert getattr(module, "main", None) is not None, f"{command[2]} has no click command `main`"
    step: click.Command = module.main
    known = {opt for param in step.params for opt in param.opts}
    passed = {arg for arg in container["args"] if arg.startswith("--")}
    assert passed <= known, f"{command[2]} does not accept {sorted(passed - known)}"
    required = {param.opts[0] for param in step.params if param.required and not param.envvar}
    env_names = {env["name"] for env in container.get("env", [])}
    missing = {
        opt for opt in required - passed
        if not any(env in env_names for env in _envvars(step, opt))
    }
    assert not missing, f"{command[2]} requires {sorted(missing)} but the template does not pass them"


STEP_ENV = {value for name, value in vars(step_env).items() if name.isupper()}
# Set for the process, not read by a step: HOME (caches under /tmp), and a Spark driver's pod identity.
NOT_STEP_ENV = {"HOME", *POD_IDENTITY}


def _step_command(container) -> click.Command:
    module = importlib.import_module(container["command"][2])
    if hasattr(module, "__path__"):
        module = importlib.import_module(f"{container['command'][2]}.__main__")
    return module.main


@pytest.mark.parametrize("container", step_containers())
def test_template_env_and_step_envvars_are_the_contract_names(container):
    set_by_template = {env["name"] for env in container.get("env", [])} - NOT_STEP_ENV
    assert set_by_template <= STEP_ENV, f"not in contract/step_env.py: {sorted(set_by_template - STEP_ENV)}"
    read_by_step = {env for param in _step_command(container).params if param.envvar
                    for env in ([param.envvar] if isinstance(param.envvar, str) else param.envvar)}
    assert read_by_step <= STEP_ENV, f"not in contract/step_env.py: {sorted(read_by_step - STEP_ENV)}"


def step_templates():
    """(template) for every container template with output parameters."""
    for job in load_jobs([REPO / "conf"]) + load_jobs([REPO / "demo" / "conf"]):
        for document in documents(job):
            spec = document["spec"].get("workflowSpec", document["spec"])
            for template in spec.get("templates", []):
                if "container" in template and template.get("outputs", {}).get("parameters"):
                    yield pytest.param(template, id=f"{job.config.name}/{template['name']}")


@pytest.mark.parametrize("template", step_templates())
def test_declared_outputs_are_written_by_the_step(template):
    module = template["container"]["command"][2]
    declared = {parameter["name"] for parameter in template["outputs"]["parameters"]}
    assert declared <= set(step_outputs.BY_STEP[module]), module
    # The step writes each of its outputs under the contract's name (no literal spelling of its own).
    source = "".join(path.read_text() for path in _module_files(module))
    constants = {value: name for name, value in vars(step_outputs).items() if name.isupper() and isinstance(value, str)}
    unwritten = [name for name in step_outputs.BY_STEP[module] if f"step_outputs.{constants[name]}" not in source
                 and not (name in step_outputs.FETCHED and "step_outputs.FETCHED" in source)]
    assert not unwritten, f"{module} does not write {unwritten}"


def _module_files(module: str) -> list[Path]:
    spec = importlib.util.find_spec(module)
    origin = Path(spec.origin)
    return sorted(origin.parent.glob("*.py")) if origin.name == "__init__.py" else [origin]


def _envvars(step: click.Command, opt: str) -> list[str]:
    for param in step.params:
        if opt in param.opts and param.envvar:
            return [param.envvar] if isinstance(param.envvar, str) else list(param.envvar)
    return []


def test_dockerfile_installs_the_jobs_and_runs_as_the_pod_user():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "COPY jobs ./jobs" in dockerfile
    assert "pip install -c constraints.txt '.[jobs]'" in dockerfile
    assert f"USER {RUN_AS}:{RUN_AS}" in dockerfile
    assert "openjdk-17-jre-headless" in dockerfile
    ignored = (REPO / ".dockerignore").read_text().split()
    assert "jobs" not in ignored and "generator" not in ignored


def test_committed_workflows_call_only_modules_the_package_ships():
    modules = set()
    for path in (REPO / "workflows").glob("*.yaml"):
        if path.name.endswith(".rbac.yaml"):
            continue  # Kubernetes RBAC, no containers
        for document in yaml.safe_load_all(path.read_text()):
            for template in document["spec"].get("templates", []):
                if "container" in template:
                    modules.add(template["container"]["command"][2])
    assert modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
