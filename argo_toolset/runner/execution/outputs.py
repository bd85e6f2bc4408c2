"""Output parameters of DAG and steps templates, gathered from their children once they finish."""

from __future__ import annotations

from argo_toolset.runner.expressions.expr import ExpressionError, evaluate_expression
from argo_toolset.runner.expressions.substitution import UnresolvedVariableError, render_value, substitute


def template_outputs(template: dict, variables: dict[str, str]) -> dict[str, str]:
    """A DAG or steps template's output parameters (`valueFrom.parameter` / `expression`, with `default`)."""
    values: dict[str, str] = {}
    for parameter in (template.get("outputs") or {}).get("parameters") or []:
        source = parameter.get("valueFrom") or {}
        try:
            if "parameter" in source:
                values[parameter["name"]] = substitute(str(source["parameter"]), variables)
            else:
                values[parameter["name"]] = evaluate_expression(str(source["expression"]), variables)
        except (UnresolvedVariableError, ExpressionError):
            if "default" not in source:
                raise
            values[parameter["name"]] = render_value(source["default"])
    return values

