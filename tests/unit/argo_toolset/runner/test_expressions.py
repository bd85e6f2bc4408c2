"""The small evaluators: `when` (govaluate), `depends`, `{{= expr }}` with sprig dates, Go layouts, paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from argo_toolset.core.dag import DependsError, referenced_tasks
from argo_toolset.runner.execution.depends import TaskOutcome, depends_met
from argo_toolset.runner.expressions.expr import ExpressionError, evaluate_expression
from argo_toolset.runner.expressions.godates import format_time, parse_duration, parse_time
from argo_toolset.runner.expressions.substitution import UnresolvedVariableError, substitute
from argo_toolset.runner.expressions.when import ConditionError, evaluate_when
from argo_toolset.runner.pods.paths import PathMapper
from argo_toolset.runner.pods.secrets import secret_variable
from argo_toolset.runner.results import NodePhase


@pytest.mark.parametrize(("expression", "expected"), [
    ("heads == heads", True),  # bare words are strings, as Argo's shouldExecute makes them
    ("heads == tails", False),
    ("heads != tails", True),
    ("5 > 3", True),
    ("10 < 9", False),
    ("2 >= 2 && 1 <= 0", False),
    ("!(1 == 2) || false", True),
    ("'a b' == \"a b\"", True),
    ("Succeeded == Succeeded && (7 == 7 || x == y)", True),
    ("1 + 2 == 3", True),
    ("abc =~ '^a'", True),
    ("apple < banana", True),
    ("", True),
])
def test_when_expressions(expression, expected):
    assert evaluate_when(expression) is expected


@pytest.mark.parametrize("expression", ["heads", "1 &&", "(1 == 1", "true && 5", "a @ b", "x - y == 1"])
def test_when_rejects_what_govaluate_rejects(expression):
    with pytest.raises(ConditionError):
        evaluate_when(expression)


def test_depends_results_and_bare_names():
    outcomes = {"A": TaskOutcome(NodePhase.FAILED), "B": TaskOutcome(NodePhase.SUCCEEDED),
                "fan-out": TaskOutcome(NodePhase.FAILED, (NodePhase.SUCCEEDED, NodePhase.FAILED)),
                "S": TaskOutcome(NodePhase.SKIPPED), "C": TaskOutcome(NodePhase.FAILED, continue_on_failed=True)}
    check = lambda text: depends_met(text, outcomes.__getitem__)  # noqa: E731
    assert check("A.Failed && B")
    assert not check("A")
    assert check("S")  # a skipped dependency counts as done, as in Argo
    assert check("C")  # continueOn.failed widens the bare reference
    assert check("fan-out.AnySucceeded && !fan-out.AllFailed")
    assert check("(A.Succeeded || A.Errored) || B.Succeeded")
    assert referenced_tasks("fan-out.AnySucceeded && (A || B.Failed)") == ["fan-out", "A", "B"]
    with pytest.raises(DependsError, match="unknown task result"):
        check("A.Finished")


def test_sprig_dates_as_our_cron_workflow_uses_them():
    variables = {"workflow.scheduledTime": "2024-03-01T03:00:00+03:00"}
    expression = ("sprig.dateInZone('2006-01-02', sprig.dateModify('-24h', sprig.toDate("
                  "'2006-01-02T15:04:05Z07:00', workflow.scheduledTime)), 'Europe/Moscow')")
    assert evaluate_expression(expression, variables) == "2024-02-29"
    assert evaluate_expression("sprig.date('2006-01-02', sprig.toDate('2006-01-02T15:04:05Z07:00', "
                               "workflow.scheduledTime))", variables) == "2024-03-01"


def test_expressions_over_hyphenated_names_and_numbers():
    variables = {"inputs.parameters.model-uri": "models:/m@a", "inputs.parameters.n": "4"}
    assert evaluate_expression("inputs.parameters['model-uri']", variables) == "models:/m@a"
    assert evaluate_expression("asInt(inputs.parameters.n) * 2 + 1", variables) == "9"
    assert evaluate_expression("asInt(inputs.parameters.n) > 3 ? 'big' : 'small'", variables) == "big"
    with pytest.raises(ExpressionError, match="unsupported function sprig.b64enc"):
        evaluate_expression("sprig.b64enc('x')", variables)
    with pytest.raises(ExpressionError, match="unknown name 'inputs.parameters.missing'"):
        evaluate_expression("inputs.parameters.missing", variables)


def test_go_layouts_and_durations():
    moment = datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=timezone(timedelta(hours=3)))
    assert format_time("2006-01-02T15:04:05Z07:00", moment) == "2024-01-02T03:04:05+03:00"
    assert format_time("Jan _2 06 3:04PM .000 .999", moment) == "Jan  2 24 3:04AM .120 .12"
    assert parse_time("2006-01-02 15:04", "2024-02-29 23:59") == datetime(2024, 2, 29, 23, 59, tzinfo=UTC)
    assert parse_time("2006-01-02T15:04:05Z07:00", "2024-01-02T03:04:05.5Z").microsecond == 500000
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("-1.5s") == timedelta(seconds=-1.5)
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration("3 days")


def test_substitution_leaves_foreign_tags_and_refuses_unknown_argo_ones():
    variables = {"inputs.parameters.ds": "2024-01-01"}
    assert substitute("{{inputs.parameters.ds}} {{ jinja }}", variables) == "2024-01-01 {{ jinja }}"
    with pytest.raises(UnresolvedVariableError, match=r"failed to resolve \{\{inputs.parameters.dt\}\}"):
        substitute("{{inputs.parameters.dt}}", variables)


def test_path_mapper_maps_declared_roots_only():
    mapper = PathMapper(Path("/n/root"), ["/data/in.csv", "/mnt/out/"])
    assert mapper.rewrite("--out-dir /tmp/outputs --in=/data/in.csv x:/mnt/out/y") == \
        "--out-dir /n/root/tmp/outputs --in=/n/root/data/in.csv x:/n/root/mnt/out/y"
    assert mapper.rewrite("/usr/bin/env /tmpfile /data/in.csv.bak") == "/usr/bin/env /tmpfile /data/in.csv.bak"
    assert mapper.rewrite("open('/tmp/x')") == "open('/n/root/tmp/x')"


def test_secret_variable_names():
    assert secret_variable("hive-credentials", "password") == "ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD"
    assert secret_variable("mlflow.creds", "user-name") == "ARGO_SECRET_MLFLOW_CREDS_USER_NAME"
