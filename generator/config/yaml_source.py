"""Reading config YAML strictly: duplicate keys, non-mappings, oversized, over-deep or alias-bomb files are errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigIssue

# A config is a few dozen lines; anything near this size is a mistake (or an attack on the parser).
MAX_CONFIG_BYTES = 256 * 1024
# A config nests four or five levels. PyYAML's composer recurses per level: 1,000 nested `[` (1 KB) exceed
# Python's default recursion limit (5,000 under `build`, where cel-python's import raises it to 2,500) and crash
# it with a RecursionError, so nesting is counted and refused far below that.
MAX_DEPTH = 32
# Aliases share a node instead of copying it, so a few lines can stand for billions of values
# ("billion laughs") that the schema check would then walk; the expanded count is computed without expanding.
MAX_VALUES = 100_000


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which plain YAML silently resolves to the last one, and nesting
    deeper than MAX_DEPTH (before the composer's recursion gets anywhere near Python's limit)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a {type(key).__name__} cannot be a key", key_node.start_mark) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_mapping(path: Path) -> tuple[dict[str, Any] | None, list[ConfigIssue]]:
    """Parse one YAML file that must hold a single mapping; return it, or the issues that prevent it."""
    shown = str(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        return None, [ConfigIssue(shown, "", f"cannot read file: {error.strerror}")]
    if size > MAX_CONFIG_BYTES:
        return None, [ConfigIssue(shown, "", f"file too large for a config: {size} bytes, allowed at most "
                                             f"{MAX_CONFIG_BYTES} bytes; refused before parsing")]
    try:
        data = _parse(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [ConfigIssue(shown, "", "file is not UTF-8 text")]
    except yaml.YAMLError as error:
        return None, [ConfigIssue(shown, "", f"invalid YAML: {_describe_yaml_error(error)}")]
    if data is None:
        return None, [ConfigIssue(shown, "", "file is empty; expected a mapping of config keys")]
    if not isinstance(data, dict):
        return None, [ConfigIssue(shown, "", f"expected a mapping of config keys, got a {type(data).__name__}")]
    bad_keys = [key for key in data if not isinstance(key, str)]
    if bad_keys:
        return None, [ConfigIssue(shown, str(bad_keys[0]), "keys must be strings")]
    return data, []


def _parse(text: str) -> Any:
    """One YAML document, composed, checked for depth and alias expansion, then constructed."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that aliases expand past MAX_VALUES values or MAX_DEPTH levels, or that contains
    itself through an alias; sizes and heights are memoized per shared node, so nothing is ever expanded."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels) when expanded
    open_nodes: set[int] = set()

    def refuse(problem: str, node: yaml.Node) -> None:
        raise yaml.composer.ComposerError(None, None, problem, node.start_mark)

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        # Descent stops at MAX_DEPTH, so this recursion stays far from Python's limit.
        if depth > MAX_DEPTH:
            refuse(f"aliases nest values deeper than {MAX_DEPTH} levels", node)
        key = id(node)
        if key in open_nodes:
            refuse("an alias refers to a collection that contains it", node)
        if key not in measured:
            open_nodes.add(key)
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            else:
                children = []
            values, levels = 1, 1
            for child in children:
                child_values, child_levels = measure(child, depth + 1)
                values, levels = values + child_values, max(levels, child_levels + 1)
                if values > MAX_VALUES:
                    refuse(f"anchors and aliases expand to more than {MAX_VALUES} values", node)
            open_nodes.discard(key)
            measured[key] = (values, levels)
        if depth + measured[key][1] - 1 > MAX_DEPTH:
            refuse(f"aliases nest values deeper than {MAX_DEPTH} levels", node)
        return measured[key]

    measure(root, 1)


def _describe_yaml_error(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.reader.ReaderError):  # its str() spans two lines and names no line
        character = chr(error.character) if isinstance(error.character, int) else error.character
        return f"character {character!r} is not allowed in YAML, at character {error.position + 1}"
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return problem
