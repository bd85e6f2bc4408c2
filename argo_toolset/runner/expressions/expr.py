"""`{{= expr }}` tags: a small, safe evaluator for the expr-lang subset Argo users write (never Python eval).

Supported: literals (numbers, 'strings', "strings", true, false, nil), names and member access
(`inputs.parameters.ds`, `inputs.parameters['model-uri']`), calls of the functions in FUNCTIONS,
`! not - + * / %`, comparisons, `&& and || or`, `cond ? a : b` and `a ?? b`. sprig's date functions use
Go layouts and treat the controller's local zone as UTC (Argo's controller runs in UTC).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argo_toolset.core.variables import expr_lexemes
from argo_toolset.runner.expressions.godates import format_time, parse_duration, parse_time

_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated."""


def _as_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    raise ExpressionError(f"expected a date, got {value!r}")


def _zone(name: str):
    try:
        return UTC if name in ("", "UTC", "Local") else ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC  # sprig falls back to UTC for an unknown zone


def _date_modify(duration: str, moment: Any) -> datetime:
    try:
        return _as_time(moment) + parse_duration(duration)
    except ValueError:
        return _as_time(moment)  # sprig returns the date unchanged when the duration does not parse


def _to_date(layout: str, text: str) -> datetime:
    try:
        return parse_time(layout, str(text))
    except ValueError:
        return datetime(1, 1, 1, tzinfo=UTC)  # sprig's toDate yields Go's zero time on a parse error


def _as_number(cast: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return cast(value) if cast is float else int(float(value)) if isinstance(value, str) else int(value)
        except (TypeError, ValueError) as error:
            raise ExpressionError(f"cannot convert {value!r} to {cast.__name__}") from error

    return convert


def _string(value: Any) -> str:
    if isinstance(value, datetime):
        return format_time("2006-01-02 15:04:05.999999999 -0700 MST", value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sprig.toDate": _to_date,
    "sprig.dateModify": _date_modify,
    "sprig.date": lambda layout, moment: format_time(layout, _as_time(moment).astimezone(UTC)),
    "sprig.dateInZone": lambda layout, moment, zone: format_time(layout, _as_time(moment).astimezone(_zone(zone))),
    "sprig.now": lambda: datetime.now(UTC),
    "sprig.trim": lambda text: str(text).strip(),
    "sprig.upper": lambda text: str(text).upper(),
    "sprig.lower": lambda text: str(text).lower(),
    "sprig.replace": lambda old, new, text: str(text).replace(old, new),
    "sprig.toString": _string,
    "sprig.int": _as_number(int),
    "sprig.atoi": _as_number(int),
    "asInt": _as_number(int),
    "asFloat": _as_number(float),
    "int": _as_number(int),
    "float": _as_number(float),
    "string": _string,
    "toJson": lambda value: json.dumps(value, separators=(",", ":")),
    "len": lambda value: len(value),
    "trim": lambda text: str(text).strip(),
    "upper": lambda text: str(text).upper(),
    "lower": lambda text: str(text).lower(),
}


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    for kind, raw, start in expr_lexemes(text):
        if kind == "unknown":
            raise ExpressionError(f"cannot parse expression {text!r} at {text[start:]!r}")
        if kind == "number":
            tokens.append(("value", float(raw) if "." in raw else int(raw)))
        elif kind == "string":
            body = raw[1:-1]
            if raw[0] != "`":
                body = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)
            tokens.append(("value", body))
        elif kind == "name":
            keywords = {"true": ("value", True), "false": ("value", False), "nil": ("value", None),
                        "and": ("op", "&&"), "or": ("op", "||"), "not": ("op", "!")}
            tokens.append(keywords.get(raw, ("name", raw)))
        else:
            tokens.append(("op", raw))
    return tokens


def called_functions(expression: str) -> list[str]:
    """Dotted names called in an expression (e.g. `sprig.toDate`), to refuse unknown ones before a run."""
    tokens = _tokenize(expression)
    called, chain = [], []
    for index, (kind, value) in enumerate(tokens):
        if kind == "name":
            chain.append(value)
        elif kind == "op" and value == "." and chain:
            continue
        elif kind == "op" and value == "(" and chain and tokens[index - 1][0] == "name":
            called.append(".".join(chain))
            chain = []
        else:
            chain = []
    return called


class _Evaluator:
    def __init__(self, tokens: list[tuple[str, Any]], env: dict[str, Any]):
        self.tokens, self.env, self.index = tokens, env, 0

    def peek(self) -> Any:
        return self.tokens[self.index][1] if self.index < len(self.tokens) and \
            self.tokens[self.index][0] == "op" else None

    def take(self) -> tuple[str, Any]:
        if self.index >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        self.index += 1
        return self.tokens[self.index - 1]

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise ExpressionError(f"expected {op!r}")

    def ternary(self) -> Any:
        condition = self.coalesce()
        if self.peek() == "?":
            self.take()
            yes = self.ternary()
            self.expect(":")
            no = self.ternary()
            return yes if condition else no
        return condition

    def coalesce(self) -> Any:
        value = self.disjunction()
        while self.peek() == "??":
            self.take()
            other = self.disjunction()
            value = other if value is None else value
        return value

    def _binary(self, operators: tuple[str, ...], operand: Callable[[], Any]) -> Any:
        left = operand()
        while self.peek() in operators:
            operator = self.take()[1]
            left = _apply(operator, left, operand())
        return left

    def disjunction(self) -> Any:
        return self._binary(("||",), self.conjunction)

    def conjunction(self) -> Any:
        return self._binary(("&&",), self.comparison)

    def comparison(self) -> Any:
        return self._binary(("==", "!=", "<", "<=", ">", ">="), self.additive)

    def additive(self) -> Any:
        return self._binary(("+", "-"), self.multiplicative)

    def multiplicative(self) -> Any:
        return self._binary(("*", "/", "%"), self.unary)

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not _truth(self.unary())
        if self.peek() == "-":
            self.take()
            return _apply("-", 0, self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        kind, value = self.take()
        path: list[str] = []
        if kind == "op" and value == "(":
            value = self.ternary()
            self.expect(")")
        elif kind == "name":
            path = [value]
            while self.peek() == "." and self.index + 1 < len(self.tokens) and self.tokens[self.index + 1][0] == "name":
                self.take()
                path.append(self.take()[1])
            if self.peek() == "(":
                return self.call(".".join(path))
            value = self.lookup(path)
        elif kind != "value":
            raise ExpressionError(f"unexpected {value!r}")
        while self.peek() in ("[", "."):
            if self.take()[1] == "[":
                key = self.ternary()
                self.expect("]")
            else:
                key = self.take()[1]
            value = _member(value, key, path)
            path.append(str(key))
        return value

    def call(self, name: str) -> Any:
        function = FUNCTIONS.get(name)
        if function is None:
            raise ExpressionError(f"unsupported function {name}(); supported: {', '.join(sorted(FUNCTIONS))}")
        self.expect("(")
        arguments = []
        while self.peek() != ")":
            arguments.append(self.ternary())
            if self.peek() == ",":
                self.take()
        self.expect(")")
        try:
            return function(*arguments)
        except TypeError as error:
            raise ExpressionError(f"{name}(): {error}") from error

    def lookup(self, path: list[str]) -> Any:
        value: Any = self.env
        for depth, key in enumerate(path):
            if not isinstance(value, dict) or key not in value:
                raise ExpressionError(f"unknown name {'.'.join(path[: depth + 1])!r}")
            value = value[key]
        return value


def _member(value: Any, key: Any, path: list[str]) -> Any:
    if isinstance(value, dict) and key in value:
        return value[key]
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    raise ExpressionError(f"unknown name {'.'.join(path + [str(key)])!r}")


def _truth(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ExpressionError(f"expected a boolean, got {value!r}")
    return value


def _apply(operator: str, left: Any, right: Any) -> Any:
    if operator in ("&&", "||"):
        return (_truth(left) and _truth(right)) if operator == "&&" else (_truth(left) or _truth(right))
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    try:
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        if operator == "/":
            return left / right
        if operator == "%":
            return left % right
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator]
    except (TypeError, ZeroDivisionError) as error:
        raise ExpressionError(f"cannot apply {operator!r} to {left!r} and {right!r}") from error


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Turn `{"inputs.parameters.ds": v}` into `{"inputs": {"parameters": {"ds": v}}}`, as Argo's expr env does."""
    nested: dict[str, Any] = {}
    for key in sorted(flat, key=lambda k: k.count(".")):
        parts = key.split(".")
        target = nested
        for part in parts[:-1]:
            existing = target.get(part)
            if not isinstance(existing, dict):
                existing = {}
                target[part] = existing
            target = existing
        if not isinstance(target.get(parts[-1]), dict):
            target[parts[-1]] = flat[key]
    return nested


def evaluate_condition(expression: str, variables: dict[str, Any]) -> bool:
    """Evaluate a bare expr-lang condition (e.g. `retryStrategy.expression`) that must yield a boolean.

    Raises:
        ExpressionError: Syntax errors, unknown names or functions, or a result that is not a boolean.
    """
    evaluator = _Evaluator(_tokenize(expression), nest(variables))
    value = evaluator.ternary()
    if evaluator.index != len(evaluator.tokens):
        raise ExpressionError(f"unexpected {evaluator.tokens[evaluator.index][1]!r} in {expression!r}")
    return _truth(value)


def evaluate_expression(expression: str, variables: dict[str, Any]) -> str:
    """Evaluate an expr tag body against flat variables and render the result as Argo does.

    Args:
        expression: The text between `{{=` and `}}`.
        variables: Flat variable names (`inputs.parameters.ds`) to values.

    Raises:
        ExpressionError: Syntax errors, unknown names or functions, type mismatches.
    """
    evaluator = _Evaluator(_tokenize(expression), nest(variables))
    value = evaluator.ternary()
    if evaluator.index != len(evaluator.tokens):
        raise ExpressionError(f"unexpected {evaluator.tokens[evaluator.index][1]!r} in {expression!r}")
    return _string(value)
