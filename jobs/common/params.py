"""Step-side checks of option values: the rules of contract/values.py, their errors naming the option."""

from __future__ import annotations

import datetime as dt

from contract import values
from jobs.common.errors import StepError


def _checked(check, value: str, option: str):
    """`check(value)` (a contract/values.py rule), its ValueError turned into a StepError naming `option`."""
    try:
        return check(value)
    except ValueError as error:
        raise StepError(f"{option}: {error}") from None


def parse_date(value: str, option: str = "--ds") -> dt.date:
    """Parses a real calendar date written YYYY-MM-DD (values.DATE_RULE); else StepError naming `option`."""
    return _checked(values.parse_date, value, option)


def check_identifier(value: str, option: str) -> str:
    """Returns `value` when it is a Hive identifier (values.IDENTIFIER_RULE), else raises StepError."""
    return _checked(values.check_identifier, value, option)


def check_table(value: str, option: str) -> str:
    """Returns `value` when it is `table` or `database.table` (values.TABLE_RULE), else raises StepError."""
    return _checked(values.check_table, value, option)


def check_variable(name: str, value: str) -> str:
    """Returns `value` when `--var name=value` may reach SQL (values.check_variable_name, check_sql_value).

    Anything else (quotes, spaces, semicolons, comments) could change the statement, so it never reaches SQL.
    """
    _checked(values.check_variable_name, name, f"--var {name}")
    return _checked(values.check_sql_value, value, f"--var {name}")


def check_model_uri(value: str, option: str = "--model-uri") -> values.ModelUri:
    """The parts of a model URI of one of values.MODEL_URI_FORMS, else StepError (before any server is asked)."""
    return _checked(values.parse_model_uri, value, option)


def parse_assignment(text: str, option: str) -> tuple[str, str]:
    """Splits `NAME=VALUE` (NAME an identifier), as given to repeatable options like `--var`."""
    name, sep, value = text.partition("=")
    if not sep:
        raise StepError(f"{option}: {text!r} must look like NAME=VALUE")
    return check_identifier(name.strip(), option), value.strip()


def parse_fraction(value: float, option: str) -> float:
    """Returns `value` when it lies in [0, 1], else raises StepError."""
    if not 0.0 <= value <= 1.0:
        raise StepError(f"{option}: {value} must be between 0 and 1")
    return value
