"""What the user can fix: a click.ClickException (exit 1, no traceback), and the one way to list many problems."""

from __future__ import annotations

from collections.abc import Iterable

import click


def listed(header: str, items: Iterable[object]) -> str:
    """A message that names every problem at once: the header, then one indented line per item."""
    return "\n".join([header, *(f"  {item}" for item in items)])


class UserError(click.ClickException):
    """A problem the user can fix that is not a config key (missing file, bad option, drift)."""
