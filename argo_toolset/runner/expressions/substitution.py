"""`{{...}}` substitution over template values, as Argo resolves variables and `{{= expr }}` tags."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from argo_toolset.core.variables import ARGO_ROOTS, TAG
from argo_toolset.runner.expressions.expr import ExpressionError, evaluate_expression


class UnresolvedVariableError(ValueError):
    """A `{{...}}` tag naming an Argo variable that has no value here."""


def render_value(value: Any) -> str:
    """A parameter value as Argo renders it: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Replace every `{{name}}` and `{{= expr }}` tag in one string.

    A tag whose root Argo does not own (e.g. Jinja in a SQL file) is left as written, as Argo leaves it.

    Args:
        text: The string to substitute.
        variables: Flat variable names (`inputs.parameters.ds`) to their string values.

    Raises:
        UnresolvedVariableError: An Argo variable with no value, or an expression that fails.
    """

    def replace(match: re.Match[str]) -> str:
        body = match.group(2)
        if match.group(1):
            try:
                return evaluate_expression(body, dict(variables))
            except ExpressionError as error:
                raise UnresolvedVariableError(f"failed to evaluate {match.group(0)}: {error}") from error
        if body in variables:
            return variables[body]
        if body.split(".", 1)[0] not in ARGO_ROOTS:
            return match.group(0)
        raise UnresolvedVariableError(f"failed to resolve {match.group(0)}")

    return TAG.sub(replace, text)


def substitute_tree(value: Any, variables: Mapping[str, str]) -> Any:
    """`substitute` applied to every string inside nested dicts and lists (keys are left alone)."""
    if isinstance(value, str):
        return substitute(value, variables)
    if isinstance(value, list):
        return [substitute_tree(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: substitute_tree(item, variables) for key, item in value.items()}
    return value
