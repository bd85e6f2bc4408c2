"""run-local checks with the linter's rules before anything runs, and its help is written from its support tables."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from argo_toolset.core.catalog import RETRY_POLICIES
from argo_toolset.core.dag import RESULT_NAMES
from argo_toolset.runner import run_workflow
from argo_toolset.runner.checks.features import NO_LOCAL_EFFECT, SUPPORTED
from argo_toolset.runner.checks.help_text import support_help
from argo_toolset.runner.checks.lint_first import InvalidWorkflowError
from argo_toolset.runner.expressions.expr import FUNCTIONS
from generator.commands.run_local import run_local


def _workflow(tasks: list[dict], args: str = "echo {{inputs.parameters.ds}}") -> dict:
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "checked"},
        "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "ds", "value": "2024-01-01"}]},
                 "templates": [
                     {"name": "main", "dag": {"tasks": tasks}},
                     {"name": "echo", "inputs": {"parameters": [{"name": "ds"}]},
                      "container": {"image": "alpine:3.20", "command": ["sh", "-c"], "args": [args]}}]},
    }


def _task(name: str, **extra) -> dict:
    return {"name": name, "template": "echo",
            "arguments": {"parameters": [{"name": "ds", "value": "{{workflow.parameters.ds}}"}]}, **extra}


def _run(tmp_path, document: dict):
    return run_workflow([document], work_dir=tmp_path / "work", lock_dir=tmp_path / "locks", echo=None,
                        check_services=False)


@pytest.mark.parametrize(("tasks", "args", "rule", "said"), [
    ([_task("a", depends="b"), _task("b", depends="a")], "echo {{inputs.parameters.ds}}", "[dag-cycle]",
     "dependency cycle: a -> b -> a"),
    ([_task("a", depends="a-typo")], "echo {{inputs.parameters.ds}}", "[dag-dependency]",
     "depends on 'a-typo', which is no task"),
    ([_task("a", depends="b.Done"), _task("b")], "echo {{inputs.parameters.ds}}", "[dag-dependency]",
     "unknown task result 'b.Done'"),
    ([_task("a")], "echo {{input.parameters.ds}}", "[unresolved-reference]", "did you mean 'inputs'?"),
    ([{"name": "a", "template": "nope"}], "echo {{inputs.parameters.ds}}", "[template-ref]", "'nope'"),
])
def test_what_argo_refuses_is_refused_by_the_linters_rule_before_anything_runs(tmp_path, tasks, args, rule, said):
    with pytest.raises(InvalidWorkflowError) as raised:
        _run(tmp_path, _workflow(tasks, args))

    assert rule in raised.value.message and said in raised.value.message
    assert "nothing was run" in raised.value.message
    assert not (tmp_path / "work").exists()


def test_a_valid_workflow_with_a_custom_tag_passes_the_check_and_runs(tmp_path):
    result = _run(tmp_path, _workflow([_task("a")], "echo {{inputs.parameters.ds}} '{{ jinja }}'"))

    assert result.succeeded
    assert result.root.children[0].outputs.result == "2024-01-01 {{ jinja }}"


def test_help_lists_every_entry_of_the_tables_that_decide_support():
    help_text = " ".join(CliRunner().invoke(run_local, ["--help"], terminal_width=200).output.split())

    fields = {name for table in (SUPPORTED, NO_LOCAL_EFFECT) for names in table.values() for name in names}
    for name in fields | set(FUNCTIONS) | set(RETRY_POLICIES) | set(RESULT_NAMES):
        assert name in help_text, name


def test_help_follows_the_table(monkeypatch):
    monkeypatch.setitem(SUPPORTED, "task", SUPPORTED["task"] | {"zzFieldAddedToTheTable"})

    assert "zzFieldAddedToTheTable" in support_help()


@pytest.mark.parametrize("variable", ["{{workflow.priority}}", "{{= workflow.outputs.parameters.x }}"])
def test_a_variable_lint_accepts_but_the_runner_cannot_supply_is_refused_before_running(tmp_path, variable):
    from argo_toolset.lint import lint_documents
    from argo_toolset.runner.checks.features import UnsupportedFeatureError

    document = _workflow([_task("a")], f"echo {{{{inputs.parameters.ds}}}} {variable}")
    assert not lint_documents([document], "checked.yaml", None)  # Argo's vocabulary (the core's) has it
    with pytest.raises(UnsupportedFeatureError) as raised:
        _run(tmp_path, document)

    assert "is not supplied by run-local" in raised.value.message
    assert not (tmp_path / "work").exists()


def test_every_workflow_variable_of_the_vocabulary_is_supplied_or_refused(tmp_path):
    """The converse of the refusal above: each `workflow.*` global of the core's vocabulary that the pre-check lets
    through has a value when the workflow runs (status, duration and failures in the exit handler, as in Argo)."""
    from argo_toolset.core.variables import WORKFLOW_GLOBALS
    from argo_toolset.runner.checks.features import UNSUPPLIED_WORKFLOW_GLOBALS

    sub_keys = {"creationTimestamp": "Y", "labels": "team", "annotations": "owner", "parameters": "ds"}
    at_exit = {"status", "duration", "failures"}
    supplied = [name for name in WORKFLOW_GLOBALS if name not in UNSUPPLIED_WORKFLOW_GLOBALS]
    tag = {name: f"{{{{workflow.{name}{'.' + sub_keys[name] if name in sub_keys else ''}}}}}" for name in supplied}
    document = _workflow([_task("a")], " ".join(["echo"] + [tag[name] for name in supplied if name not in at_exit]))
    document["metadata"].update(labels={"team": "ds"}, annotations={"owner": "ds"})
    document["spec"]["onExit"] = "report"
    exit_args = " ".join(["echo"] + [tag[name] for name in at_exit])
    document["spec"]["templates"].append({"name": "report", "container": {
        "image": "alpine:3.20", "command": ["sh", "-c"], "args": [exit_args]}})

    result = run_workflow([document], work_dir=tmp_path / "work", lock_dir=tmp_path / "locks", echo=None,
                          check_services=False, scheduled_time="2024-01-01T00:30:00Z")

    assert result.succeeded and result.exit_handler is not None and result.exit_handler.phase.value == "Succeeded"
