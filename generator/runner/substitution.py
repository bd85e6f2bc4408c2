"""`{{...}}` substitution over template values, as Argo resolves variables and `{{= expr }}` tags."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from generator.runner.expressions import ExpressionError, evaluate_expression

TAG = re.compile(r"\{\{(=)?\s*(.*?)\s*\}\}", re.DOTALL)
# Variables Argo owns: an unresolved one of these is an error; any other `{{...}}` (e.g. Jinja in a SQL file)
# is left as it is, as Argo's own substitution allows unresolved tags.
ARGO_ROOTS = frozenset({"inputs", "outputs", "workflow", "tasks", "steps", "item", "pod", "node", "retries",
                        "lastRetry", "cronworkflow"})
_EXPRESSION_NAMES = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)")


class UnresolvedVariableError(ValueError):
    """A `{{...}}` tag naming an Argo variable that has no value here."""


def render_value(value: Any) -> str:
    """A parameter value as Argo renders it: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def substitute(text: str, variables: Mapping[str, str], deferred: Iterable[str] = ()) -> str:
    """Replace every `{{name}}` and `{{= expr }}` tag in one string.

    Args:
        text: The string to substitute.
        variables: Flat variable names (`inputs.parameters.ds`) to their string values.
        deferred: Variable roots (e.g. `tasks`, `item`) resolved later; their tags are left untouched now.

    Raises:
        UnresolvedVariableError: An Argo variable with no value, or an expression that fails.
    """
    deferred = frozenset(deferred)

    def replace(match: re.Match[str]) -> str:
        body = match.group(2)
        if match.group(1):
            names = set(_EXPRESSION_NAMES.findall(body))
            if names & deferred:
                return match.group(0)
            try:
                return evaluate_expression(body, dict(variables))
            except ExpressionError as error:
                raise UnresolvedVariableError(f"failed to evaluate {match.group(0)}: {error}") from error
        if body in variables:
            return variables[body]
        root = body.split(".", 1)[0]
        if root in deferred or root not in ARGO_ROOTS:
            return match.group(0)
        raise UnresolvedVariableError(f"failed to resolve {match.group(0)}")

    return TAG.sub(replace, text)


def substitute_tree(value: Any, variables: Mapping[str, str], deferred: Iterable[str] = ()) -> Any:
    """`substitute` applied to every string inside nested dicts and lists (keys are left alone)."""
    deferred = tuple(deferred)
    if isinstance(value, str):
        return substitute(value, variables, deferred)
    if isinstance(value, list):
        return [substitute_tree(item, variables, deferred) for item in value]
    if isinstance(value, dict):
        return {key: substitute_tree(item, variables, deferred) for key, item in value.items()}
    return value
