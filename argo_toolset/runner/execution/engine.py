"""Run one node: resolve its template and inputs, honour retryStrategy and mutexes, dispatch by template type."""

from __future__ import annotations

import time

from argo_toolset.runner.documents import TemplateScope
from argo_toolset.runner.execution import dag, retries, steps
from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.execution.fanout import FanOutError
from argo_toolset.runner.execution.locks import mutex_names
from argo_toolset.runner.expressions.expr import ExpressionError
from argo_toolset.runner.expressions.godates import parse_duration
from argo_toolset.runner.expressions.substitution import UnresolvedVariableError, render_value, substitute
from argo_toolset.runner.expressions.when import ConditionError
from argo_toolset.runner.pods import container, local
from argo_toolset.runner.pods.secrets import MissingSecretError
from argo_toolset.runner.results import NodePhase, NodeResult, NodeType

# Errors a node turns into phase Error (as the Argo controller does) instead of crashing the run.
NODE_ERRORS = (UnresolvedVariableError, MissingSecretError, ConditionError, FanOutError, ExpressionError,
               ValueError, OSError)


class InputError(ValueError):
    """An input the template needs was not supplied."""


def execute(ctx: RunContext, holder: dict, scope: TemplateScope, arguments: dict, node: NodeResult) -> None:
    """Run the template a holder (entrypoint, task or step) names, filling in `node`.

    Args:
        holder: A mapping with `template` or `templateRef`.
        arguments: The holder's substituted `arguments` (`parameters`, `artifacts`).
    """
    template, template_scope = scope.resolve(holder, node.name)
    node.template_name = template["name"]
    retry = template.get("retryStrategy") or ctx.workflow.spec.get("retryStrategy")
    if retry:
        _execute_with_retries(ctx, template, template_scope, arguments, node, retry)
    else:
        _execute_once(ctx, template, template_scope, arguments, node, attempt=0)


def _seconds(value: object) -> float:
    text = str(value)
    return float(text) if text.replace(".", "", 1).isdigit() else parse_duration(text).total_seconds()


def _execute_with_retries(ctx: RunContext, template: dict, scope: TemplateScope, arguments: dict,
                          node: NodeResult, retry: dict) -> None:
    """A Retry node whose children `name(0)`, `name(1)`, ... are the attempts (Argo's shape)."""
    node.type = NodeType.RETRY
    node.started_at = now()
    ctx.reporter.started(node)
    limit = int(str(retry.get("limit", 0)))
    policy = retries.effective_policy(retry)
    backoff = retry.get("backoff") or {}
    first_start = time.monotonic()
    attempt = 0
    reason = ""  # what Argo writes on the Retry node when it stops for a reason of its own
    while True:
        child = NodeResult(name=f"{node.name}({attempt})", display_name=f"{node.display_name}({attempt})",
                           type=NodeType.POD, template_name=template["name"])
        node.children.append(child)
        _execute_once(ctx, template, scope, arguments, child, attempt)
        if child.phase is NodePhase.SUCCEEDED or not retries.policy_admits(policy, child):
            break
        if attempt >= limit or ctx.registry.cancelled.is_set():
            child.message = child.message or "No more retries left"
            break
        try:
            allowed = not retry.get("expression") or retries.expression_allows(retry["expression"],
                                                                                   node.children)
        except ExpressionError as error:
            node.phase, node.message = NodePhase.ERROR, f"retryStrategy.expression: {error}"
            node.finished_at = now()
            ctx.reporter.finished(node)
            return
        if not allowed:
            reason = "retryStrategy.expression evaluated to false"
            break
        delay = 0.0
        if backoff.get("duration"):
            delay = _seconds(backoff["duration"]) * float(str(backoff.get("factor", 1))) ** attempt
            if backoff.get("cap"):
                delay = min(delay, _seconds(backoff["cap"]))
        if backoff.get("maxDuration") and time.monotonic() - first_start + delay > _seconds(backoff["maxDuration"]):
            child.message = f"{child.message}; Max duration limit exceeded".lstrip("; ")
            break
        scaled = delay * ctx.backoff_scale
        if scaled > 0:
            ctx.reporter.line(f"  {node.display_name}: retrying in {scaled:.1f}s (attempt {attempt + 2} of "
                              f"{limit + 1}; backoff {delay:.1f}s x scale {ctx.backoff_scale})")
            time.sleep(scaled)
        attempt += 1
    last = node.children[-1]
    node.phase, node.message, node.outputs, node.inputs = last.phase, last.message, last.outputs, last.inputs
    if reason:
        node.message = f"{last.message} ({reason})" if last.message else reason
    node.finished_at = now()
    ctx.reporter.finished(node)


def _resolve_inputs(template: dict, arguments: dict, ctx: RunContext) -> tuple[dict[str, str], dict[str, str]]:
    """Input parameter values and raw artifact contents, from arguments, else `value`/`default`.

    Raises:
        InputError: A parameter or artifact without a value.
    """
    given = {p["name"]: p for p in arguments.get("parameters") or []}
    parameters: dict[str, str] = {}
    for declared in (template.get("inputs") or {}).get("parameters") or []:
        name = declared["name"]
        source = given.get(name, {})
        for key in ("value", "default"):
            if key in source:
                parameters[name] = render_value(source[key])
                break
        else:
            if "value" in declared:
                parameters[name] = substitute(render_value(declared["value"]), ctx.globals)
            elif "default" in declared:
                parameters[name] = substitute(render_value(declared["default"]), ctx.globals)
            else:
                raise InputError(f"inputs.parameters.{name} was not supplied")
    given_artifacts = {a["name"]: a for a in arguments.get("artifacts") or []}
    artifacts: dict[str, str] = {}
    for declared in (template.get("inputs") or {}).get("artifacts") or []:
        source = given_artifacts.get(declared["name"]) or declared
        if "raw" in source:
            artifacts[declared["name"]] = str(source["raw"].get("data", ""))
        elif not declared.get("optional"):
            raise InputError(f"inputs.artifacts.{declared['name']} was not supplied")
    return parameters, artifacts


def _execute_once(ctx: RunContext, template: dict, scope: TemplateScope, arguments: dict, node: NodeResult,
                  attempt: int) -> None:
    kind = next(k for k in ("container", "script", "dag", "steps") if k in template)
    node.type = {"dag": NodeType.DAG, "steps": NodeType.STEPS}.get(kind, NodeType.POD)
    node.template_name = template["name"]
    node.started_at = now()
    if node.type is not NodeType.POD:
        ctx.reporter.started(node)
    try:
        parameters, artifacts = _resolve_inputs(template, arguments, ctx)
        node.inputs = parameters
        variables = dict(ctx.globals)
        variables.update({f"inputs.parameters.{name}": value for name, value in parameters.items()})
        for artifact in (template.get("inputs") or {}).get("artifacts") or []:
            variables[f"inputs.artifacts.{artifact['name']}.path"] = artifact["path"]
        variables.update({"retries": str(attempt), "node.name": node.name, "pod.name": node.name})
        mutexes = [substitute(name, variables) for name in mutex_names(template.get("synchronization"))]
        if ctx.seconds_left() is not None and ctx.seconds_left() <= 0:
            raise TimeoutError("Max duration limit exceeded")
        with ctx.mutexes(mutexes):
            if node.type is NodeType.POD and ctx.in_image:
                container.run_pod_in_image(ctx, ctx.in_image, template, kind, variables, artifacts, node)
            elif node.type is NodeType.POD:
                local.run_pod(ctx, template, kind, variables, artifacts, node)
            elif node.type is NodeType.DAG:
                dag.run_dag(ctx, template, scope, variables, node)
            else:
                steps.run_steps(ctx, template, scope, variables, node)
    except InputError as error:
        node.phase, node.message = NodePhase.ERROR, str(error)
    except TimeoutError as error:
        node.phase, node.message = NodePhase.FAILED, str(error)
    except NODE_ERRORS as error:
        node.phase, node.message = NodePhase.ERROR, str(error)
    node.finished_at = now()
    if node.phase is NodePhase.RUNNING:
        node.phase = NodePhase.ERROR
        node.message = node.message or "node ended without a phase"
    ctx.reporter.finished(node)
