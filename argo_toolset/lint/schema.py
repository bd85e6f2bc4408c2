"""Validate a document against a Kubernetes structural schema (an Argo CRD's openAPIV3Schema) and its CEL rules.

Handles what Argo's CRDs use: type, properties, additionalProperties, items, required, enum, pattern,
format (int32, int64, byte, date-time), minimum/maximum, minItems/maxItems, minLength/maxLength, nullable,
x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields, x-kubernetes-list-type (set, map with
x-kubernetes-list-map-keys) and x-kubernetes-validations. Like the API server, null for a non-nullable
field counts as absent (it is pruned), and `metadata` (schema `type: object`) is left to the API server.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from argo_toolset.core.documents import Document, PathParts, format_path
from argo_toolset.core.findings import Finding, unknown_field_message
from argo_toolset.lint.cel_rules import evaluate_rule
from argo_toolset.lint.legacy import legacy_replacement

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _matches_type(value: Any, expected: str) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def _pattern(text: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(text)
    if compiled is None:
        compiled = _PATTERNS[text] = re.compile(text)
    return compiled


class _SchemaWalk:
    """One document's walk; collects findings as it goes."""

    def __init__(self, document: Document):
        self.document = document
        self.findings: list[Finding] = []

    def report(self, parts: PathParts, rule: str, message: str) -> None:
        self.findings.append(self.document.finding(format_path(parts), rule, message))

    def check(self, value: Any, schema: dict[str, Any], parts: PathParts) -> None:
        if schema.get("x-kubernetes-int-or-string"):
            if not (isinstance(value, str) or _matches_type(value, "integer")):
                self.report(parts, "schema-type", f"expected an integer or a string, got {_type_name(value)}")
                return
        else:
            expected = schema.get("type")
            if expected and not _matches_type(value, expected):
                self.report(parts, "schema-type", f"expected {expected}, got {_type_name(value)} {value!r:.60}")
                return
        if isinstance(value, dict):
            self.check_object(value, schema, parts)
        elif isinstance(value, list):
            self.check_array(value, schema, parts)
        elif isinstance(value, str):
            self.check_string(value, schema, parts)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self.check_number(value, schema, parts)
        enum = schema.get("enum")
        if enum is not None and value not in enum:
            self.report(parts, "schema-enum", f"{value!r} is not allowed; allowed: {', '.join(map(str, enum))}")
        for validation in schema.get("x-kubernetes-validations", ()):
            self.check_cel(value, validation, parts)

    def check_object(self, value: dict[Any, Any], schema: dict[str, Any], parts: PathParts) -> None:
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        open_ended = (
            schema.get("x-kubernetes-preserve-unknown-fields")
            or additional is True
            or (properties is None and additional is None)
        )
        for key, child in value.items():
            if not isinstance(key, str):
                self.report((*parts, str(key)), "schema-type", f"keys must be strings, got {_type_name(key)}")
                continue
            child_schema = properties.get(key) if properties else None
            if child_schema is None and isinstance(additional, dict):
                child_schema = additional
            if child_schema is not None:
                if child is not None:  # null is pruned (non-nullable) or allowed (nullable): nothing to check
                    self.check(child, child_schema, (*parts, key))
            elif not open_ended and legacy_replacement(self.document.kind, parts, key) is None:
                self.report((*parts, key), "unknown-field", unknown_field_message(key, properties or {}))
        for required in schema.get("required", ()):
            present = required in value and (value[required] is not None or self.nullable(schema, required))
            if not present:
                self.report((*parts, required), "schema-required", f"required field {required!r} is missing")

    @staticmethod
    def nullable(schema: dict[str, Any], key: str) -> bool:
        return bool((schema.get("properties") or {}).get(key, {}).get("nullable"))

    def check_array(self, value: list[Any], schema: dict[str, Any], parts: PathParts) -> None:
        self.check_size(len(value), schema.get("minItems"), schema.get("maxItems"), parts, "item(s)", "item(s)")
        items = schema.get("items")
        if isinstance(items, dict):
            for position, child in enumerate(value):
                if child is not None:
                    self.check(child, items, (*parts, position))
        self.check_list_type(value, schema, parts)

    def check_size(self, size: int, low: int | None, high: int | None, parts: PathParts, fewest: str,
                   most: str) -> None:
        """minItems/maxItems or minLength/maxLength: `fewest` and `most` name the unit in each message."""
        if low is not None and size < low:
            self.report(parts, "schema-range", f"needs at least {low} {fewest}, has {size}")
        if high is not None and size > high:
            self.report(parts, "schema-range", f"allows at most {high} {most}, has {size}")

    def check_list_type(self, value: list[Any], schema: dict[str, Any], parts: PathParts) -> None:
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set":
            keys = [repr(item) for item in value]
        elif list_type == "map":
            names = schema.get("x-kubernetes-list-map-keys", ())
            keys = [
                ", ".join(f"{n}={item.get(n)!r}" for n in names) if isinstance(item, dict) else repr(item)
                for item in value
            ]
        else:
            return
        seen: set[str] = set()
        for position, key in enumerate(keys):
            if key in seen:
                self.report((*parts, position), "schema-unique", f"duplicate entry {key} in a {list_type} list")
            seen.add(key)

    def check_string(self, value: str, schema: dict[str, Any], parts: PathParts) -> None:
        self.check_size(len(value), schema.get("minLength"), schema.get("maxLength"), parts, "character(s)",
                        "characters")
        pattern = schema.get("pattern")
        if pattern is not None and not _pattern(pattern).search(value):
            self.report(parts, "schema-pattern", f"{value!r} does not match the pattern {pattern!r}")
        string_format = schema.get("format")
        if string_format == "byte":
            try:
                base64.b64decode(value, validate=True)
            except binascii.Error:
                self.report(parts, "schema-pattern", f"{value!r:.60} is not base64 (format byte)")
        elif string_format == "date-time":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                self.report(parts, "schema-pattern", f"{value!r} is not an RFC 3339 date-time")

    def check_number(self, value: int | float, schema: dict[str, Any], parts: PathParts) -> None:
        bounds = _INT_RANGES.get(schema.get("format", ""))
        if bounds and isinstance(value, int) and not bounds[0] <= value <= bounds[1]:
            self.report(parts, "schema-range", f"{value} is outside {schema['format']} ({bounds[0]}..{bounds[1]})")
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low:
            self.report(parts, "schema-range", f"{value} is below the minimum {low}")
        if high is not None and value > high:
            self.report(parts, "schema-range", f"{value} is above the maximum {high}")

    def check_cel(self, value: Any, validation: dict[str, Any], parts: PathParts) -> None:
        rule = validation["rule"]
        outcome = evaluate_rule(rule, value)
        if outcome.passed:
            return
        message = validation.get("message") or f"failed CEL rule {rule!r}"
        if outcome.unsupported:
            self.report(parts, "crd-cel-unsupported", f"cannot check {message!r} ({rule}): {outcome.detail}")
        else:
            detail = f" ({outcome.detail})" if outcome.detail else ""
            self.report(parts, "crd-cel", f"{message}{detail}")


def check_schema(document: Document, schema: dict[str, Any]) -> list[Finding]:
    """Every structural-schema and CEL finding for one document against its kind's openAPIV3Schema."""
    walk = _SchemaWalk(document)
    walk.check(document.data, schema, ())
    return walk.findings
