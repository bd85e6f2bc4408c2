"""Validation of every value that may reach SQL or a file name: dates, identifiers, table names, variables."""

from __future__ import annotations

import datetime as dt
import re

from jobs.common.errors import StepError

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TABLE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
NUMBER_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")


def parse_date(value: str, option: str = "--ds") -> dt.date:
    """Parses a real calendar date written YYYY-MM-DD.

    Raises:
        StepError: naming `option` and the value when it is not such a date (e.g. `2024-02-30`, `2024-1-5`).
    """
    if not DATE_PATTERN.match(value or ""):
        raise StepError(f"{option}: {value!r} is not a date; expected YYYY-MM-DD, e.g. 2024-01-31")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise StepError(f"{option}: {value!r} is not a real date ({error}); expected YYYY-MM-DD") from None


def check_identifier(value: str, option: str) -> str:
    """Returns `value` when it is a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`), else raises StepError."""
    if not IDENTIFIER_PATTERN.match(value or ""):
        raise StepError(
            f"{option}: {value!r} is not a valid column name; allowed: letters, digits and _, not starting "
            f"with a digit"
        )
    return value


def check_table(value: str, option: str) -> str:
    """Returns `value` when it is `table` or `database.table` made of identifiers, else raises StepError."""
    if not TABLE_PATTERN.match(value or ""):
        raise StepError(
            f"{option}: {value!r} is not a valid table name; allowed: `table` or `database.table`, each part "
            f"letters, digits and _, not starting with a digit"
        )
    return value


def check_variable_value(name: str, value: str) -> str:
    """Accepts a SQL variable value only when it is a date, a (qualified) identifier or a plain number.

    Anything else (quotes, spaces, semicolons, comments) could change the statement, so it never reaches SQL.
    """
    if DATE_PATTERN.match(value):
        parse_date(value, f"--var {name}")
        return value
    if TABLE_PATTERN.match(value) or NUMBER_PATTERN.match(value):
        return value
    raise StepError(
        f"--var {name}: {value!r} is not allowed in SQL; a variable value must be a date (YYYY-MM-DD), an "
        f"identifier or db.table, or a plain number"
    )


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
