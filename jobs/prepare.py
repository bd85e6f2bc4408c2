"""`python -m jobs.prepare`: run the job's Hive SQL for one partition date through HiveServer2 (PyHive)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from contract.values import IDENTIFIER_RULE, SQL_VALUE_RULE
from jobs.common.errors import StepError
from jobs.common.hive import HiveClient
from jobs.common.logs import configure_logging
from jobs.common.options import ds_option, hive_options, hive_settings, retry_seconds_option
from jobs.common.params import check_variable, parse_assignment, parse_date
from jobs.common.sql import split_statements, substitute

log = logging.getLogger("jobs.prepare")


def render_statements(sql: str, ds: str, variables: tuple[str, ...], source: str) -> list[str]:
    """Validates `ds` and each `NAME=VALUE`, substitutes them into `sql` and splits it into statements.

    Raises:
        StepError: invalid date, malformed or unsafe variable, undeclared `${...}`, or no statement at all.
    """
    values = {"ds": parse_date(ds).isoformat()}
    for assignment in variables:
        name, value = parse_assignment(assignment, "--var")
        values[name] = check_variable(name, value)
    statements = split_statements(substitute(sql, values, source))
    if not statements:
        raise StepError(f"{source} holds no SQL statement")
    return statements


@click.command()
@click.option("--sql-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="SQL script with Hive-style ${ds} / ${NAME} variables; statements separated by ';'.")
@ds_option
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help=f"Declared variable (repeatable); NAME: {IDENTIFIER_RULE}, not ds; VALUE: {SQL_VALUE_RULE}.")
@hive_options
@retry_seconds_option
def main(sql_file: Path, ds: str, variables: tuple[str, ...], hive_host: str, hive_port: int, hive_auth: str,
         hive_user: str | None, hive_password: str | None, retry_seconds: float) -> None:
    """Prepare the input partition: run the SQL file's statements in order, logging each one's duration."""
    configure_logging()
    statements = render_statements(sql_file.read_text(), ds, variables, str(sql_file))
    settings = hive_settings(hive_host, hive_port, hive_auth, hive_user, hive_password, retry_seconds)
    started = time.monotonic()
    with HiveClient(settings) as client:
        for number, statement in enumerate(statements, start=1):
            log.info("statement %d/%d", number, len(statements))
            client.execute(statement)
    click.echo(f"prepare: {len(statements)} statement(s) for ds={ds} in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
