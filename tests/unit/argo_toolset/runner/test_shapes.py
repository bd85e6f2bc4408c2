"""Workflows in the shapes Argo users write, each checked against what Argo would do (phases, outputs, order)."""

from __future__ import annotations

import json
import re

import pytest

from argo_toolset.runner import NodePhase, NodeType


def test_diamond_dag_runs_b_and_c_after_a_and_d_after_both(local_run):
    result = local_run("diamond.yaml", parameters={"start": "21"})

    assert result.phase is NodePhase.SUCCEEDED
    assert result.root.type is NodeType.DAG
    assert [child.display_name for child in result.root.children][0] == "A"
    assert {n.display_name: n.phase for n in result.pods()} == {name: NodePhase.SUCCEEDED for name in "ABCD"}
    # Argo trims one trailing newline from output files and stdout; B doubles A's parameter, C its stdout.
    assert result.node("A").outputs.parameters == {"n": "21"}
    assert result.node("B").outputs.parameters == {"n": "42"}
    assert result.node("C").outputs.result == "42"
    assert result.node("D").outputs.result == "42+42"
    assert result.node("D").inputs == {"left": "42", "right": "42"}
    # Order as the DAG demands: B and C start after A finished; D after both.
    a, b, c, d = (result.node(name) for name in "ABCD")
    assert a.finished_at <= b.started_at and a.finished_at <= c.started_at
    assert max(b.finished_at, c.finished_at) <= d.started_at
    # Argo's node names: <workflow>.<task>
    assert d.name == f"{result.workflow_name}.D"


def test_steps_run_group_after_group_and_steps_of_a_group_together(local_run):
    result = local_run("steps.yaml")

    assert result.phase is NodePhase.SUCCEEDED
    groups = result.root.children
    assert [g.display_name for g in groups] == ["[0]", "[1]", "[2]"]
    assert all(g.type is NodeType.STEP_GROUP and g.phase is NodePhase.SUCCEEDED for g in groups)
    assert [c.display_name for c in groups[1].children] == ["left", "right"]
    assert result.node("last").outputs.result == "hello-left+hello-right"
    spans = local_run.intervals()
    # Group [1] starts after group [0] ended and [2] after both steps of [1]; left and right overlap.
    assert spans["hello"][1] <= min(spans["hello-left"][0], spans["hello-right"][0])
    assert max(spans["hello-left"][1], spans["hello-right"][1]) <= spans["hello-left+hello-right"][0]
    assert local_run.max_concurrency([spans["hello-left"], spans["hello-right"]]) == 2


def test_loops_over_items_and_over_a_previous_tasks_output(local_run):
    result = local_run("loops.yaml")

    assert result.phase is NodePhase.SUCCEEDED
    items = result.node("items")
    assert items.type is NodeType.TASK_GROUP
    # Argo names expanded nodes name(index:item) and renders lists and objects as JSON for {{item}}.
    assert [c.display_name for c in items.children] == [
        "items(0:apple)", "items(1:7)", "items(2:[1 2])", "items(3:os:debian,version:12)"]
    assert [c.outputs.result for c in items.children] == ["apple", "7", "[1,2]", '{"os":"debian","version":12}']
    assert [c.outputs.result for c in result.node("objects").children] == ["debian/12", "alpine/3.20"]
    square = result.node("square")
    assert [c.inputs["n"] for c in square.children] == ["1", "2", "3"]
    # A fanned-out task's output parameter is the JSON list of its children's values: as strings unless every value
    # is a JSON object or array (Argo's aggregatedJSONValueList; tests/cluster/test_differential.py holds run-local
    # to the controller on Argo's parameter-aggregation examples).
    assert json.loads(result.node("total").outputs.result) == ["1", "4", "9"]


def test_when_conditions_skip_steps_as_argo_does(local_run):
    heads = local_run("conditionals.yaml", "coinflip", work="heads")
    assert heads.phase is NodePhase.SUCCEEDED
    assert heads.node("heads").phase is NodePhase.SUCCEEDED
    tails = heads.node("tails")
    assert (tails.phase, tails.type) == (NodePhase.SKIPPED, NodeType.SKIPPED)
    assert tails.message == "when 'heads == tails' evaluated false"
    assert heads.node("big").phase is NodePhase.SUCCEEDED

    flipped = local_run("conditionals.yaml", "coinflip", work="tails", parameters={"side": "tails"})
    assert flipped.node("heads").phase is NodePhase.SKIPPED
    assert flipped.node("tails").outputs.result == "it was tails"


def test_error_handler_on_failed_dependency_lets_the_dag_succeed(local_run):
    result = local_run("conditionals.yaml", "error-handler")

    phases = {node.display_name: node.phase for node in result.root.children}
    assert phases == {"work": NodePhase.FAILED, "cleanup": NodePhase.SUCCEEDED,
                      "celebrate": NodePhase.OMITTED, "report": NodePhase.SUCCEEDED}
    assert result.node("celebrate").message == "omitted: depends condition not met"
    # Argo judges the DAG by its leaf task (report), which succeeded: the failure was handled.
    assert result.phase is NodePhase.SUCCEEDED


def test_bare_dependency_on_a_failed_task_is_omitted_and_fails_the_dag(local_run):
    result = local_run("conditionals.yaml", "omitted-after-failure")

    assert result.node("work").phase is NodePhase.FAILED
    assert result.node("work").message == "Error (exit code 3)"
    assert result.node("next").phase is NodePhase.OMITTED
    assert result.node("independent").phase is NodePhase.SUCCEEDED  # failFast: false lets it finish
    # The omitted leaf inherits its failed parent's phase (Argo's assessDAGPhase).
    assert result.phase is NodePhase.FAILED


def test_retry_succeeds_on_the_second_attempt(local_run):
    result = local_run("retries.yaml", "flaky", backoff_scale=0.01)

    assert result.phase is NodePhase.SUCCEEDED
    retry = result.root
    assert retry.type is NodeType.RETRY
    assert [(c.display_name, c.phase) for c in retry.children] == [
        (f"{result.workflow_name}(0)", NodePhase.FAILED), (f"{result.workflow_name}(1)", NodePhase.SUCCEEDED)]
    assert (local_run.records / "count").read_text().strip() == "2"
    assert retry.outputs.parameters == {"attempt": "1"}  # {{retries}} of the attempt that succeeded
    # The first backoff (2s) is announced, scaled by --backoff-scale.
    assert any("retrying in 0.0s" in line and "backoff 2.0s x scale 0.01" in line for line in local_run.lines)


def test_retry_gives_up_after_limit_plus_one_attempts(local_run):
    result = local_run("retries.yaml", "hopeless")

    assert result.phase is NodePhase.FAILED
    assert len(result.root.children) == 3
    assert (local_run.records / "tries").read_text().count("x") == 3


def test_retry_policy_on_error_does_not_retry_a_failure(local_run):
    result = local_run("retries.yaml", "on-error-only")

    assert result.phase is NodePhase.FAILED
    assert len(result.root.children) == 1
    assert (local_run.records / "tries").read_text().count("x") == 1


def test_exit_handler_runs_after_a_failure_and_sees_status_and_failures(local_run):
    result = local_run("exit_handler.yaml")

    assert result.phase is NodePhase.FAILED
    assert result.node("work").phase is NodePhase.FAILED
    assert [g.display_name for g in result.root.children] == ["[0]"]  # the next group never starts
    assert result.exit_handler is not None and result.exit_handler.phase is NodePhase.SUCCEEDED
    assert result.exit_handler.name == f"{result.workflow_name}.onExit"
    assert (local_run.records / "status").read_text() == "Failed"
    failures = json.loads((local_run.records / "failures").read_text())
    failed_pod = next(f for f in failures if f["displayName"] == "work")
    assert failed_pod["phase"] == "Failed" and failed_pod["message"] == "Error (exit code 1)"
    assert failed_pod["templateName"] == "work"
    assert float((local_run.records / "duration").read_text()) >= 0


def test_exit_handler_after_success_sees_succeeded(local_run):
    result = local_run("exit_handler.yaml", parameters={"code": "0"})

    assert result.phase is NodePhase.SUCCEEDED
    assert (local_run.records / "status").read_text() == "Succeeded"
    assert json.loads((local_run.records / "failures").read_text()) == []


def test_template_parallelism_bounds_the_fan_out(local_run):
    result = local_run("parallelism.yaml", "bounded-fanout")

    assert result.phase is NodePhase.SUCCEEDED
    assert len(result.node("work").children) == 6
    spans = local_run.intervals()
    assert len(spans) == 6
    assert local_run.max_concurrency(list(spans.values())) == 2


def test_workflow_parallelism_bounds_all_pods(local_run):
    result = local_run("parallelism.yaml", "one-pod-at-a-time")

    assert result.phase is NodePhase.SUCCEEDED
    spans = local_run.intervals()
    assert sorted(spans) == ["a", "b", "c"]
    assert local_run.max_concurrency(list(spans.values())) == 1


def test_template_ref_into_another_workflow_template_one_date_per_lane(local_run):
    result = local_run("template_ref.yaml", "caller")

    assert result.phase is NodePhase.SUCCEEDED
    days = [n for n in result.nodes() if n.display_name.startswith("day(")]
    assert [n.template_name for n in days] == ["pipeline"] * 3
    greets = {n.inputs["ds"]: n.outputs.parameters["greeting"] for n in result.nodes() if n.display_name == "greet"}
    assert greets == {d: f"hello {d}" for d in ("2024-01-01", "2024-01-02", "2024-01-03")}
    assert {n.outputs.parameters["greeting"] for n in days} == set(greets.values())  # DAG outputs
    spans = local_run.intervals()
    # Lane parallelism 1: the first lane's two dates run one after the other.
    assert spans["2024-01-01"][1] <= spans["2024-01-03"][0]


def test_workflow_template_ref_merges_the_submitted_arguments(local_run):
    result = local_run("template_ref.yaml", "Workflow/submitted")

    assert result.phase is NodePhase.SUCCEEDED
    assert result.parameters == {"lanes": '[["2030-12-31"]]'}
    assert [n.inputs["ds"] for n in result.nodes() if n.display_name == "greet"] == ["2030-12-31"]


def test_deadline_kills_a_step_that_runs_too_long(local_run):
    result = local_run("deadline.yaml")

    assert result.phase is NodePhase.FAILED
    assert result.root.message == "Pod was active on the node longer than the specified deadline"
    assert result.root.outputs.result == "started"
    assert not (local_run.records / "not-killed").exists()


def test_retry_expression_stops_at_the_permanent_exit_code(local_run):
    result = local_run("retries.yaml", "by-exit-code", parameters={"code": "2"})

    assert result.phase is NodePhase.FAILED
    assert [child.outputs.exit_code for child in result.root.children] == [2]
    assert (local_run.records / "tries").read_text().count("x") == 1
    assert result.root.message == "Error (exit code 2) (retryStrategy.expression evaluated to false)"


def test_retry_expression_retries_any_other_exit_code(local_run):
    result = local_run("retries.yaml", "by-exit-code", parameters={"code": "1"})

    assert result.phase is NodePhase.SUCCEEDED
    assert [child.phase for child in result.root.children] == [NodePhase.FAILED, NodePhase.FAILED,
                                                               NodePhase.SUCCEEDED]


@pytest.mark.parametrize(("template", "attempts"), [("lost-pod-always", 2), ("lost-pod-on-failure", 1)])
def test_error_phase_without_exit_code_is_retried_by_always_not_by_on_failure(local_run, template, attempts):
    result = local_run("retries.yaml", template)

    assert result.phase is NodePhase.ERROR
    assert [child.phase for child in result.root.children] == [NodePhase.ERROR] * attempts


@pytest.mark.parametrize(("pattern", "attempts"), [(None, 1), ("exit code 1", 2)])
def test_on_transient_error_retries_only_messages_argo_deems_transient(local_run, monkeypatch, pattern, attempts):
    # Argo's controller reads TRANSIENT_ERROR_PATTERN from its own environment; run-local from the runner's.
    if pattern is None:
        monkeypatch.delenv("TRANSIENT_ERROR_PATTERN", raising=False)
    else:
        monkeypatch.setenv("TRANSIENT_ERROR_PATTERN", pattern)
    result = local_run("retries.yaml", "on-transient-error")

    assert result.phase is NodePhase.FAILED
    assert len(result.root.children) == attempts


def test_a_workflow_with_generate_name_submits_a_template_and_script_image_is_accepted(local_run):
    result = local_run("submitted.yaml")

    assert result.phase is NodePhase.SUCCEEDED, result.message
    assert re.fullmatch(r"greet-run-[a-z0-9]{5}", result.workflow_name)
    assert result.root.outputs.result == f"hello submitted from {result.workflow_name}"


def test_a_generate_name_document_can_be_picked_by_its_generate_name(local_run):
    result = local_run("submitted.yaml", "Workflow/greet-run-")

    assert result.phase is NodePhase.SUCCEEDED, result.message
    assert result.workflow_name.startswith("greet-run-")


def test_summary_names_the_step_that_failed_not_the_omitted_leaf_argo_blames(local_run):
    result = local_run("conditionals.yaml", "omitted-after-failure")

    assert "next" in result.message  # Argo's own message names the omitted leaf
    assert [node.display_name for node in result.failed_steps()] == ["work"]
    assert "Failed:      work (Error (exit code 3))" in local_run.lines
