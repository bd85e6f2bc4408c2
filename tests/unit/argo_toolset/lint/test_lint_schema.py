"""The structural-schema walker on small hand-written schemas (each keyword the Argo CRDs use)."""

from __future__ import annotations

from typing import Any

import pytest

from argo_toolset.core.documents import Document
from argo_toolset.lint.schema import check_schema

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["spec"],
    "properties": {
        "kind": {"type": "string"},
        "spec": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 5, "minLength": 1, "pattern": "^[a-z]+$"},
                "count": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10},
                "ratio": {"type": "number"},
                "flag": {"type": "boolean"},
                "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                "mode": {"type": "string", "enum": ["a", "b"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"x-kubernetes-preserve-unknown-fields": True},
                "maybe": {"type": "string", "nullable": True},
                "data": {"type": "string", "format": "byte"},
                "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set", "maxItems": 3},
                "ports": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"name": {"type": "string"}}},
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                },
            },
        },
    },
}


def _findings(spec: dict[str, Any]) -> set[tuple[str, str]]:
    document = Document("t.yaml", 1, {"kind": "Workflow", "spec": spec})
    return {(f.rule, f.path) for f in check_schema(document, SCHEMA)}


def test_a_conforming_value_has_no_findings() -> None:
    spec = {
        "name": "ab",
        "count": 3,
        "ratio": 1,
        "flag": True,
        "port": "http",
        "mode": "a",
        "labels": {"x": "y"},
        "free": {"anything": [1, {"goes": None}]},
        "maybe": None,
        "data": "aGk=",
        "tags": ["x", "y"],
        "ports": [{"name": "a"}, {"name": "b"}],
    }
    assert _findings(spec) == set()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, ("schema-required", "spec.name")),
        ({"name": None}, ("schema-required", "spec.name")),
        ({"name": "ab", "extra": 1}, ("unknown-field", "spec.extra")),
        ({"name": 5}, ("schema-type", "spec.name")),
        ({"name": "ab", "count": True}, ("schema-type", "spec.count")),
        ({"name": "ab", "count": 1.5}, ("schema-type", "spec.count")),
        ({"name": "ab", "flag": "yes"}, ("schema-type", "spec.flag")),
        ({"name": "ab", "port": 1.5}, ("schema-type", "spec.port")),
        ({"name": "ab", "labels": {"x": 1}}, ("schema-type", "spec.labels.x")),
        ({"name": "abcdef"}, ("schema-range", "spec.name")),
        ({"name": ""}, ("schema-range", "spec.name")),
        ({"name": "AB"}, ("schema-pattern", "spec.name")),
        ({"name": "ab", "count": 11}, ("schema-range", "spec.count")),
        ({"name": "ab", "count": -1}, ("schema-range", "spec.count")),
        ({"name": "ab", "count": 2**31}, ("schema-range", "spec.count")),
        ({"name": "ab", "mode": "c"}, ("schema-enum", "spec.mode")),
        ({"name": "ab", "data": "not base64!"}, ("schema-pattern", "spec.data")),
        ({"name": "ab", "tags": ["a", "b", "c", "d"]}, ("schema-range", "spec.tags")),
        ({"name": "ab", "tags": ["a", "a"]}, ("schema-unique", "spec.tags[1]")),
        ({"name": "ab", "ports": [{"name": "a"}, {"name": "a"}]}, ("schema-unique", "spec.ports[1]")),
    ],
)
def test_each_keyword_reports_its_rule(spec: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in _findings(spec)
