"""Parameter validation, SQL substitution and statement splitting."""

from __future__ import annotations

import pytest

from jobs.common.errors import StepError
from jobs.common.params import check_table, check_variable, parse_assignment, parse_date
from jobs.common.sql import split_statements, substitute
from jobs.prepare import render_statements


@pytest.mark.parametrize("value", ["2024-02-30", "2024-1-05", "20240105", "2024-01-01' OR 1=1 --", "", "2024-13-01"])
def test_bad_dates_are_refused(value):
    with pytest.raises(StepError, match="--ds"):
        parse_date(value)


def test_real_date_parses():
    assert parse_date("2024-02-29").isoformat() == "2024-02-29"


@pytest.mark.parametrize("table", ["db.t", "t", "_x.y_1"])
def test_tables_accepted(table):
    assert check_table(table, "--t") == table


@pytest.mark.parametrize("table", ["db.t;drop", "a.b.c", "1db.t", "db.`t`", "db t", "db.t--"])
def test_tables_refused(table):
    with pytest.raises(StepError, match="--t"):
        check_table(table, "--t")


@pytest.mark.parametrize("value", ["2", "-1.5", "db.tbl", "2024-01-01", "eu-west", "10:00", "v1.2"])
def test_variable_values_accepted(value):
    assert check_variable("v", value) == value


@pytest.mark.parametrize("value", ["1; DROP TABLE x", "x' OR '1'='1", "a b", "2024-02-31", "1 -- c", "a--b", "a-",
                                   ""])
def test_variable_values_refused(value):
    with pytest.raises(StepError, match="--var v"):
        check_variable("v", value)


def test_assignment_needs_equals_and_identifier():
    assert parse_assignment("n=5", "--var") == ("n", "5")
    with pytest.raises(StepError):
        parse_assignment("n5", "--var")
    with pytest.raises(StepError):
        parse_assignment("1n=5", "--var")


def test_substitute_replaces_plain_and_hivevar_forms_and_lists_undeclared():
    assert substitute("a=${ds} b=${hivevar:n}", {"ds": "2024-01-01", "n": "3"}) == "a=2024-01-01 b=3"
    with pytest.raises(StepError, match=r"\$\{other\}.*declared: ds"):
        substitute("${ds} ${other}", {"ds": "2024-01-01"})


def test_split_respects_quotes_and_comments():
    sql = "SELECT ';' AS a; -- x; y\nSELECT \"b;\" /* c; */ FROM t;;\n SELECT `w;x` FROM t"
    assert split_statements(sql) == ["SELECT ';' AS a", 'SELECT "b;"   FROM t', "SELECT `w;x` FROM t"]


def test_split_refuses_unterminated_quote():
    with pytest.raises(StepError, match="unterminated"):
        split_statements("SELECT 'abc")


def test_render_statements_refuses_overriding_ds_and_empty_sql():
    with pytest.raises(StepError, match=r"--var ds: 'ds' is set by the step itself \(--ds\)"):
        render_statements("SELECT 1", "2024-01-01", ("ds=2024-01-02",), "f.sql")
    with pytest.raises(StepError, match="no SQL statement"):
        render_statements("-- nothing", "2024-01-01", (), "f.sql")
