"""DAG `depends` logic: which tasks a task waits for, and whether it runs once they are done."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.runner.results import NodePhase

_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||[!()])|(?P<ref>[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z]+)?))")
RESULT_NAMES = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")


class DependsError(ValueError):
    """A `depends` expression Argo would reject."""


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


def depends_expression(task: dict) -> str:
    """The task's `depends`, or its legacy `dependencies` list joined with `&&`."""
    if task.get("depends"):
        return str(task["depends"])
    return " && ".join(task.get("dependencies") or [])


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if match is None:
            raise DependsError(f"invalid depends expression {expression!r} at {expression[position:]!r}")
        tokens.append(match.group("op") or match.group("ref"))
        position = match.end()
    return tokens


def _split_reference(token: str) -> tuple[str, str | None]:
    name, _, result = token.partition(".")
    if result and result not in RESULT_NAMES:
        raise DependsError(f"unknown task result {token!r}; allowed: {', '.join(RESULT_NAMES)}")
    return name, result or None


def referenced_tasks(expression: str) -> list[str]:
    """The task names an expression refers to, in order of first appearance."""
    names: list[str] = []
    for token in _tokens(expression):
        if token not in ("&&", "||", "!", "(", ")"):
            name, _ = _split_reference(token)
            if name not in names:
                names.append(name)
    return names


def evaluate_depends(expression: str, outcome_of: Callable[[str], TaskOutcome]) -> bool:
    """Evaluate a `depends` expression once every task it names has finished.

    Args:
        expression: e.g. `A && (B.Failed || B.Errored)`; an empty expression is true.
        outcome_of: Looks up a finished dependency by task name.
    """
    tokens = _tokens(expression)
    if not tokens:
        return True
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        if position >= len(tokens):
            raise DependsError(f"unexpected end of depends expression {expression!r}")
        position += 1
        return tokens[position - 1]

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "||":
            take()
            value = conjunction() or value
        return value

    def conjunction() -> bool:
        value = negation()
        while peek() == "&&":
            take()
            value = negation() and value
        return value

    def negation() -> bool:
        if peek() == "!":
            take()
            return not negation()
        token = take()
        if token == "(":
            value = disjunction()
            if take() != ")":
                raise DependsError(f"missing ')' in depends expression {expression!r}")
            return value
        if token in ("&&", "||", ")"):
            raise DependsError(f"unexpected {token!r} in depends expression {expression!r}")
        name, result = _split_reference(token)
        outcome = outcome_of(name)
        return outcome.bare() if result is None else outcome.result(result)

    value = disjunction()
    if position != len(tokens):
        raise DependsError(f"unexpected {tokens[position]!r} in depends expression {expression!r}")
    return value
