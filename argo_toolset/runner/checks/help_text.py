"""run-local's help on what it runs, written from the tables that decide it (support, pod rules, retries)."""

from __future__ import annotations

import textwrap

from argo_toolset.core.catalog import RETRY_POLICIES
from argo_toolset.core.dag import RESULT_NAMES
from argo_toolset.runner.checks.features import HINTS, NO_LOCAL_EFFECT, SUPPORTED, SYNCHRONIZATION_KINDS, VOLUME_SOURCE
from argo_toolset.runner.expressions.expr import FUNCTIONS
from argo_toolset.runner.pods.rules import CONTAINER_SECURITY_FIELDS, NOT_HONOURED, POD_SECURITY_FIELDS
from argo_toolset.runner.pods.secrets import FIELD_PATHS

_WIDTH = 110


def _rows(title: str, table: dict[str, set[str]]) -> list[str]:
    lines = [title]
    for kind, fields in table.items():
        lines += textwrap.wrap(", ".join(sorted(fields)), _WIDTH, initial_indent=f"  {kind}: ",
                               subsequent_indent=" " * (len(kind) + 4))
    return lines


def _line(title: str, items: list[str]) -> list[str]:
    return textwrap.wrap(f"{title}: {', '.join(items)}", _WIDTH, subsequent_indent="  ")


def support_help() -> str:
    """The help section on supported, ignored and refused fields, in click's verbatim (`\\b`) blocks."""
    blocks = [
        _rows("Implemented, by object (any other field is refused before anything runs, naming where it is):",
              SUPPORTED),
        _line("depends results", list(RESULT_NAMES))
        + _line("retryPolicy", list(RETRY_POLICIES))
        + _line("expression functions ({{= ... }}, when, retryStrategy.expression)", sorted(FUNCTIONS))
        + _line("env valueFrom", ["secretKeyRef", *[f"fieldRef {path}" for path in FIELD_PATHS]])
        + _line("volumes", [f"{VOLUME_SOURCE} only"])
        + _line("synchronization", [f"{SYNCHRONIZATION_KINDS[0]} (not database mutexes)"]),
        _rows("Accepted with no local effect as a process (in-image mode honours the pod fields below):",
              NO_LOCAL_EFFECT),
        _line("Refused with a name", sorted(set(HINTS.values()))),
        _line("In-image mode honours securityContext (pod)", sorted(POD_SECURITY_FIELDS))
        + _line("and securityContext (container)", sorted(CONTAINER_SECURITY_FIELDS))
        + _line("and refuses", sorted({text for fields in NOT_HONOURED.values() for text in fields.values()})),
    ]
    return "\n\n".join("\b\n" + "\n".join(block) for block in blocks)
