"""Steps templates: groups run one after another, the steps of a group in parallel, as Argo runs them.

A group fails when one of its steps failed or errored without `continueOn`; later groups then do not run.
"""

from __future__ import annotations

import threading

from argo_toolset.runner.documents import TemplateScope
from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.execution.fanout import node_variables
from argo_toolset.runner.execution.holders import continues_on, group_phase, run_holder
from argo_toolset.runner.execution.outputs import template_outputs
from argo_toolset.runner.results import NodePhase, NodeResult, NodeType


def run_steps(ctx: RunContext, template: dict, scope: TemplateScope, variables: dict[str, str],
              node: NodeResult) -> None:
    """Run a steps template's groups and set the Steps node's phase and outputs."""
    slots = threading.BoundedSemaphore(int(template["parallelism"])) if template.get("parallelism") else None
    step_variables: dict[str, str] = {}
    for index, group in enumerate(template["steps"] or []):
        group_node = NodeResult(name=f"{node.name}[{index}]", display_name=f"[{index}]", type=NodeType.STEP_GROUP,
                                started_at=now())
        node.children.append(group_node)
        snapshot = {**variables, **step_variables}
        runs: list[tuple[dict, NodeResult, list]] = []

        def run_one(step: dict, step_node: NodeResult, sink: list, snapshot: dict = snapshot) -> None:
            items = run_holder(ctx, step, scope, snapshot, step_node, slots)
            sink.append(items)

        threads = []
        for step in group or []:
            step_node = NodeResult(name=f"{group_node.name}.{step['name']}", display_name=step["name"],
                                   type=NodeType.POD)
            sink: list = []
            runs.append((step, step_node, sink))
            thread = threading.Thread(target=run_one, args=(step, step_node, sink), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        failed = None
        for step, step_node, sink in runs:
            items = sink[0] if sink else None
            produced = items if items is not None else [step_node]
            if items is not None:  # what {{steps.X.status}} of a fanned-out step reports
                step_node.phase = group_phase(items)
            group_node.children.extend(produced)
            step_variables.update(node_variables(f"steps.{step['name']}", step_node, items))
            for child in produced:
                if child.phase.failed_or_error and not continues_on(step, child.phase):
                    failed = failed or child
        group_node.finished_at = now()
        group_node.phase = failed.phase if failed else NodePhase.SUCCEEDED
        if failed:
            group_node.message = f"child '{failed.name}' failed"
            node.phase, node.message = failed.phase, f"child '{failed.name}' failed"
            return
    node.outputs.parameters = template_outputs(template, {**variables, **step_variables})
    node.phase = NodePhase.SUCCEEDED
