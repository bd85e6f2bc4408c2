"""Fan-out (`withItems`, `withParam`, `withSequence`) and the variables a finished node offers its successors."""

from __future__ import annotations

import json
from typing import Any

from argo_toolset.runner.expressions.substitution import render_value
from argo_toolset.runner.results import NodeResult, NodeType


class FanOutError(ValueError):
    """A fan-out source that is not a list."""


def expansion_items(task: dict) -> list[Any] | None:
    """The items a task or step fans out over (after substitution); None when it does not fan out.

    Raises:
        FanOutError: withParam is not a JSON list, or withSequence is malformed.
    """
    if "withItems" in task:
        return list(task["withItems"] or [])
    if "withParam" in task:
        raw = task["withParam"]
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list):
            raise FanOutError(f"withParam value could not be parsed as a JSON list: {str(raw).strip()}")
        return items
    if "withSequence" in task:
        return _sequence(task["withSequence"])
    return None


def _sequence(sequence: dict) -> list[str]:
    try:
        start = int(sequence.get("start", 0))
        if "count" in sequence:
            end = start + int(sequence["count"]) - 1
        else:
            end = int(sequence["end"])
    except (KeyError, TypeError, ValueError) as error:
        raise FanOutError(f"withSequence needs integer count or end (and start): {sequence}") from error
    step = 1 if end >= start else -1
    pattern = sequence.get("format")
    return [pattern % number if pattern else str(number) for number in range(start, end + step, step)]


def item_variables(item: Any) -> dict[str, str]:
    """`{{item}}` (a list or object as JSON) and, for an object, `{{item.key}}` per key."""
    variables = {"item": render_value(item)}
    if isinstance(item, dict):
        variables.update({f"item.{key}": render_value(value) for key, value in item.items()})
    return variables


def item_label(index: int, item: Any) -> str:
    """The `(index:desc)` suffix Argo gives an expanded node's name."""
    if isinstance(item, dict):
        desc = ",".join(sorted(f"{key}:{render_value(value)}" for key, value in item.items()))
    elif isinstance(item, list):
        desc = "[" + " ".join(render_value(value) for value in item) + "]"
    else:
        desc = render_value(item)
    return f"({index}:{desc})"


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _aggregated(values: list[str]) -> str:
    """One output parameter of a fan-out's children as Argo's controller lists it: the values as JSON objects or
    arrays when every one of them is one, else as strings (`aggregatedJSONValueList`)."""
    parsed = [_json_or_text(value) for value in values]
    structured = all(isinstance(value, (dict, list)) for value in parsed)
    return json.dumps(parsed if structured else values, separators=(",", ":"))


def node_variables(prefix: str, node: NodeResult, expanded: list[NodeResult] | None = None) -> dict[str, str]:
    """What `{{tasks.X.*}}` / `{{steps.X.*}}` resolve to once X has finished.

    A fanned-out X aggregates its succeeded children as Argo's controller does (`processAggregateNodeOutputs`):
    `outputs.parameters` is a list of each child's parameters by name, each `outputs.parameters.<name>` the list of
    that parameter's values, and `outputs.result` the list of results (values that parse as JSON kept structured).
    """
    variables = {f"{prefix}.status": node.phase.value, f"{prefix}.id": node.name}
    if node.started_at:
        variables[f"{prefix}.startedAt"] = node.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if node.finished_at:
        variables[f"{prefix}.finishedAt"] = node.finished_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if expanded is not None:
        succeeded = [child for child in expanded if child.phase.value == "Succeeded"]
        variables[f"{prefix}.outputs.parameters"] = json.dumps(
            [child.outputs.parameters for child in succeeded if child.outputs.parameters], separators=(",", ":"),
            sort_keys=True)
        names = sorted({name for child in succeeded for name in child.outputs.parameters})
        for name in names:
            variables[f"{prefix}.outputs.parameters.{name}"] = _aggregated(
                [child.outputs.parameters[name] for child in succeeded if name in child.outputs.parameters])
        results = [_json_or_text(child.outputs.result) for child in succeeded if child.outputs.result is not None]
        variables[f"{prefix}.outputs.result"] = json.dumps(results, separators=(",", ":"))
        return variables
    for name, value in node.outputs.parameters.items():
        variables[f"{prefix}.outputs.parameters.{name}"] = value
    if node.outputs.result is not None:
        variables[f"{prefix}.outputs.result"] = node.outputs.result
    if node.outputs.exit_code is not None:
        variables[f"{prefix}.exitCode"] = str(node.outputs.exit_code)
    return variables


def group_children(node: NodeResult) -> list[NodeResult] | None:
    """The item nodes of a TaskGroup, else None (the node did not fan out)."""
    return node.children if node.type is NodeType.TASK_GROUP else None
