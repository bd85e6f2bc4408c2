"""Argo's `when` conditions: a small, safe govaluate-style evaluator (never Python eval).

Argo evaluates `when` with govaluate after substituting `{{...}}`, and turns bare words into strings, so
`heads == heads` is true without quotes. Supported: numbers, 'single' or "double" quoted strings, bare words,
`true`/`false`, parentheses, `!`, unary `-`, `* / %`, `+ -` (`+` concatenates when either side is a string),
`== != < <= > >=` (numbers, or strings compared lexically), `=~ !~` (regular expressions), `&& ||`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<bracket>\[[^\]]*\])
      | (?P<op>&&|\|\||==|!=|>=|<=|=~|!~|[<>!()+\-*/%])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)

Value = bool | float | str


class ConditionError(ValueError):
    """A `when` expression that govaluate would reject."""


@dataclass(frozen=True)
class _Token:
    kind: str
    value: Value


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConditionError(f"invalid token at {text[position:]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "number":
            tokens.append(_Token("value", float(raw)))
        elif kind == "string":
            tokens.append(_Token("value", re.sub(r"\\(.)", r"\1", raw[1:-1])))
        elif kind == "bracket":
            tokens.append(_Token("value", raw[1:-1]))
        elif kind == "word":
            # govaluate parses bare words as variables; Argo turns every variable into a string.
            tokens.append(_Token("value", {"true": True, "false": False}.get(raw, raw)))
        else:
            tokens.append(_Token("op", raw))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        if self.index < len(self.tokens) and self.tokens[self.index].kind == "op":
            return str(self.tokens[self.index].value)
        return None

    def take(self) -> _Token:
        if self.index >= len(self.tokens):
            raise ConditionError("unexpected end of expression")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def binary(self, operators: tuple[str, ...], operand) -> Value:
        left = operand()
        while self.peek() in operators:
            operator = str(self.take().value)
            left = _apply(operator, left, operand())
        return left

    def disjunction(self) -> Value:
        return self.binary(("||",), self.conjunction)

    def conjunction(self) -> Value:
        return self.binary(("&&",), self.comparison)

    def comparison(self) -> Value:
        return self.binary(("==", "!=", "<", "<=", ">", ">=", "=~", "!~"), self.additive)

    def additive(self) -> Value:
        return self.binary(("+", "-"), self.multiplicative)

    def multiplicative(self) -> Value:
        return self.binary(("*", "/", "%"), self.unary)

    def unary(self) -> Value:
        operator = self.peek()
        if operator == "!":
            self.take()
            operand = self.unary()
            if not isinstance(operand, bool):
                raise ConditionError(f"'!' needs a boolean, got {operand!r}")
            return not operand
        if operator == "-":
            self.take()
            operand = self.unary()
            if isinstance(operand, bool) or not isinstance(operand, float):
                raise ConditionError(f"unary '-' needs a number, got {operand!r}")
            return -operand
        return self.primary()

    def primary(self) -> Value:
        token = self.take()
        if token.kind == "value":
            return token.value
        if token.value == "(":
            value = self.disjunction()
            if self.peek() != ")":
                raise ConditionError("missing ')'")
            self.take()
            return value
        raise ConditionError(f"unexpected {token.value!r}")


def _number(value: Value, operator: str) -> float:
    if isinstance(value, bool) or not isinstance(value, float):
        raise ConditionError(f"'{operator}' needs numbers, got {value!r}")
    return value


def _format(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def _apply(operator: str, left: Value, right: Value) -> Value:
    if operator in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise ConditionError(f"'{operator}' needs booleans, got {left!r} and {right!r}")
        return (left and right) if operator == "&&" else (left or right)
    if operator == "==":
        return type(left) is type(right) and left == right
    if operator == "!=":
        return not (type(left) is type(right) and left == right)
    if operator in ("=~", "!~"):
        if not isinstance(left, str) or not isinstance(right, str):
            raise ConditionError(f"'{operator}' needs strings, got {left!r} and {right!r}")
        found = re.search(right, left) is not None
        return found if operator == "=~" else not found
    if operator in ("<", "<=", ">", ">="):
        if isinstance(left, str) and isinstance(right, str):
            pair: tuple = (left, right)
        else:
            pair = (_number(left, operator), _number(right, operator))
        return {"<": pair[0] < pair[1], "<=": pair[0] <= pair[1],
                ">": pair[0] > pair[1], ">=": pair[0] >= pair[1]}[operator]
    if operator == "+" and (isinstance(left, str) or isinstance(right, str)):
        return _format(left) + _format(right)
    a, b = _number(left, operator), _number(right, operator)
    if operator in ("/", "%") and b == 0:
        raise ConditionError("division by zero")
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0, "%": a % b if b else 0.0}[operator]


def evaluate_when(expression: str) -> bool:
    """Evaluate a substituted `when` expression.

    Args:
        expression: The condition after `{{...}}` substitution, e.g. `heads == heads` or `5 > 3 && !false`.

    Returns:
        True when the step should run; an empty expression is true.

    Raises:
        ConditionError: Invalid syntax, a type mismatch, or a result that is not a boolean.
    """
    if not expression.strip():
        return True
    parser = _Parser(_tokenize(expression))
    value = parser.disjunction()
    if parser.index != len(parser.tokens):
        raise ConditionError(f"unexpected {parser.tokens[parser.index].value!r} in {expression!r}")
    if not isinstance(value, bool):
        raise ConditionError(f"expected boolean evaluation for {expression!r}, got {_format(value)!r}")
    return value
