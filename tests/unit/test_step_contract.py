"""What the generated templates call exists: each `python -m jobs.<step>` module, and every option it passes."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
import pytest
import yaml

from generator.config import load_jobs
from generator.specs import documents
from generator.specs.pod import RUN_AS

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
