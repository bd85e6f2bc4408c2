"""The Argo core's variable roots and DAG facts, and that the linter and the runner read tags the same way."""

from __future__ import annotations

import pytest

from argo_toolset.core.dag import DependsError, evaluate_depends, find_cycles, referenced_tasks
from argo_toolset.core.variables import ARGO_ROOTS
from argo_toolset.lint.variable_rules import Scope, resolve
from argo_toolset.runner.expressions.substitution import UnresolvedVariableError, substitute


@pytest.mark.parametrize("tag", ["{{ jinja }}", "{{ds}}", "{{ dt | default }}", "{{sql.var}}"])
def test_a_custom_tag_passes_the_linter_and_the_runner_leaves_it_as_written(tag):
    segments = tuple(tag.strip("{} ").split("."))

    assert segments[0] not in ARGO_ROOTS
    assert resolve(segments, Scope(arguments=frozenset(), kind="Workflow")) is None
    assert substitute(tag, {}) == tag


@pytest.mark.parametrize("root", sorted(ARGO_ROOTS - {"item", "tasks", "steps"}))
def test_an_argo_root_without_a_value_is_refused_by_the_runner(root):
    with pytest.raises(UnresolvedVariableError, match="failed to resolve"):
        substitute(f"{{{{{root}.missing}}}}", {})


def test_a_near_miss_of_an_argo_root_is_reported_by_the_linter():
    problem = resolve(("input", "parameters", "ds"), Scope(arguments=frozenset(), kind="Workflow"))

    assert problem == "'input' is not an Argo variable root; did you mean 'inputs'?"


def test_depends_grammar_names_tasks_and_evaluates_with_any_outcome_reader():
    expression = "(a || b.Failed) && !c-d.Skipped"
    outcomes = {("a", None): False, ("b", "Failed"): True, ("c-d", "Skipped"): False}

    assert referenced_tasks(expression) == ["a", "b", "c-d"]
    assert evaluate_depends(expression, lambda name, result: outcomes[(name, result)]) is True
    with pytest.raises(DependsError, match="unknown task result 'b.Done'"):
        referenced_tasks("a && b.Done")


def test_find_cycles_reports_each_loop_once():
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": [], "b": ["a"]}) == []
