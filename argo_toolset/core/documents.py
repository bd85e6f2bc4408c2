"""Strict YAML reading: every document of a stream, duplicate keys and parse errors turned into findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from argo_toolset.core.findings import Finding

WORKFLOW_API_VERSION = "argoproj.io/v1alpha1"
# kind -> the CRD's plural name (the file `argoproj.io_<plural>.yaml` in a CRD dir).
WORKFLOW_KINDS: dict[str, str] = {
    "Workflow": "workflows",
    "WorkflowTemplate": "workflowtemplates",
    "ClusterWorkflowTemplate": "clusterworkflowtemplates",
    "CronWorkflow": "cronworkflows",
}


class _StrictLoader(yaml.CSafeLoader):
    """Safe loader that records repeated mapping keys and keeps timestamps as strings.

    Kubernetes converts YAML to JSON, where an unquoted date stays a string; PyYAML would make it a
    datetime, so the timestamp resolver is dropped. A repeated key silently wins in PyYAML; here it is
    recorded so the linter can report it.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Compare scalar keys as written (tag + text): no second construction of every key.
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                self.duplicate_keys.append((key_node.start_mark.line + 1, key_node.value))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)


def document_name(data: Any) -> str:
    """metadata.name, else metadata.generateName (how a Workflow is usually submitted from a file), else ""."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(metadata, dict):
        return ""
    for key in ("name", "generateName"):
        if isinstance(metadata.get(key), str) and metadata[key]:
            return metadata[key]
    return ""


def template_ref_kind(ref: dict[str, Any]) -> str:
    """The kind a `templateRef` or `workflowTemplateRef` points at (`clusterScope: true`: the cluster-wide one)."""
    return "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"


@dataclass(frozen=True)
class Document:
    """One parsed YAML document of a lint run.

    Attributes:
        source: the file name (or label) it came from.
        index: 1-based position in that file.
        data: the parsed document (a mapping for any sensible spec).
    """

    source: str
    index: int
    data: Any

    @property
    def kind(self) -> str:
        kind = self.data.get("kind") if isinstance(self.data, dict) else None
        return kind if isinstance(kind, str) and kind else "?"

    @property
    def name(self) -> str:
        """metadata.name; `<generateName>*` for a generated name; `?` when it has neither."""
        name = document_name(self.data)
        if not name:
            return "?"
        return name if isinstance(self.data["metadata"].get("name"), str) else f"{name}*"

    def finding(self, path: str, rule: str, message: str) -> Finding:
        """A finding located in this document."""
        return Finding(self.source, self.index, self.kind, self.name, path, rule, message)


def parse_documents(text: str, source: str) -> tuple[list[Document], list[Finding]]:
    """Split a YAML stream into documents, reporting parse errors and duplicate keys.

    Args:
        text: the YAML stream (one or more documents separated by `---`).
        source: the file name used in findings.

    Returns:
        The non-empty documents parsed before any syntax error, and the `yaml` findings.
    """
    loader = _StrictLoader(text)
    documents: list[Document] = []
    findings: list[Finding] = []
    position = 0
    try:
        while loader.check_node():
            position += 1
            node = loader.get_node()
            reported = len(loader.duplicate_keys)
            data = loader.construct_document(node)
            document = Document(source, position, data)
            for line, key in loader.duplicate_keys[reported:]:
                findings.append(document.finding(f"line {line}", "yaml", f"duplicate key {key!r}"))
            if data is not None:
                documents.append(document)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "<root>"
        problem = getattr(error, "problem", None) or str(error)
        findings.append(Finding(source, max(position, 1), "?", "?", where, "yaml", f"invalid YAML: {problem}"))
    finally:
        loader.dispose()
    return documents, findings


def check_kind(document: Document) -> list[Finding]:
    """The document must be a mapping with Argo's apiVersion and one of the workflow kinds."""
    data = document.data
    if not isinstance(data, dict):
        return [document.finding("<root>", "kind", f"a document must be a mapping, got {type(data).__name__}")]
    findings = []
    if data.get("apiVersion") != WORKFLOW_API_VERSION:
        findings.append(
            document.finding(
                "apiVersion", "kind", f"apiVersion is {data.get('apiVersion')!r}; expected {WORKFLOW_API_VERSION!r}"
            )
        )
    if data.get("kind") not in WORKFLOW_KINDS:
        findings.append(
            document.finding("kind", "kind", f"kind is {data.get('kind')!r}; allowed: {', '.join(WORKFLOW_KINDS)}")
        )
    return findings


PathParts = tuple[str | int, ...]


def format_path(parts: PathParts) -> str:
    """`("spec", "templates", 0, "name")` -> `spec.templates[0].name`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"
