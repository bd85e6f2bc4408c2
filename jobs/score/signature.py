"""Check a model's input signature against the input table's columns before anything is scored or written.

Pure over plain type names, so it is unit-tested without Spark or MLflow. Rules (model type <- table types):
  double, float   <- any numeric column (int, bigint, float, double, decimal...), cast to the model's type
  long            <- bigint; int/smallint/tinyint cast to bigint (a fractional column would lose data: refused)
  integer         <- int; smallint/tinyint cast to int
  boolean, string, binary <- the same type only
  datetime        <- timestamp or date (cast to timestamp)
Columns of the table that the model does not name are never passed to it; optional inputs may be missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.common.errors import StepError

INTEGRAL = {"tinyint", "smallint", "int", "bigint"}
FRACTIONAL = {"float", "double"}

# model type -> (spark type the model gets, table types accepted)
_COMPATIBLE: dict[str, tuple[str, set[str]]] = {
    "double": ("double", INTEGRAL | FRACTIONAL | {"decimal"}),
    "float": ("float", INTEGRAL | FRACTIONAL | {"decimal"}),
    "long": ("bigint", INTEGRAL),
    "integer": ("int", {"tinyint", "smallint", "int"}),
    "boolean": ("boolean", {"boolean"}),
    "string": ("string", {"string", "varchar", "char"}),
    "binary": ("binary", {"binary"}),
    "datetime": ("timestamp", {"timestamp", "date", "timestamp_ntz"}),
}


@dataclass(frozen=True)
class ModelInput:
    """One named input of the model's signature.

    Attributes:
        name: column name.
        type: MLflow type name: double, float, long, integer, boolean, string, binary, datetime.
        required: False for optional inputs.
    """

    name: str
    type: str
    required: bool = True


@dataclass(frozen=True)
class FeaturePlan:
    """Which table columns go to the model, and the casts that make their types what the model expects.

    Attributes:
        columns: feature columns, in the model's order.
        casts: column -> Spark type to cast to before scoring.
    """

    columns: list[str]
    casts: dict[str, str] = field(default_factory=dict)


def base_type(spark_type: str) -> str:
    """`decimal(10,2)` -> `decimal`, `varchar(20)` -> `varchar`, `BIGINT` -> `bigint`."""
    return spark_type.split("(", 1)[0].strip().lower()


def plan_features(inputs: list[ModelInput] | None, table_columns: dict[str, str], excluded: set[str],
                  table: str) -> FeaturePlan:
    """Matches model inputs to table columns.

    Args:
        inputs: named signature inputs, or None when the model has no column-based signature (then every
            column except `excluded` is a feature, unchecked).
        table_columns: column name -> Spark type (simpleString) of the input table.
        excluded: id and partition columns, never features unless the model names them.
        table: table name for messages.

    Raises:
        StepError: every missing required column and incompatible type, at once.
    """
    if inputs is None:
        return FeaturePlan([name for name in table_columns if name not in excluded])
    by_lower = {name.lower(): name for name in table_columns}
    problems: list[str] = []
    columns: list[str] = []
    casts: dict[str, str] = {}
    for model_input in inputs:
        actual = by_lower.get(model_input.name.lower())
        if actual is None:
            if model_input.required:
                problems.append(f"column {model_input.name!r} ({model_input.type}) is missing")
            continue
        table_type = base_type(table_columns[actual])
        target, accepted = _COMPATIBLE.get(model_input.type, (None, set()))
        if target is None or table_type not in accepted:
            allowed = ", ".join(sorted(accepted)) or "none (unsupported model type)"
            problems.append(
                f"column {actual!r} is {table_columns[actual]} but the model expects {model_input.type} "
                f"(accepted table types: {allowed})"
            )
            continue
        columns.append(actual)
        if table_type != target:
            casts[actual] = target
    if problems:
        raise StepError(
            f"input table {table} does not match the model's signature; nothing was scored or written:\n  "
            + "\n  ".join(problems)
        )
    return FeaturePlan(columns, casts)
