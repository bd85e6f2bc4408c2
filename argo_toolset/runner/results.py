"""Typed results of a local run: one NodeResult per Argo node, one RunResult per workflow."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


class NodePhase(enum.StrEnum):
    """Argo's node phases (the subset a local run can reach)."""

    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    SKIPPED = "Skipped"
    FAILED = "Failed"
    ERROR = "Error"
    OMITTED = "Omitted"

    @property
    def failed_or_error(self) -> bool:
        return self in (NodePhase.FAILED, NodePhase.ERROR)


class NodeType(enum.StrEnum):
    """Argo's node types, as `argo get` shows them."""

    DAG = "DAG"
    STEPS = "Steps"
    STEP_GROUP = "StepGroup"
    TASK_GROUP = "TaskGroup"
    RETRY = "Retry"
    POD = "Pod"
    SKIPPED = "Skipped"


@dataclass
class NodeOutputs:
    """What a node produced: output parameters, stdout (`outputs.result`) and the exit code."""

    parameters: dict[str, str] = field(default_factory=dict)
    result: str | None = None
    exit_code: int | None = None


@dataclass
class NodeResult:
    """One node of the run, shaped like an entry of Argo's `status.nodes`.

    Attributes:
        name: Argo's full node name, e.g. `wf-abc12.score` or `wf-abc12[0].step(1:b)`.
        display_name: The short name `argo get` shows, e.g. `score`, `step(1:b)`, `[0]`.
        type: DAG, Steps, StepGroup, TaskGroup, Retry, Pod or Skipped.
        template_name: The template the node ran (empty for groups).
        phase: Running while it runs; then Succeeded, Skipped, Failed, Error or Omitted.
        message: Why it failed or was skipped, as Argo phrases it where it has a phrase.
        folder: The node's private working folder (pods only).
        inputs: The node's resolved input parameters.
    """

    name: str
    display_name: str
    type: NodeType
    template_name: str = ""
    phase: NodePhase = NodePhase.RUNNING
    message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outputs: NodeOutputs = field(default_factory=NodeOutputs)
    inputs: dict[str, str] = field(default_factory=dict)
    children: list[NodeResult] = field(default_factory=list)
    folder: Path | None = None

    @property
    def duration_seconds(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()

    def walk(self) -> Iterator[NodeResult]:
        """This node and all its descendants, depth first in start order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class RunResult:
    """The outcome of `run_workflow`: the workflow phase and every node.

    Attributes:
        workflow_name: The generated workflow name (`<template>-<5 chars>`), as Argo's generateName does.
        phase: Succeeded, Failed or Error.
        root: The entrypoint's node.
        exit_handler: The `onExit` node, when the workflow has an exit handler.
        work_dir: Where node folders and logs were written.
    """

    workflow_name: str
    phase: NodePhase
    message: str
    root: NodeResult
    exit_handler: NodeResult | None
    work_dir: Path
    parameters: dict[str, str]
    started_at: datetime
    finished_at: datetime

    @property
    def succeeded(self) -> bool:
        return self.phase is NodePhase.SUCCEEDED

    def nodes(self) -> list[NodeResult]:
        """Every node, the entrypoint's tree first, then the exit handler's."""
        trees = [self.root] + ([self.exit_handler] if self.exit_handler else [])
        return [node for tree in trees for node in tree.walk()]

    def node(self, display_name: str) -> NodeResult:
        """The one node with this display name (e.g. `score` or `fan(1:b)`).

        Raises:
            KeyError: No node, or several nodes, carry that name.
        """
        found = [node for node in self.nodes() if node.display_name == display_name]
        if len(found) != 1:
            names = sorted({node.display_name for node in self.nodes()})
            raise KeyError(f"{len(found)} nodes named {display_name!r}; nodes: {names}")
        return found[0]

    def pods(self) -> list[NodeResult]:
        """The nodes that ran a process, in the order they were created."""
        return [node for node in self.nodes() if node.type is NodeType.POD]

    def failed_steps(self) -> list[NodeResult]:
        """The steps that ran and failed (a retried step once, by its last attempt), not the DAGs around them.

        Argo names a failed DAG after a failed leaf, which may be a step that never ran because its
        dependencies failed; this lists where the failures really happened.
        """
        failed: list[NodeResult] = []

        def visit(node: NodeResult) -> None:
            if node.type in (NodeType.RETRY, NodeType.POD):
                if node.phase.failed_or_error:
                    failed.append(node)
                return
            for child in node.children:
                visit(child)

        for tree in [self.root] + ([self.exit_handler] if self.exit_handler else []):
            visit(tree)
        return failed
