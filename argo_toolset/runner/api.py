"""`run_workflow`: run one workflow document on this machine and return typed results."""

from __future__ import annotations

import json
import re
import secrets as random_tokens
import string
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from argo_toolset.core.variables import ALL_PARAMETERS_AS_JSON
from argo_toolset.errors import UserError, listed
from argo_toolset.runner.checks.features import check_supported
from argo_toolset.runner.checks.lint_first import check_argo_rules
from argo_toolset.runner.checks.pod_fields import check_image_supported
from argo_toolset.runner.checks.services import LoopbackServices, check_loopback_services
from argo_toolset.runner.documents import DocumentSet, RunnableWorkflow
from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.execution.engine import execute
from argo_toolset.runner.execution.locks import mutex_names
from argo_toolset.runner.expressions.substitution import UnresolvedVariableError, render_value, substitute
from argo_toolset.runner.pods.in_image import InImage
from argo_toolset.runner.report import Reporter
from argo_toolset.runner.results import NodePhase, NodeResult, NodeType, RunResult

DEFAULT_RUNS_DIR = Path(".run/runs")
DEFAULT_LOCK_DIR = Path(".run/locks")
_TIMESTAMP_FIELDS = "YmdHMSyjbBaAwUpI"
# Go's time.RFC3339 as `argo submit --scheduled-time` parses it: date, time, optional fraction, offset or Z.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _workflow_name(workflow: RunnableWorkflow, started: datetime) -> str:
    if workflow.kind == "CronWorkflow":  # the cron controller's name: <cron>-<scheduled time in Unix seconds>
        return f"{workflow.name}-{int(started.timestamp())}"
    suffix = "".join(random_tokens.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    if workflow.generate_name:
        return f"{workflow.name}{suffix}"  # Kubernetes appends the suffix to generateName as it is
    return f"{workflow.name}-{suffix}"


def _resolve_parameters(workflow: RunnableWorkflow, given: Mapping[str, str],
                        globals_: dict[str, str]) -> dict[str, str]:
    """Workflow argument values: `-p` wins over the spec's value; every missing one is reported at once.

    Raises:
        UserError: Unknown names, required parameters without a value, values outside `enum`.
    """
    declared = (workflow.spec.get("arguments") or {}).get("parameters") or []
    names = [parameter["name"] for parameter in declared]
    problems = [f"unknown parameter {name!r}; {workflow.kind} {workflow.name} declares: {', '.join(names) or 'none'}"
                for name in given if name not in names]
    values: dict[str, str] = {}
    for parameter in declared:
        name = parameter["name"]
        if name in given:
            value = given[name]
        elif "value" in parameter:
            value = render_value(parameter["value"])
        elif "default" in parameter:
            value = render_value(parameter["default"])
        else:
            about = f" ({parameter['description']})" if parameter.get("description") else ""
            problems.append(f"parameter {name!r} is required{about}: pass -p {name}=VALUE")
            continue
        try:
            value = substitute(value, globals_)
        except UnresolvedVariableError as error:
            problems.append(f"parameter {name!r}: {error}")
            continue
        allowed = [render_value(option) for option in parameter.get("enum") or []]
        if allowed and value not in allowed:
            problems.append(f"parameter {name!r}: value {value!r} is not one of {', '.join(allowed)}")
        values[name] = value
    if problems:
        raise UserError(listed("cannot start the workflow:", problems))
    return values


def parse_scheduled_time(text: str) -> datetime:
    """An RFC 3339 time with its offset (`2024-03-31T00:30:00+02:00`, `...Z`), as `argo submit --scheduled-time`.

    Raises:
        UserError: naming the value and the expected form.
    """
    if RFC3339.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise UserError(f"--scheduled-time: {text!r} is not an RFC 3339 time; expected e.g. 2024-03-31T00:30:00+02:00 "
                    f"or 2024-03-30T22:30:00Z")


def _globals(workflow: RunnableWorkflow, name: str, created: datetime,
             scheduled_time: str | None = None) -> dict[str, str]:
    spec = workflow.spec
    values = {
        "workflow.name": name, "workflow.namespace": workflow.namespace,
        "workflow.uid": str(uuid.uuid4()),
        "workflow.serviceAccountName": str(spec.get("serviceAccountName", "default")),
        "workflow.mainEntrypoint": str(spec.get("entrypoint", "")),
        "workflow.creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "workflow.creationTimestamp.RFC3339": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "workflow.creationTimestamp.s": str(int(created.timestamp())),
    }
    values.update({f"workflow.creationTimestamp.{field}": created.strftime(f"%{field}")
                   for field in _TIMESTAMP_FIELDS})
    values.update({f"workflow.labels.{key}": str(value) for key, value in workflow.labels.items()})
    values.update({f"workflow.annotations.{key}": str(value) for key, value in workflow.annotations.items()})
    if scheduled_time is not None:  # Argo copies the submitted text into the workflow's annotation as is
        values["workflow.scheduledTime"] = scheduled_time
    elif workflow.kind == "CronWorkflow":
        zone = ZoneInfo(workflow.cron_timezone) if workflow.cron_timezone else None
        scheduled = created.astimezone(zone) if zone else created
        values["workflow.scheduledTime"] = scheduled.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return values


def _failures(nodes: list[NodeResult]) -> str:
    """`{{workflow.failures}}`: Argo's JSON list of the failed and errored nodes."""
    failed = [{"displayName": node.display_name, "message": node.message, "templateName": node.template_name,
               "phase": node.phase.value, "podName": node.name if node.type is NodeType.POD else "",
               "finishedAt": node.finished_at.strftime("%Y-%m-%dT%H:%M:%SZ") if node.finished_at else ""}
              for node in nodes if node.phase.failed_or_error]
    return json.dumps(failed, separators=(",", ":"))


def run_workflow(documents: list[dict], template_name: str | None = None,
                 parameters: Mapping[str, str] | None = None, env_overrides: Mapping[str, str] | None = None,
                 work_dir: Path | str | None = None, lock_dir: Path | str | None = None, *,
                 backoff_scale: float = 1.0, echo: Callable[[str], None] | None = print,
                 stream_logs: bool = True, source: str = "<documents>",
                 scheduled_time: str | None = None, check_services: bool = True,
                 services: LoopbackServices | None = None,
                 in_image: InImage | None = None, crd_dir: Path | None = None) -> RunResult:
    """Run one workflow of `documents` locally, as Argo would run it, and wait for it to finish.

    Args:
        documents: Parsed YAML documents (WorkflowTemplate, Workflow, CronWorkflow, ClusterWorkflowTemplate);
            templateRef / workflowTemplateRef resolve among them.
        template_name: metadata.name of the document to run; default the first WorkflowTemplate or Workflow.
            A CronWorkflow runs its workflowSpec, with `workflow.scheduledTime` = now in its timezone.
        parameters: Workflow argument values by name (`argo submit -p`).
        env_overrides: Env variables set (last) in every step process.
        work_dir: Where node folders go; default `.run/runs/<workflow name>`.
        lock_dir: Where mutex lock files live; default `.run/locks` (share it between runs to serialize them).
        backoff_scale: Multiplies retry backoff delays (0 retries at once; 1.0 waits as written).
        echo: Receives progress lines, step logs and the summary; None is silent.
        stream_logs: Print step output as it comes; False prints only a failed step's last lines.
        source: Names the documents' origin in messages.
        scheduled_time: `workflow.scheduledTime` as `argo submit --scheduled-time` sets it (RFC 3339, kept as
            written); None: a CronWorkflow gets now in its timezone, other kinds leave it unset.
        check_services: Refuse to start when a loopback service the steps' env names is not listening
            (False for runs whose steps are stand-ins that reach no service).
        services: The caller's names for those services and how to start them (the project's glue).
        in_image: Run each container step as a container of this image with its pod's rules (pods/container.py);
            None runs them as local processes.
        crd_dir: Argo's CRD files, for the lint pre-check's schema stage (as `generate-workflow lint
            --crd-dir`); None checks fields against Hera's models instead.

    Raises:
        InvalidWorkflowError: The documents break a rule Argo enforces (the linter's findings; nothing ran).
        UnsupportedFeatureError: The workflow needs a feature the runner lacks (nothing ran).
        UserError: Bad template name, parameters or missing Secret stand-ins, or a loopback service the
            steps need is not listening (nothing ran).
    """
    check_argo_rules(documents, source, crd_dir)
    workflow = DocumentSet(documents, source).runnable(template_name)
    check_supported(workflow)
    if check_services:
        check_loopback_services(workflow, dict(env_overrides or {}), services)
    if in_image:
        check_image_supported(workflow, in_image)
    started = now()
    scheduled = parse_scheduled_time(scheduled_time) if scheduled_time is not None else None
    name = _workflow_name(workflow, scheduled or started)
    globals_ = _globals(workflow, name, started, scheduled_time)
    values = _resolve_parameters(workflow, dict(parameters or {}), globals_)
    globals_.update({f"workflow.parameters.{key}": value for key, value in values.items()})
    globals_[f"workflow.parameters.{ALL_PARAMETERS_AS_JSON}"] = json.dumps([{"name": k, "value": v}
                                                                         for k, v in values.items()])
    run_dir = Path(work_dir) if work_dir else DEFAULT_RUNS_DIR / name
    run_dir.mkdir(parents=True, exist_ok=True)
    reporter = Reporter(echo, stream_logs)
    spec = workflow.spec
    ctx = RunContext(
        workflow=workflow, workflow_name=name, globals=globals_, work_dir=run_dir.resolve(),
        lock_dir=Path(lock_dir) if lock_dir else DEFAULT_LOCK_DIR, env_overrides=dict(env_overrides or {}),
        backoff_scale=backoff_scale, reporter=reporter, execute=execute,
        pod_slots=threading.BoundedSemaphore(int(spec["parallelism"])) if spec.get("parallelism") else None,
        deadline=time.monotonic() + float(spec["activeDeadlineSeconds"]) if spec.get("activeDeadlineSeconds")
        else None, in_image=in_image)
    reporter.line(f"Running {workflow.kind} {workflow.name} as {name} (work dir {ctx.work_dir})")
    arguments = {"parameters": [{"name": key, "value": value} for key, value in values.items()]}
    root = NodeResult(name=name, display_name=name, type=NodeType.POD)
    exit_node = None
    try:
        with ctx.mutexes([substitute(mutex, globals_) for mutex in mutex_names(spec.get("synchronization"))]):
            execute(ctx, {"template": spec["entrypoint"]}, workflow.scope, arguments, root)
            phase, message = root.phase, root.message
            if spec.get("onExit"):
                ctx.globals = {**globals_, "workflow.status": phase.value,
                               "workflow.failures": _failures(list(root.walk())),
                               "workflow.duration": f"{(now() - started).total_seconds():f}"}
                exit_node = NodeResult(name=f"{name}.onExit", display_name=f"{name}.onExit", type=NodeType.POD)
                execute(ctx, {"template": spec["onExit"]}, workflow.scope, arguments, exit_node)
                if phase is NodePhase.SUCCEEDED and exit_node.phase.failed_or_error:
                    phase, message = exit_node.phase, exit_node.message
    except KeyboardInterrupt:
        ctx.registry.kill_all()
        raise
    result = RunResult(workflow_name=name, phase=phase, message=message, root=root, exit_handler=exit_node,
                       work_dir=ctx.work_dir, parameters=values, started_at=started, finished_at=now())
    (ctx.work_dir / "result.json").write_text(json.dumps(asdict(result), default=str, indent=1), encoding="utf-8")
    reporter.summary(result)
    return result
