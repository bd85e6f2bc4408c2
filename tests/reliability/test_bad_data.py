"""Bad feature data through `python -m jobs.score`: nulls, NaN, infinities, a BIGINT where the model expects a
double, extra columns. Defined behaviour (documented in docs/STEPS.md and docs/RELIABILITY.md): compatible
types are cast, extra columns are ignored and never reach the output, NULL and NaN reach the model as NaN, and
the stored scores equal what the model itself predicts on the same values."""

from __future__ import annotations

import uuid

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.integration.helpers import create_partitioned_table, read_frame, run_step
from tests.reliability.conftest import INPUT_DS
from tests.reliability.helpers import score_args

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_nulls_nan_infinities_bigint_and_extra_columns_score_as_the_model_predicts(
        rel_model, rel_frame, test_database, local_stack, hive_cursor, step_env, tmp_path):
    frame = rel_frame.head(60).copy()
    frame["mean_area"] = frame["mean_area"].round().astype("int64")  # BIGINT column, model expects double
    frame["note"] = "free text"  # extra columns the model never asked for
    frame["extra_value"] = 1.5
    nan_rows, null_rows, inf_rows = slice(0, 10), slice(10, 20), slice(20, 25)
    columns = {name: pa.array(frame[name].to_numpy(), from_pandas=False) for name in frame.columns}
    radius = frame["mean_radius"].to_numpy().copy()
    radius[nan_rows] = np.nan  # a real IEEE NaN in the Parquet file, not a NULL
    columns["mean_radius"] = pa.array(radius, from_pandas=False)
    texture = frame["mean_texture"].to_numpy().copy()
    mask = np.zeros(len(frame), dtype=bool)
    mask[null_rows] = True
    columns["mean_texture"] = pa.array(texture, mask=mask)  # SQL NULLs
    smoothness = frame["mean_smoothness"].to_numpy().copy()
    smoothness[inf_rows] = np.inf
    columns["mean_smoothness"] = pa.array(smoothness)

    table = f"{test_database}.dirty_features"
    create_partitioned_table(hive_cursor, table, frame)
    folder = local_stack.warehouse_dir / "_test_input" / table / uuid.uuid4().hex[:8]
    folder.mkdir(parents=True)
    pq.write_table(pa.table(columns), folder / "part-0.parquet")
    hive_cursor.execute(f"ALTER TABLE {table} ADD PARTITION (dt='{INPUT_DS}') LOCATION '{folder.as_uri()}'")
    hive_cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE dt = '{INPUT_DS}' AND isnan(mean_radius)")
    assert hive_cursor.fetchone()[0] == 10  # Hive really sees NaN (not NULL) in those rows

    output = f"{test_database}.dirty_scores"
    result = run_step("score", score_args(rel_model, table, output, INPUT_DS, tmp_path), step_env)
    assert result.returncode == 0, result.stderr[-3000:]

    scored = read_frame(hive_cursor, f"SELECT * FROM {output} WHERE dt = '{INPUT_DS}'").sort_values("id")
    assert list(scored.columns) == ["id", "score", "model_name", "model_version", "model_run_id", "scored_at", "dt"]
    import mlflow.pyfunc

    expected_input = frame.drop(columns=["id", "note", "extra_value"]).astype("float64")
    expected_input["mean_radius"], expected_input["mean_texture"] = radius, np.where(mask, np.nan, texture)
    expected_input["mean_smoothness"] = smoothness
    expected = mlflow.pyfunc.load_model(rel_model.pinned_uri).predict(expected_input)
    np.testing.assert_allclose(scored["score"].to_numpy(dtype="float64"), expected, rtol=1e-9)
