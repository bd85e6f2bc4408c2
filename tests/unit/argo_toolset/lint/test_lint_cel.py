"""The CRDs' CEL rules compile and evaluate in cel-python; memoized outcomes equal full evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from argo_toolset.core.documents import WORKFLOW_KINDS
from argo_toolset.lint.cel_rules import _compile, _evaluate, evaluate_rule
from argo_toolset.lint.crd import load_crd_schema


def _rules(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= {v["rule"] for v in schema.get("x-kubernetes-validations", ())}
        for child in schema.values():
            found |= _rules(child)
    elif isinstance(schema, list):
        for child in schema:
            found |= _rules(child)
    return found


@pytest.fixture(scope="session")
def crd_rules(crd_dir: Path) -> set[str]:
    return set().union(*(_rules(load_crd_schema(crd_dir, kind)) for kind in WORKFLOW_KINDS))


def test_every_crd_rule_compiles(crd_rules: set[str]) -> None:
    assert len(crd_rules) >= 10
    assert [rule for rule in crd_rules if _compile(rule).program is None] == []


# One value that breaks and one that keeps each kind of rule Argo v4.1.2 ships (has, all, matches, contains,
# ternary sums, != on strings).
SAMPLES = [
    (
        "at most one artifact location",
        {"name": "a", "raw": {"data": "x"}, "s3": {"key": "k"}},
        {"name": "a", "raw": {}},
    ),
    (
        "real-time gauges",
        {"realtime": True, "value": "{{resourcesDuration.cpu}}"},
        {"realtime": True, "value": "{{duration}}"},
    ),
    (
        "both 'depends' and 'dependencies'",
        {"name": "a", "depends": "b", "dependencies": ["b"]},
        {"name": "a", "depends": "b"},
    ),
    ("'continueOn'", {"name": "a", "depends": "b", "continueOn": {"failed": True}}, {"name": "a", "continueOn": {}}),
    ("digit", {"name": "1a", "depends": "b"}, {"name": "a1", "depends": "b"}),
    ("count or end", {"count": "3", "end": "5"}, {"count": "3"}),
    (
        "manifest or manifestFrom",
        {"action": "create", "manifest": "x", "manifestFrom": {}},
        {"action": "create", "manifest": "x"},
    ),
    ("at most one template type", [{"name": "a", "container": {}, "script": {}}], [{"name": "a", "container": {}}]),
    (
        "timeout cannot",
        [{"name": "a", "timeout": "1m", "dag": {"tasks": []}}],
        [{"name": "a", "timeout": "", "dag": {}}],
    ),
    (
        "activeDeadlineSeconds",
        [{"name": "a", "activeDeadlineSeconds": 5, "steps": []}],
        [{"name": "a", "activeDeadlineSeconds": 5, "container": {}}],
    ),
]


def _rule_for(crd_dir: Path, message_part: str) -> str:
    matches = set()

    def walk(schema: Any) -> None:
        if isinstance(schema, dict):
            for validation in schema.get("x-kubernetes-validations", ()):
                if message_part in validation.get("message", ""):
                    matches.add(validation["rule"])
            for child in schema.values():
                walk(child)
        elif isinstance(schema, list):
            for child in schema:
                walk(child)

    for kind in WORKFLOW_KINDS:
        walk(load_crd_schema(crd_dir, kind))
    assert len(matches) == 1, (message_part, matches)
    return matches.pop()


@pytest.mark.parametrize(("message", "bad", "good"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_rule_rejects_bad_and_accepts_good(crd_dir: Path, message: str, bad: Any, good: Any) -> None:
    rule = _rule_for(crd_dir, message)
    assert evaluate_rule(rule, bad).passed is False
    assert evaluate_rule(rule, good).passed is True
    for value in (bad, good):  # the memoized, projected path agrees with evaluating the whole value
        assert evaluate_rule(rule, value) == _evaluate(_compile(rule), value)


def test_missing_field_fails_the_rule_like_kubernetes() -> None:
    outcome = evaluate_rule("self.name.startsWith('x')", {"other": 1})
    assert (outcome.passed, outcome.unsupported) == (False, False)
    assert "name" in outcome.detail


def test_a_rule_cel_python_cannot_compile_is_reported_not_passed() -> None:
    outcome = evaluate_rule("self.name.(", {"name": "x"})
    assert (outcome.passed, outcome.unsupported) == (False, True)


def test_a_function_cel_python_lacks_is_reported_not_passed() -> None:
    outcome = evaluate_rule("quantity(self.cpu).isGreaterThan(quantity('1'))", {"cpu": "2"})
    assert (outcome.passed, outcome.unsupported) == (False, True)
    assert "cannot" in outcome.detail


def test_rules_indexing_or_sizing_are_evaluated_in_full() -> None:
    assert _compile("size(self) <= 2").fields is None
    assert evaluate_rule("size(self) <= 2", {"a": 1, "b": 2, "c": 3}).passed is False
    assert evaluate_rule("self['a'] == 1", {"a": 1}).passed is True
