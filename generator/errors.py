"""User-facing errors: what the user can fix becomes a click.ClickException (exit 1, no traceback)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import click


def listed(header: str, items: Iterable[object]) -> str:
    """A message that names every problem at once: the header, then one indented line per item."""
    return "\n".join([header, *(f"  {item}" for item in items)])


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


class UserError(click.ClickException):
    """A problem the user can fix that is not a config key (missing file, bad option, drift)."""
