"""User-facing errors: what the user can fix becomes a click.ClickException (exit 1, no traceback)."""

from __future__ import annotations

from dataclasses import dataclass

import click


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in one config file, located by its dotted key path."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key or '<root>'}: {self.message}"


class ConfigError(click.ClickException):
    """Every problem found in a set of configs, reported at once."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        plural = "s" if len(issues) != 1 else ""
        lines = [f"{len(issues)} config error{plural}:"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


class UserError(click.ClickException):
    """A problem the user can fix that is not a config key (missing file, bad option, drift)."""
