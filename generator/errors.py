"""User-facing errors: what the user can fix becomes a click.ClickException (exit 1, no traceback)."""

from __future__ import annotations

from dataclasses import dataclass

import click

# One home for both (the Argo toolset's): the generator's commands and the toolset report problems alike.
from argo_toolset.errors import UserError, listed

__all__ = ["ConfigError", "ConfigIssue", "UserError", "listed"]


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in one config file, located by its dotted key path."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{_one_line(self.file)}: {_one_line(self.key) or '<root>'}: {_one_line(self.message)}"


def _one_line(text: str) -> str:
    """`text` with every unprintable character escaped (`\\n`, `\\x1e`), so one issue is one line of output
    whatever a key or value holds (terminals and str.splitlines break lines at more than `\\n`)."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class ConfigError(click.ClickException):
    """Every problem found in a set of configs, reported at once."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        plural = "s" if len(issues) != 1 else ""
        super().__init__(listed(f"{len(issues)} config error{plural}:", issues))
