"""Container env for a local step, with Kubernetes Secret references satisfied from local env variables.

`valueFrom.fieldRef` resolves the pod fields in FIELD_PATHS (the pod IP is 127.0.0.1 here).

A `valueFrom.secretKeyRef` {name: S, key: K} reads the local variable `ARGO_SECRET_<S>_<K>`, upper-cased,
every character other than A-Z and 0-9 replaced by `_` (hive-credentials/password ->
ARGO_SECRET_HIVE_CREDENTIALS_PASSWORD). Unset and `optional: true`: the variable is left unset in the step.
Unset and not optional: an error naming the variable to export. Secret values are never read from files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

SECRET_PREFIX = "ARGO_SECRET_"
FIELD_PATHS = ("status.podIP", "status.hostIP", "metadata.name", "metadata.namespace", "spec.nodeName",
               "spec.serviceAccountName")


class MissingSecretError(ValueError):
    """A non-optional Secret key has no local env variable."""


def secret_variable(secret_name: str, key: str) -> str:
    """The local env variable that stands in for one key of one Kubernetes Secret."""
    return SECRET_PREFIX + re.sub(r"[^A-Z0-9]", "_", f"{secret_name}_{key}".upper())


def container_env(entries: list[dict], environ: Mapping[str, str], map_path: Callable[[str], str],
                  pod_fields: Mapping[str, str]) -> dict[str, str]:
    """Resolve a container's `env` list.

    Args:
        entries: The container's env entries (`value` or `valueFrom.secretKeyRef`), already substituted.
        environ: Where Secret stand-ins are read (the runner's environment).
        map_path: Rewrites container paths in plain values into the node folder.
        pod_fields: Values of the FIELD_PATHS for this step.

    Raises:
        MissingSecretError: A required Secret key's variable is not set.
    """
    resolved: dict[str, str] = {}
    for entry in entries:
        source = entry.get("valueFrom") or {}
        if "fieldRef" in source:
            resolved[entry["name"]] = pod_fields[source["fieldRef"]["fieldPath"]]
            continue
        reference = source.get("secretKeyRef")
        if reference is None:
            resolved[entry["name"]] = map_path(str(entry.get("value", "")))
            continue
        variable = secret_variable(reference["name"], reference["key"])
        if variable in environ:
            resolved[entry["name"]] = environ[variable]
        elif not reference.get("optional", False):
            raise MissingSecretError(
                f"env {entry['name']} needs key {reference['key']!r} of Secret {reference['name']!r}: "
                f"export {variable}=... before running (or mark the reference optional)")
    return resolved
