"""CEL rules of the CRDs (x-kubernetes-validations) evaluated with cel-python, each compiled once.

cel-python walks a parse tree at every evaluation (slow next to compiled CEL), and Argo's rules run on every
artifact, task and template list, so outcomes are memoized. The memo key is the value projected onto the field
names the rule mentions; that projection cannot change the outcome for rules that only read named fields (no
indexing, no size(), macros only over a list `self`), which is checked per rule; other rules are evaluated in full.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import celpy
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, CELSyntaxError, CELUnsupportedError

_ENVIRONMENT = celpy.Environment()
_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_MEMBER = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_MACRO_TARGET = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*(all|exists|exists_one|map|filter)\s*\(")


@dataclass(frozen=True)
class CelOutcome:
    """What one rule said about one value.

    Attributes:
        passed: True when the rule held.
        unsupported: True when cel-python could not compile or evaluate the rule (then `passed` is False and
            `detail` says why): such a rule is reported, never passed silently.
        detail: the evaluation error, if any.
    """

    passed: bool
    unsupported: bool = False
    detail: str = ""


@dataclass(frozen=True)
class _CompiledRule:
    """A compiled rule and, when projection is safe for it, the field names it reads."""

    program: celpy.Runner | None
    error: str
    fields: frozenset[str] | None
    iterates_self: bool


@functools.cache
def _compile(rule: str) -> _CompiledRule:
    try:
        program = _ENVIRONMENT.program(_ENVIRONMENT.compile(rule))
    except (CELParseError, CELSyntaxError, CELUnsupportedError, CELEvalError) as error:
        return _CompiledRule(None, f"cel-python cannot compile it: {error}", None, False)
    code = _STRING_LITERAL.sub("''", rule)
    macro_targets = {match.group(1) for match in _MACRO_TARGET.finditer(code)}
    projectable = "[" not in code and "size(" not in code and macro_targets <= {"self"}
    fields = frozenset(_MEMBER.findall(code)) if projectable else None
    return _CompiledRule(program, "", fields, bool(macro_targets))


def _project(value: Any, fields: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {key: _project(child, fields) for key, child in value.items() if key in fields}
    if isinstance(value, list):
        return [_project(child, fields) for child in value]
    return value


@functools.lru_cache(maxsize=65536)
def _evaluate_memoized(rule: str, projected_json: str) -> CelOutcome:
    return _evaluate(_compile(rule), json.loads(projected_json))


def _evaluate(compiled: _CompiledRule, value: Any) -> CelOutcome:
    assert compiled.program is not None
    try:
        result = compiled.program.evaluate({"self": celpy.json_to_cel(value)})
    except CELEvalError as error:
        reason = str(error.args[0]) if error.args else str(error)
        if "no such" in reason:
            return CelOutcome(passed=False, detail=reason)
        return CelOutcome(passed=False, unsupported=True, detail=f"cel-python cannot evaluate it: {reason}")
    if isinstance(result, CELEvalError):
        return CelOutcome(passed=False, unsupported=True, detail=f"cel-python cannot evaluate it: {result}")
    if not isinstance(result, celpy.celtypes.BoolType):
        return CelOutcome(passed=False, unsupported=True, detail=f"the rule returned {result!r}, not a bool")
    return CelOutcome(passed=bool(result))


def evaluate_rule(rule: str, value: Any) -> CelOutcome:
    """Evaluate a CEL rule with `self` bound to a JSON-like value (`oldSelf` is absent: no update here).

    A missing field read without `has()` is an error in Kubernetes too, so it fails the rule; any other
    evaluation error means cel-python lacks something the rule needs and is reported as unsupported.
    """
    compiled = _compile(rule)
    if compiled.program is None:
        return CelOutcome(passed=False, unsupported=True, detail=compiled.error)
    if compiled.fields is None or (compiled.iterates_self and not isinstance(value, list)):
        return _evaluate(compiled, value)
    projected = json.dumps(_project(value, compiled.fields), sort_keys=True, default=str)
    return _evaluate_memoized(rule, projected)
