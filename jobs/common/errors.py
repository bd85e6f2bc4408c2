"""Step errors: what an operator can act on becomes a click.ClickException with one readable message.

The exit code tells Argo whether another attempt can help (contract/exit_codes.py): a StepError is permanent,
a TransientError (a service that did not answer, a statement the server failed on its side) is retried.
"""

from __future__ import annotations

import click

from contract import exit_codes


class StepError(click.ClickException):
    """A step cannot do its job for a reason the message explains (bad parameter, missing table, failed check).

    Permanent: the same inputs fail the same way on every attempt, so the step exits with
    exit_codes.PERMANENT and Argo does not retry it.
    """

    exit_code = exit_codes.PERMANENT


class TransientError(StepError):
    """A failure another attempt may not meet (a service down, a write broken for a cause we cannot name)."""

    exit_code = exit_codes.TRANSIENT


class ServiceUnavailable(TransientError):
    """A service (HiveServer2, metastore, MLflow) did not answer within the retry budget."""


class LoginRefused(StepError):
    """A service refused the step's user or password: the Secret is wrong, and every attempt would meet the same."""


class SqlError(StepError):
    """The server rejected a statement; the message holds the statement and the server's own words."""

    def __init__(self, statement: str, server_message: str, note: str = ""):
        self.statement = statement
        self.server_message = server_message
        super().__init__(f"SQL statement failed{note}:\n{statement}\nserver said: {server_message}")


class ServerSqlFailure(SqlError, TransientError):
    """The server failed a statement for a cause outside it (its SQLSTATE says so): another attempt may pass."""
