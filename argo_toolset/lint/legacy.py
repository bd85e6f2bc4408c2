"""Argo v3 fields that Argo v4 removed, reported with their v4 replacement instead of as unknown fields."""

from __future__ import annotations

from typing import Any

from argo_toolset.core.documents import Document, PathParts, format_path
from argo_toolset.core.findings import Finding

# key -> its Argo v4 replacement, for keys found under a `synchronization` mapping.
_SYNCHRONIZATION_LEGACY = {"mutex": "mutexes (a list of {name: ...})", "semaphore": "semaphores (a list)"}


def legacy_replacement(kind: str, parent: PathParts, key: str) -> str | None:
    """The v4 name of a removed v3 field at `parent.key`, or None when the field is not a known legacy one."""
    if key in _SYNCHRONIZATION_LEGACY and parent and parent[-1] == "synchronization":
        return _SYNCHRONIZATION_LEGACY[key]
    if kind == "CronWorkflow" and parent == ("spec",) and key == "schedule":
        return "schedules (a list of cron expressions)"
    return None


def check_legacy_fields(document: Document) -> list[Finding]:
    """Report every removed v3 field in the document (CronWorkflow `schedule`, `mutex`, `semaphore`)."""
    findings: list[Finding] = []

    def walk(value: Any, parts: PathParts) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                replacement = legacy_replacement(document.kind, parts, key) if isinstance(key, str) else None
                if replacement:
                    findings.append(
                        document.finding(
                            format_path((*parts, key)),
                            "legacy-field",
                            f"{key!r} was removed in Argo v4; use {replacement}",
                        )
                    )
                walk(child, (*parts, key))
        elif isinstance(value, list):
            for position, child in enumerate(value):
                walk(child, (*parts, position))

    walk(document.data, ())
    return findings
