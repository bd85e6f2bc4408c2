"""Load job configs: merge each over its folder's defaults.yaml, validate everything, report every error at once."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from contract import values
from generator.config.models import JobConfig
from generator.config.sql_rules import idempotency_warnings
from generator.config.yaml_source import read_mapping
from generator.errors import ConfigError, ConfigIssue

DEFAULTS_FILE = "defaults.yaml"
# The SQL travels inside the generated spec; Kubernetes objects are capped near 1.5 MB.
MAX_SQL_BYTES = 256 * 1024


@dataclass(frozen=True)
class LoadedJob:
    """A validated job: its typed config, where it came from, the prepare SQL text (if any), and warnings about
    what is allowed but likely wrong (printed by `build`, never failing it)."""

    config: JobConfig
    path: Path
    prepare_sql: str | None
    warnings: tuple[ConfigIssue, ...] = ()


def job_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their job configs (every *.yaml but defaults.yaml), sorted; files stay as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.name != DEFAULTS_FILE)
            )
        else:
            found.append(path)
    return found


def load_job(path: Path) -> LoadedJob:
    """Load one job config; raise ConfigError listing every problem."""
    return load_jobs([path])[0]


def load_jobs(paths: list[Path]) -> list[LoadedJob]:
    """Load and validate every job config under paths; raise one ConfigError listing every problem in all."""
    files = job_files(paths)
    issues: list[ConfigIssue] = []
    if not files:
        raise ConfigError([ConfigIssue(", ".join(map(str, paths)), "", "no job configs (*.yaml) found")])
    defaults_cache: dict[Path, tuple[dict[str, Any], list[ConfigIssue]]] = {}
    loaded: list[LoadedJob] = []
    for path in files:
        defaults_path = path.parent / DEFAULTS_FILE
        if defaults_path not in defaults_cache:
            defaults_cache[defaults_path] = _read_defaults(defaults_path)
            issues.extend(defaults_cache[defaults_path][1])
        job, job_issues = _load_one(path, defaults_path, defaults_cache[defaults_path][0])
        issues.extend(job_issues)
        if job is not None:
            loaded.append(job)
    if issues:
        raise ConfigError(issues)
    return loaded


def _read_defaults(path: Path) -> tuple[dict[str, Any], list[ConfigIssue]]:
    if not path.exists():
        return {}, []
    data, issues = read_mapping(path)
    return data or {}, issues


def _load_one(path: Path, defaults_path: Path, defaults: dict[str, Any]) -> tuple[LoadedJob | None, list[ConfigIssue]]:
    if not path.is_file():
        return None, [ConfigIssue(str(path), "", "file not found")]
    data, issues = read_mapping(path)
    if data is None:
        return None, issues
    merged = deep_merge(defaults, data)

    def source_of(loc: tuple[Any, ...]) -> str:
        # Blame the job file when it wrote the key; a key it never wrote came from the defaults, if they have it.
        return str(path) if _has_key_path(data, loc) or not _has_key_path(defaults, loc) else str(defaults_path)

    # Checks on files and across keys read the raw values too, so they are reported with the schema errors.
    issues = _cross_checks(merged, path)
    sql_text, sql_issues = _read_prepare_sql(merged, path)
    issues.extend(sql_issues)
    try:
        config = JobConfig.model_validate(merged)
    except ValidationError as error:
        return None, [_issue_from_pydantic(entry, source_of) for entry in error.errors()] + issues
    if issues:
        return None, issues
    warnings = tuple(ConfigIssue(str(path), "prepare.sql", message)
                     for message in idempotency_warnings(sql_text or ""))
    return LoadedJob(config=config, path=path, prepare_sql=sql_text, warnings=warnings), []


def _has_key_path(node: Any, loc: tuple[Any, ...]) -> bool:
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return False
    return True


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge override into base recursively: mappings merge, everything else (lists too) is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _section(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _cross_checks(raw: dict[str, Any], path: Path) -> list[ConfigIssue]:
    """Rules that span several keys; each names the one key to fix. Runs on raw values, before the schema."""
    shown = str(path)
    issues = []
    name = raw.get("name")
    if isinstance(name, str) and name != path.stem:
        issues.append(
            ConfigIssue(
                shown,
                "name",
                f"{name!r} must equal the file name {path.stem!r} (conf/<name>.yaml pairs with workflows/<name>.yaml)",
            )
        )
    id_columns = _section(raw, "input").get("id_columns")
    partition_column = _section(raw, "output").get("partition_column")
    score_column = _section(raw, "output").get("score_column", "score")
    taken = {c for c in (id_columns if isinstance(id_columns, list) else []) + [partition_column] if isinstance(c, str)}
    if isinstance(score_column, str) and score_column in taken:
        issues.append(
            ConfigIssue(
                shown,
                "output.score_column",
                f"{score_column!r} collides with an id or partition column ({', '.join(sorted(taken))})",
            )
        )
    return issues


def _read_prepare_sql(raw: dict[str, Any], path: Path) -> tuple[str | None, list[ConfigIssue]]:
    """Read the prepare SQL (relative to the config) and check its ${...} placeholders are all declared."""
    prepare = _section(raw, "prepare")
    sql = prepare.get("sql")
    if not isinstance(sql, str) or not sql:
        return None, []  # absent or mistyped: the schema reports it
    shown = str(path)
    sql_path = Path(sql) if Path(sql).is_absolute() else path.parent / sql
    if not sql_path.is_file():
        return None, [ConfigIssue(shown, "prepare.sql", f"SQL file {str(sql_path)!r} does not exist")]
    if sql_path.stat().st_size > MAX_SQL_BYTES:
        return None, [ConfigIssue(shown, "prepare.sql", f"SQL file is larger than {MAX_SQL_BYTES} bytes")]
    try:
        text = sql_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [ConfigIssue(shown, "prepare.sql", f"SQL file {str(sql_path)!r} is not UTF-8 text")]
    if not text.strip():
        return None, [ConfigIssue(shown, "prepare.sql", f"SQL file {str(sql_path)!r} is empty")]
    variables = prepare.get("variables")
    declared = {"ds", *(variables if isinstance(variables, dict) else {})}
    undeclared = sorted(set(values.SQL_PLACEHOLDER.findall(text)) - declared)
    if undeclared:
        return None, [
            ConfigIssue(
                shown,
                "prepare.variables",
                f"SQL file {str(sql_path)!r} uses undeclared ${{{undeclared[0]}}}; "
                f"allowed: {', '.join('${' + n + '}' for n in sorted(declared))}"
                " (declare more under prepare.variables)",
            )
        ]
    return text, []


def _issue_from_pydantic(entry: dict[str, Any], source_of) -> ConfigIssue:
    loc = tuple(entry["loc"])
    key = ".".join(str(part) for part in loc)
    kind = entry["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        message = f"unknown key; allowed: {', '.join(allowed)}" if allowed else "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "literal_error":
        expected = entry.get("ctx", {}).get("expected", "")
        message = f"got {entry['input']!r}; allowed: {expected}"
    else:
        text = entry["msg"].removeprefix("Value error, ")
        shown_input = entry.get("input")
        if kind != "value_error" and not isinstance(shown_input, dict | list):
            text = f"{text} (got {shown_input!r})"
        message = text
    return ConfigIssue(source_of(loc), key, message)


def config_keys(model: type[BaseModel]) -> dict[str, str]:
    """The keys a config section accepts, as written in a file (a field's alias, else its name) -> field name."""
    return {field.alias or name: name for name, field in model.model_fields.items()}


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys a config section accepts, found by walking the models along loc (keys as a file spells them)."""
    model: Any = JobConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = config_keys(model).get(part)
        model = _model_in(model.model_fields[field].annotation) if field else None
        if model is None:
            return []
    return list(config_keys(model))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
