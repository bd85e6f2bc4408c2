"""The local stack's one error type, in a module of its own so every stack module can raise it."""

from __future__ import annotations

from generator.errors import UserError


class StackError(UserError):
    """The local stack cannot start or stop (Java missing, port taken, a service died while starting)."""
