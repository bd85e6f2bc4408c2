"""What a Role grants, for tests that prove the generated RBAC (the product only writes Roles, never asks them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def allows(rules: Iterable[Any], api_group: str, resource: str, verb: str) -> bool:
    """Whether any rule grants `verb` on `resource` of `api_group` (exact names; the rules use no wildcards)."""
    return any(api_group in rule.api_groups and resource in rule.resources and verb in rule.verbs for rule in rules)
