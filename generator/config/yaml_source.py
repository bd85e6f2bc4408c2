"""Reading config YAML strictly: duplicate keys, non-mapping documents and oversized files are errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigIssue

# A config is a few dozen lines; anything near this size is a mistake (or an attack on the parser).
MAX_CONFIG_BYTES = 256 * 1024


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which plain YAML silently resolves to the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - strict SafeLoader
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


def _describe_yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return problem
