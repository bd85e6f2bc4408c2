"""Run a container or script template as a local process in the node's private folder.

The image is ignored: the project's environment stands in. `python`/`python3` as the first word of the
command runs the current interpreter (sys.executable), whose folder also leads PATH so that `sh -c "python
..."` finds it; the project root leads PYTHONPATH so that `python -m jobs.<step>` imports this checkout.
The step inherits the runner's environment (minus ARGO_SECRET_* stand-ins), then the container's `env`,
then `--env` overrides. TMPDIR points at the node's mapped /tmp. The working directory is the node folder
(or the mapped `workingDir`). stdout + stderr go to `<node folder>/main.log` and, prefixed by the node name,
to the console; stdout minus one trailing newline is `outputs.result`.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.expressions.substitution import substitute_tree
from argo_toolset.runner.pods.paths import PathMapper
from argo_toolset.runner.pods.process import ProcessOutcome, run_process
from argo_toolset.runner.pods.secrets import SECRET_PREFIX, container_env
from argo_toolset.runner.results import NodePhase, NodeResult

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON_NAMES = ("python", "python3", f"python3.{sys.version_info.minor}")
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"
LOG_TAIL_LINES = 20


def _base_env(tmp_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(SECRET_PREFIX)}
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")]).rstrip(os.pathsep)
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["TMPDIR"] = str(tmp_dir)
    return env


def _declared_paths(template: dict, container: dict) -> list[str]:
    inputs = (template.get("inputs") or {}).get("artifacts") or []
    outputs = (template.get("outputs") or {}).get("parameters") or []
    return ([artifact["path"] for artifact in inputs]
            + [parameter["valueFrom"]["path"] for parameter in outputs]
            + [mount["mountPath"] for mount in container.get("volumeMounts") or []])


def step_timeout(ctx: RunContext, template: dict) -> tuple[float | None, str]:
    """Seconds the process may run, and the message used when it is killed for running longer."""
    limits: list[tuple[float, str]] = []
    if template.get("activeDeadlineSeconds") not in (None, ""):
        limits.append((float(str(template["activeDeadlineSeconds"])), DEADLINE_MESSAGE))
    left = ctx.seconds_left()
    if left is not None:
        limits.append((max(left, 0.0), "Step exceeded its deadline"))
    if not limits:
        return None, DEADLINE_MESSAGE
    return min(limits)


def pod_fields(ctx: RunContext, node: NodeResult) -> dict[str, str]:
    """The `fieldRef` values of a step's pod: it shares this machine's loopback network, as a hostNetwork pod."""
    return {"status.podIP": "127.0.0.1", "status.hostIP": "127.0.0.1", "metadata.name": node.name,
            "metadata.namespace": ctx.workflow.namespace, "spec.nodeName": socket.gethostname(),
            "spec.serviceAccountName": ctx.globals["workflow.serviceAccountName"]}


def resolve_pod_template(template: dict, variables: dict[str, str]) -> dict:
    """The template with its `{{...}}` resolved as the pod sees them, outputs' own `.path` variables included."""
    output_parameters = (template.get("outputs") or {}).get("parameters") or []
    variables = {**variables, **{f"outputs.parameters.{p['name']}.path": p["valueFrom"]["path"]
                                 for p in output_parameters}}
    # Template metrics have no local effect, and Argo resolves them after the step (they may read its outputs).
    return substitute_tree({key: value for key, value in template.items() if key != "metrics"}, variables)


def run_pod(ctx: RunContext, template: dict, kind: str, variables: dict[str, str], artifacts: dict[str, str],
            node: NodeResult) -> None:
    """Run one container/script template to completion and collect its outputs into `node`."""
    folder = ctx.node_folder(node)
    node.folder = folder
    resolved = resolve_pod_template(template, variables)
    output_parameters = (resolved.get("outputs") or {}).get("parameters") or []
    container = resolved[kind]
    mapper = PathMapper(folder / "root", _declared_paths(resolved, container))
    tmp_dir = mapper.local("/tmp")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    for mount in container.get("volumeMounts") or []:
        mapper.local(mount["mountPath"]).mkdir(parents=True, exist_ok=True)
    for declared in (resolved.get("inputs") or {}).get("artifacts") or []:
        if declared["name"] in artifacts:
            target = mapper.local(declared["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(artifacts[declared["name"]], encoding="utf-8")
            if "mode" in declared:
                target.chmod(int(declared["mode"]))
    command = [mapper.rewrite(str(word)) for word in container.get("command") or []]
    arguments = [mapper.rewrite(str(word)) for word in container.get("args") or []]
    if kind == "script":
        script = folder / "script"
        script.write_text(mapper.rewrite(str(container["source"])), encoding="utf-8")
        command.append(str(script))
    argv = command + arguments
    if argv and argv[0] in PYTHON_NAMES:
        argv[0] = sys.executable
    env = _base_env(tmp_dir)
    env.update(container_env(container.get("env") or [], os.environ, mapper.rewrite, pod_fields(ctx, node)))
    env.update(ctx.env_overrides)
    cwd = mapper.local(container["workingDir"]) if container.get("workingDir") else folder
    cwd.mkdir(parents=True, exist_ok=True)
    timeout, timeout_message = step_timeout(ctx, resolved)
    log_path = folder / "main.log"
    with ctx.pod_slot():
        node.started_at = now()
        ctx.reporter.started(node)
        outcome = run_process(argv, env, cwd, log_path, lambda line: ctx.reporter.log(node, line), timeout,
                              ctx.registry)
    apply_outcome(node, outcome, timeout_message)
    collect_output_parameters(output_parameters, mapper.local, node)
    report_failure_tail(ctx, node, log_path)


def apply_outcome(node: NodeResult, outcome: ProcessOutcome, timeout_message: str) -> None:
    """The node's result, exit code, phase and message from how its process ended."""
    node.outputs.result = outcome.stdout[:-1] if outcome.stdout.endswith("\n") else outcome.stdout
    node.outputs.exit_code = outcome.exit_code
    if outcome.start_error:
        node.phase, node.message = NodePhase.ERROR, outcome.start_error
    elif outcome.timed_out:
        node.phase, node.message = NodePhase.FAILED, timeout_message
    elif outcome.cancelled:
        node.phase, node.message = NodePhase.FAILED, "interrupted"
    elif outcome.exit_code != 0:
        node.phase, node.message = NodePhase.FAILED, f"Error (exit code {outcome.exit_code})"
    else:
        node.phase = NodePhase.SUCCEEDED


def report_failure_tail(ctx: RunContext, node: NodeResult, log_path: Path) -> None:
    """With --quiet-logs, a failed step's last log lines."""
    if node.phase.failed_or_error and not ctx.reporter.stream_logs and log_path.exists():
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:]:
            ctx.reporter.line(f"  {node.display_name} | {line}")


def collect_output_parameters(parameters: list[dict], locate: Callable[[str], Path], node: NodeResult) -> None:
    """Read each `valueFrom.path` (one trailing newline trimmed, as Argo does), else its `default`."""
    for parameter in parameters:
        source = parameter["valueFrom"]
        local = locate(source["path"])
        if local.is_file():
            text = local.read_text(encoding="utf-8", errors="replace")
            node.outputs.parameters[parameter["name"]] = text[:-1] if text.endswith("\n") else text
        elif "default" in source:
            node.outputs.parameters[parameter["name"]] = str(source["default"])
        elif node.phase is NodePhase.SUCCEEDED:
            node.phase = NodePhase.ERROR
            node.message = f"open {source['path']}: no such file or directory (output parameter {parameter['name']})"
