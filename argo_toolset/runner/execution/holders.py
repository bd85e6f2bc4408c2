"""Run one task or step: substitute it, fan it out over its items, check `when`, respect the parallelism bound."""

from __future__ import annotations

import threading
import traceback
from contextlib import nullcontext

from argo_toolset.runner.documents import TemplateScope
from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.execution.fanout import FanOutError, expansion_items, item_label, item_variables
from argo_toolset.runner.expressions.substitution import UnresolvedVariableError, substitute_tree
from argo_toolset.runner.expressions.when import ConditionError, evaluate_when
from argo_toolset.runner.results import NodePhase, NodeResult, NodeType

EXPANSION_KEYS = ("withItems", "withParam", "withSequence")


def _finish_without_running(ctx: RunContext, node: NodeResult, phase: NodePhase, message: str) -> None:
    node.type = NodeType.SKIPPED
    node.phase, node.message = phase, message
    node.started_at = node.finished_at = now()
    ctx.reporter.finished(node)


def run_resolved(ctx: RunContext, holder: dict, scope: TemplateScope, node: NodeResult,
                 slots: threading.Semaphore | None) -> None:
    """Run a fully substituted task/step: `when` first (false: Skipped), then its template."""
    when = holder.get("when")
    if when not in (None, ""):
        try:
            proceed = evaluate_when(str(when))
        except ConditionError as error:
            _finish_without_running(ctx, node, NodePhase.ERROR, f"invalid 'when' expression {when!r}: {error}")
            return
        if not proceed:
            _finish_without_running(ctx, node, NodePhase.SKIPPED, f"when '{when}' evaluated false")
            return
    with slots if slots is not None else nullcontext():
        try:
            ctx.execute(ctx, holder, scope, holder.get("arguments") or {}, node)
        except Exception as error:  # a runner bug must not hang the DAG waiting for this node
            node.phase, node.message = NodePhase.ERROR, f"local runner error: {error!r}"
            node.finished_at = now()
            ctx.reporter.line(traceback.format_exc())


def run_holder(ctx: RunContext, holder: dict, scope: TemplateScope, variables: dict[str, str],
               node: NodeResult, slots: threading.Semaphore | None) -> list[NodeResult] | None:
    """Run a task or step named by `node`.

    Returns:
        None when it did not fan out (then `node` holds the result); otherwise the item nodes
        `name(0:item)`, `name(1:item)`, ... which ran in parallel (each counting against `slots`).
    """
    try:
        if not any(key in holder for key in EXPANSION_KEYS):
            run_resolved(ctx, substitute_tree(holder, variables), scope, node, slots)
            return None
        sources = substitute_tree({k: v for k, v in holder.items() if k in EXPANSION_KEYS}, variables)
        items = expansion_items(sources)
    except (UnresolvedVariableError, FanOutError) as error:
        _finish_without_running(ctx, node, NodePhase.ERROR, str(error))
        return None
    body = {key: value for key, value in holder.items() if key not in EXPANSION_KEYS}
    children: list[NodeResult] = []
    threads = []
    for index, item in enumerate(items or []):
        label = item_label(index, item)
        child = NodeResult(name=f"{node.name}{label}", display_name=f"{node.display_name}{label}",
                           type=NodeType.POD)
        children.append(child)
        try:
            resolved = substitute_tree(body, {**variables, **item_variables(item)})
        except UnresolvedVariableError as error:
            _finish_without_running(ctx, child, NodePhase.ERROR, str(error))
            continue
        thread = threading.Thread(target=run_resolved, args=(ctx, resolved, scope, child, slots), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return children


def group_phase(children: list[NodeResult]) -> NodePhase:
    """A TaskGroup's phase: Skipped when empty, Failed/Error when any item failed, else Succeeded."""
    if not children:
        return NodePhase.SKIPPED
    failed = [child.phase for child in children if child.phase.failed_or_error]
    return failed[-1] if failed else NodePhase.SUCCEEDED


def continues_on(holder: dict, phase: NodePhase) -> bool:
    """Whether the task/step's `continueOn` tolerates this phase."""
    continue_on = holder.get("continueOn") or {}
    return bool((phase is NodePhase.FAILED and continue_on.get("failed"))
                or (phase is NodePhase.ERROR and continue_on.get("error")))
