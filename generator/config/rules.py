"""Value rules only the config has: Kubernetes names, cron, time zones, quantities (shared ones: contract/values.py)."""

from __future__ import annotations

import re
import zoneinfo

from croniter import croniter

# DNS-1123 label: what Kubernetes accepts as a resource name segment.
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# DNS-1123 subdomain: Secret and ServiceAccount names.
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Kubernetes resource quantities (cpu "2", "500m"; memory "4Gi", "512Mi").
QUANTITY = re.compile(r"^([0-9]+(\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$")
# Argo's cron descriptors (robfig/cron): accepted besides five-field expressions.
CRON_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

# Longest job name: the CronWorkflow shares it and Argo caps CronWorkflow names at 52 characters.
MAX_JOB_NAME = 52


def check_cron(expression: str) -> str:
    """Accept a five-field cron expression or a descriptor, as Argo's CronWorkflow does."""
    if expression in CRON_DESCRIPTORS:
        return expression
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValueError(
            f"{expression!r} is not a valid cron expression; allowed: five fields "
            f"'minute hour day-of-month month day-of-week' (e.g. '0 3 * * *') or one of "
            f"{', '.join(sorted(CRON_DESCRIPTORS))}"
        )
    return expression


def check_timezone(name: str) -> str:
    """Accept an IANA time zone name such as Europe/Moscow or UTC."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone; allowed: names like 'UTC' or 'Europe/Moscow'") from None
    return name


def check_pattern(value: str, pattern: re.Pattern[str], what: str) -> str:
    """Raise a ValueError that names what was expected when value does not match pattern."""
    if not pattern.fullmatch(value):
        raise ValueError(f"{value!r} is not {what}")
    return value
