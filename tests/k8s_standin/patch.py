"""PATCH bodies as the API server applies them: JSON Patch (RFC 6902) and JSON merge patch (RFC 7386)."""

from __future__ import annotations

import copy
from typing import Any


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")] if path else []


def _json_patch(obj: Any, operations: list[dict[str, Any]]) -> Any:
    for operation in operations:
        *parents, last = _pointer(operation["path"])
        target = obj
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
        op = operation["op"]
        if op in ("add", "replace"):
            if isinstance(target, list):
                index = len(target) if last == "-" else int(last)
                if op == "add":
                    target.insert(index, operation["value"])
                else:
                    target[index] = operation["value"]
            else:
                target[last] = operation["value"]
        elif op == "remove":
            del target[int(last) if isinstance(target, list) else last]
        elif op == "test":
            current = target[int(last)] if isinstance(target, list) else target.get(last)
            if current != operation["value"]:
                raise ValueError(f"JSON patch test failed at {operation['path']}")
        else:
            raise ValueError(f"JSON patch op {op!r} not supported by the stand-in")
    return obj


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def apply_patch(obj: dict[str, Any], patch: Any, content_type: str) -> dict[str, Any]:
    """The patched object; strategic merge patches are applied as merge patches (enough for labels and status)."""
    if "json-patch" in content_type:
        return _json_patch(obj, patch)
    return _merge(obj, patch)
