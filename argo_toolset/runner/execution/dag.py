"""DAG templates: start each task when its `depends` can be decided, as the Argo controller does.

A task whose `depends` is false once its dependencies finished is Omitted. The DAG's phase follows Argo's
assessDAGPhase: the leaf ("target") tasks decide; an omitted leaf inherits a failed ancestor's phase;
`continueOn` tolerates a target's failure. With failFast (the default) no new task starts once a target's
branch has failed; running ones finish.
"""

from __future__ import annotations

import queue
import threading

from argo_toolset.core.dag import DependsError, depends_expression, referenced_tasks
from argo_toolset.runner.documents import TemplateScope
from argo_toolset.runner.execution.context import RunContext, now
from argo_toolset.runner.execution.depends import TaskOutcome, depends_met
from argo_toolset.runner.execution.fanout import group_children, node_variables
from argo_toolset.runner.execution.holders import continues_on, group_phase, run_holder
from argo_toolset.runner.execution.outputs import template_outputs
from argo_toolset.runner.results import NodePhase, NodeResult, NodeType


def _outcome(node: NodeResult, task: dict) -> TaskOutcome:
    continue_on = task.get("continueOn") or {}
    children = tuple(child.phase for child in group_children(node) or [])
    return TaskOutcome(node.phase, children, bool(continue_on.get("failed")), bool(continue_on.get("error")))


class _Dag:
    def __init__(self, ctx: RunContext, template: dict, scope: TemplateScope, variables: dict[str, str],
                 node: NodeResult):
        self.ctx, self.template, self.scope, self.variables, self.node = ctx, template, scope, variables, node
        self.tasks = {task["name"]: task for task in template["dag"]["tasks"]}
        self.dependencies = {name: referenced_tasks(depends_expression(task)) for name, task in self.tasks.items()}
        depended_on = {dependency for names in self.dependencies.values() for dependency in names}
        self.targets = sorted(name for name in self.tasks if name not in depended_on)
        self.fail_fast = template["dag"].get("failFast", True)
        self.slots = threading.BoundedSemaphore(int(template["parallelism"])) if template.get("parallelism") else None
        self.finished: dict[str, NodeResult] = {}
        self.started: set[str] = set()
        self.task_variables: dict[str, str] = {}
        self.done: queue.Queue[str] = queue.Queue()

    def branch_phase(self, name: str) -> NodePhase:
        node = self.finished[name]
        if node.phase is not NodePhase.OMITTED:
            return node.phase
        inherited = [self.branch_phase(dep) for dep in self.dependencies[name] if dep in self.finished]
        return next((phase for phase in inherited if phase.failed_or_error), NodePhase.SUCCEEDED)

    def failed_target(self) -> tuple[str, NodePhase] | None:
        failure = None
        for name in self.targets:
            if name not in self.finished:
                continue
            phase = self.branch_phase(name)
            if phase.failed_or_error and not continues_on(self.tasks[name], phase):
                failure = (name, phase)
                if self.fail_fast:
                    break
        return failure

    def worker(self, name: str, node: NodeResult, variables: dict[str, str]) -> None:
        node.started_at = now()
        items = run_holder(self.ctx, self.tasks[name], self.scope, variables, node, self.slots)
        if items is not None:
            node.type, node.children = NodeType.TASK_GROUP, items
            node.phase = group_phase(items)
            node.message = "Skipped, empty params" if not items else ""
            node.finished_at = now()
            self.ctx.reporter.finished(node)
        self.done.put(name)

    def start_ready(self) -> bool:
        changed = False
        for name, task in self.tasks.items():
            if name in self.started or any(dep not in self.finished for dep in self.dependencies[name]):
                continue
            self.started.add(name)
            changed = True
            node = NodeResult(name=f"{self.node.name}.{name}", display_name=name, type=NodeType.POD)
            self.node.children.append(node)
            try:
                proceed = depends_met(depends_expression(task),
                                           lambda dep: _outcome(self.finished[dep], self.tasks[dep]))
            except DependsError as error:
                self.skip(name, node, NodePhase.ERROR, str(error))
                continue
            if not proceed:
                self.skip(name, node, NodePhase.OMITTED, "omitted: depends condition not met")
                continue
            snapshot = {**self.variables, **self.task_variables}
            threading.Thread(target=self.worker, args=(name, node, snapshot), daemon=True).start()
        return changed

    def skip(self, name: str, node: NodeResult, phase: NodePhase, message: str) -> None:
        node.type, node.phase, node.message = NodeType.SKIPPED, phase, message
        node.started_at = node.finished_at = now()
        self.ctx.reporter.finished(node)
        self.finished[name] = node

    def run(self) -> None:
        stop = False
        while True:
            while not stop and self.start_ready():
                stop = self.fail_fast and self.failed_target() is not None
            stop = stop or (self.fail_fast and self.failed_target() is not None)
            if len(self.finished) == len(self.started):
                break
            name = self.done.get()
            task_node = self.finished[name] = next(n for n in self.node.children if n.display_name == name)
            self.task_variables.update(node_variables(f"tasks.{name}", task_node, group_children(task_node)))
        failure = self.failed_target()
        if failure is not None:
            name, phase = failure
            self.node.phase, self.node.message = phase, f"child '{self.node.name}.{name}' failed"
            return
        self.node.outputs.parameters = template_outputs(self.template, {**self.variables, **self.task_variables})
        self.node.phase = NodePhase.SUCCEEDED


def run_dag(ctx: RunContext, template: dict, scope: TemplateScope, variables: dict[str, str],
            node: NodeResult) -> None:
    """Run a DAG template's tasks and set the DAG node's phase and outputs."""
    _Dag(ctx, template, scope, variables, node).run()
