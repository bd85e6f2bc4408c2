"""Whether a DAG task may run: a finished dependency's outcome as Argo's `depends` results read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from argo_toolset.core.dag import evaluate_depends
from argo_toolset.runner.results import NodePhase


@dataclass(frozen=True)
class TaskOutcome:
    """What a finished dependency looks like to `depends`.

    Attributes:
        phase: The task node's phase (a fanned-out task: its TaskGroup's phase).
        child_phases: The phases of a fanned-out task's children (empty otherwise).
        continue_on_failed / continue_on_error: the dependency's `continueOn`, which widens a bare reference.
    """

    phase: NodePhase
    child_phases: tuple[NodePhase, ...] = ()
    continue_on_failed: bool = False
    continue_on_error: bool = False

    def result(self, name: str) -> bool:
        if name == "AnySucceeded":
            return any(phase is NodePhase.SUCCEEDED for phase in self.child_phases)
        if name == "AllFailed":
            return bool(self.child_phases) and all(phase is NodePhase.FAILED for phase in self.child_phases)
        if name == "Daemoned":
            return False
        phase = {"Errored": NodePhase.ERROR}.get(name) or NodePhase(name)
        return self.phase is phase

    def bare(self) -> bool:
        """A bare `task` means `task.Succeeded || task.Skipped || task.Daemoned` (+ what continueOn allows)."""
        ok = self.phase in (NodePhase.SUCCEEDED, NodePhase.SKIPPED)
        return (ok or (self.continue_on_failed and self.phase is NodePhase.FAILED)
                or (self.continue_on_error and self.phase is NodePhase.ERROR))


def depends_met(expression: str, outcome_of: Callable[[str], TaskOutcome]) -> bool:
    """Whether a task's `depends` holds once every task it names has finished (looked up by `outcome_of`)."""

    def holds(name: str, result: str | None) -> bool:
        outcome = outcome_of(name)
        return outcome.bare() if result is None else outcome.result(result)

    return evaluate_depends(expression, holds)
