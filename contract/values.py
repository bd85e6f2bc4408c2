"""The one home of every value rule the config and the steps share: Hive names, dates, SQL variables, model URIs.

The config (generator/config/models.py) checks with these functions at `build` time and the steps
(jobs/common/params.py, jobs/common/registry.py) at run time, so a value the config accepts is a value the step
accepts. Each check returns the value (or what it parses to) and raises ValueError saying what is allowed; each
side adds its own context (a config key, a step option). The `*_RULE` texts are what users read: in errors, in the
Argo UI's parameter descriptions and in the steps' `--help`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MAX_IDENTIFIER = 128
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"

# Unquoted Hive identifiers only: nothing in them can end a statement, open a string or start a comment.
IDENTIFIER = re.compile(_IDENTIFIER)
IDENTIFIER_RULE = f"letters, digits and _, not starting with a digit, at most {MAX_IDENTIFIER} characters"
TABLE = re.compile(rf"(?:{_IDENTIFIER}\.)?{_IDENTIFIER}")
TABLE_RULE = f"'table' or 'database.table', each part {IDENTIFIER_RULE}"

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_RULE = "YYYY-MM-DD, a real calendar date (e.g. 2024-01-31)"

# Values of declared SQL variables go into the prepare SQL as written (Hive's ${name} substitution), so they may
# hold no quote, space, semicolon or comment: `--` would turn the rest of the line into a comment, and so would
# a value ending in `-` written before a `-` in the SQL.
MAX_SQL_VALUE = 128
SQL_VALUE = re.compile(rf"[A-Za-z0-9_.:-]{{1,{MAX_SQL_VALUE}}}")
SQL_VALUE_RULE = (
    f"letters, digits and _ . : - (at most {MAX_SQL_VALUE} characters, no '--', not ending in '-'), "
    f"e.g. eu-west, 10:00, v1.2, -7, db.table; a value shaped like a date must be a real date"
)
# Hive-style placeholders in the prepare SQL: `${ds}`, and Hive's namespaced `${hivevar:ds}` / `${hiveconf:ds}`.
SQL_PLACEHOLDER = re.compile(r"\$\{(?:hivevar:|hiveconf:)?([^}]*)\}")
# Names the steps set themselves; a declared variable may not take them.
RESERVED_VARIABLES = ("ds",)

# MLflow registry URIs only: anything else (s3://, file://, a path) would let whoever types the Argo UI parameter
# point a job at files outside the registry. Names are restricted because they go into MLflow search filters
# (`name='...'`), which have no escaping; MLflow run ids are 32 hex digits.
_MODEL_NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,255}"
# A path inside the run's artifacts: no empty, `.` or `..` segment, so it cannot climb out of them.
_RUN_PATH_SEGMENT = r"(?!\.\.?(?:/|$))[A-Za-z0-9_.\-]{1,255}"
MODEL_URI = re.compile(
    rf"models:/(?P<name>{_MODEL_NAME})(?:@(?P<alias>[A-Za-z0-9_\-]{{1,255}})|/(?P<version>[0-9]{{1,10}}))"
    rf"|runs:/(?P<run_id>[0-9a-f]{{32}})/(?P<path>{_RUN_PATH_SEGMENT}(?:/{_RUN_PATH_SEGMENT})*)"
)
MODEL_URI_FORMS = "models:/<name>@<alias>, models:/<name>/<version> or runs:/<run-id>/<path>"
MODEL_URI_RULE = (
    f"{MODEL_URI_FORMS}: models from the MLflow registry only; <name> letters, digits, _ . - (starting with a "
    f"letter or digit), <alias> letters, digits, _ -, <version> a number, <run-id> 32 lowercase hex digits, "
    f"<path> without . or .. parts"
)


@dataclass(frozen=True)
class ModelUri:
    """A parsed model URI: `alias` or `version` for a registered model, `run_id` and `path` for a run's model."""

    text: str
    name: str | None = None
    alias: str | None = None
    version: str | None = None
    run_id: str | None = None
    path: str | None = None


def check_identifier(value: str) -> str:
    """Returns `value` when it is an unquoted Hive identifier (IDENTIFIER_RULE), else raises ValueError."""
    if not isinstance(value, str) or len(value) > MAX_IDENTIFIER or not IDENTIFIER.fullmatch(value):
        raise ValueError(f"{value!r} is not a Hive identifier; allowed: {IDENTIFIER_RULE}")
    return value


def check_table(value: str) -> str:
    """Returns `value` when it is `table` or `database.table` (TABLE_RULE), else raises ValueError."""
    if not isinstance(value, str) or not TABLE.fullmatch(value) or any(
            len(part) > MAX_IDENTIFIER for part in value.split(".")):
        raise ValueError(f"{value!r} is not a Hive table name; allowed: {TABLE_RULE}")
    return value


def parse_date(value: str) -> dt.date:
    """The calendar date written `value` (DATE_RULE); raises ValueError for `2024-1-5`, `2024-02-30`, `yesterday`."""
    if not isinstance(value, str) or not DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date; expected {DATE_RULE}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a real date ({error}); expected {DATE_RULE}") from None


def check_variable_name(name: str) -> str:
    """Returns `name` when a declared SQL variable may have it: an identifier other than RESERVED_VARIABLES."""
    check_identifier(name)
    if name in RESERVED_VARIABLES:
        raise ValueError(f"{name!r} is set by the step itself (--{name}); choose another variable name")
    return name


def check_sql_value(value: str) -> str:
    """Returns `value` when it may be substituted into SQL as a declared variable (SQL_VALUE_RULE)."""
    if not isinstance(value, str) or not SQL_VALUE.fullmatch(value) or "--" in value or value.endswith("-"):
        raise ValueError(f"{value!r} is not allowed in SQL; allowed: {SQL_VALUE_RULE}")
    if DATE.fullmatch(value):
        parse_date(value)
    return value


def parse_model_uri(value: str) -> ModelUri:
    """The parts of a model URI of one of MODEL_URI_FORMS; raises ValueError naming the accepted forms."""
    match = MODEL_URI.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        hint = ""
        if isinstance(value, str) and re.fullmatch(rf"models:/{_MODEL_NAME}/[A-Za-z]\w*", value):
            hint = " (stages are deprecated in MLflow: use an alias, models:/<name>@<alias>)"
        raise ValueError(f"{value!r} is not supported{hint}; use {MODEL_URI_RULE}")
    return ModelUri(value, **{key: part for key, part in match.groupdict().items() if part is not None})


def check_model_uri(value: str) -> str:
    """Returns `value` when it is one of MODEL_URI_FORMS (see parse_model_uri)."""
    parse_model_uri(value)
    return value

# Where the score step loads and runs the model (jobs/score/environment/, README "Model requirements"):
#   auto  - `own` when a requirement the model pins differs from what the image holds, else `image`;
#   image - in the image's interpreter (missing packages installed, other versions only warned about);
#   own   - in an environment built from the model's requirements.txt, cached by its resolved content.
MODEL_ENVIRONMENTS = ("auto", "image", "own")
MODEL_ENVIRONMENT_DEFAULT = "auto"
MODEL_ENVIRONMENT_RULE = "auto, image or own"
# The cache of `own` environments: an absolute path on a filesystem every step pod (and executor) mounts.
ENVIRONMENT_CACHE_DEFAULT = "/tmp/model-environments"
ENVIRONMENT_CACHE_RULE = "an absolute path without '..' parts (a volume every score pod mounts)"


def check_model_environment(value: str) -> str:
    """One of MODEL_ENVIRONMENTS."""
    if value not in MODEL_ENVIRONMENTS:
        raise ValueError(f"got {value!r}; allowed: {MODEL_ENVIRONMENT_RULE}")
    return value


def check_environment_cache(value: str) -> str:
    """An absolute path without `..` parts."""
    if not value.startswith("/") or ".." in value.split("/") or any(c in value for c in "\n\0"):
        raise ValueError(f"got {value!r}; allowed: {ENVIRONMENT_CACHE_RULE}")
    return value
