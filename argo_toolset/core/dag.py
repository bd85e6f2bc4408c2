"""DAG facts: the `depends` grammar (which tasks a task waits for, whether it runs) and dependency cycles."""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||[!()])|(?P<ref>[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z]+)?))")
RESULT_NAMES = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")


class DependsError(ValueError):
    """A `depends` expression Argo would reject."""


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


def evaluate_depends(expression: str, holds: Callable[[str, str | None], bool]) -> bool:
    """Evaluate a `depends` expression once every task it names has finished.

    Args:
        expression: e.g. `A && (B.Failed || B.Errored)`; an empty expression is true.
        holds: Whether a finished task has a result (`holds("B", "Failed")`), or for a bare reference
            (`holds("A", None)`) whether it counts as done for its dependants.
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
        return holds(name, result)

    value = disjunction()
    if position != len(tokens):
        raise DependsError(f"unexpected {tokens[position]!r} in depends expression {expression!r}")
    return value


def find_cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per loop of a dependency graph (task -> the tasks it needs), e.g. [[a, b, a]]."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in edges.get(node, ()):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return cycles
