"""Metadata and CronWorkflow rules: name validity and length, cron schedules, time zone."""

from __future__ import annotations

import re
import zoneinfo

from croniter import croniter

from argo_toolset.core.documents import Document
from argo_toolset.core.findings import Finding

# Argo stores the workflow name in a label (63 chars); a CronWorkflow's children append an 11-char suffix.
MAX_NAME_LENGTH = {"CronWorkflow": 52}
DEFAULT_MAX_NAME_LENGTH = 63
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_EVERY = re.compile(r"^@every\s+([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")


def check_name(document: Document) -> list[Finding]:
    """metadata.name is a DNS-1123 name within 63 characters (52 for a CronWorkflow)."""
    metadata = document.data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name")
    if name is None:
        if document.kind == "Workflow" and metadata.get("generateName"):
            return []
        return [document.finding("metadata.name", "name", f"a {document.kind} needs metadata.name")]
    findings = []
    if not isinstance(name, str) or not _DNS1123_SUBDOMAIN.match(name):
        findings.append(
            document.finding(
                "metadata.name",
                "name",
                f"{name!r} is not a DNS-1123 name (lowercase letters, digits, '-' and '.', alphanumeric at both ends)",
            )
        )
    limit = MAX_NAME_LENGTH.get(document.kind, DEFAULT_MAX_NAME_LENGTH)
    if isinstance(name, str) and len(name) > limit:
        findings.append(
            document.finding(
                "metadata.name", "name-length", f"{name!r} has {len(name)} characters; a {document.kind} allows {limit}"
            )
        )
    return findings


def is_valid_schedule(schedule: str) -> bool:
    """True for what Argo's cron library accepts: 5 fields, a macro such as @daily, or @every <duration>."""
    text = schedule.strip()
    if text in _CRON_MACROS or _EVERY.match(text):
        return True
    return len(text.split()) == 5 and croniter.is_valid(text)


def check_cron(document: Document) -> list[Finding]:
    """A CronWorkflow's `schedules` are valid cron expressions and its `timezone` an IANA zone."""
    spec = document.data.get("spec")
    if document.kind != "CronWorkflow" or not isinstance(spec, dict):
        return []
    findings = []
    schedules = spec.get("schedules")
    for position, schedule in enumerate(schedules if isinstance(schedules, list) else []):
        if not isinstance(schedule, str) or not is_valid_schedule(schedule):
            findings.append(
                document.finding(
                    f"spec.schedules[{position}]",
                    "cron",
                    f"{schedule!r} is not a valid cron expression (5 fields 'minute hour day month weekday', "
                    "@daily-style macro or '@every <duration>')",
                )
            )
    timezone = spec.get("timezone")
    if timezone is not None and timezone != "":
        try:
            zoneinfo.ZoneInfo(str(timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            findings.append(
                document.finding(
                    "spec.timezone", "timezone", f"{timezone!r} is not an IANA time zone (e.g. Europe/Moscow, UTC)"
                )
            )
    return findings
