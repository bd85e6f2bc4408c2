"""Step errors: what an operator can act on becomes a click.ClickException (exit 1, one readable message)."""

from __future__ import annotations

import click


class StepError(click.ClickException):
    """A step cannot do its job for a reason the message explains (bad parameter, missing table, failed check)."""


class ServiceUnavailable(StepError):
    """A service (HiveServer2, metastore, MLflow) did not answer within the retry budget."""


class SqlError(StepError):
    """The server rejected a statement; the message holds the statement and the server's own words."""

    def __init__(self, statement: str, server_message: str):
        self.statement = statement
        self.server_message = server_message
        super().__init__(f"SQL statement failed:\n{statement}\nserver said: {server_message}")
