"""Bad data through `python -m jobs.score`: nulls, NaN, infinities, a BIGINT where the model expects a double,
extra columns; and a model that itself returns NaN and infinities. Defined behaviour (documented in docs/STEPS.md
and docs/RELIABILITY.md): compatible types are cast, extra columns are ignored and never reach the output, NULL
and NaN reach the model as NaN, the stored scores equal what the model itself predicts on the same values, and
NaN or infinite scores are stored as SQL NULL."""

from __future__ import annotations

import sys
import uuid

import cloudpickle
import mlflow
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mlflow.models import infer_signature

from demo.model import RegisteredModel, installed_requirements
from tests.integration.helpers import create_partitioned_table, load_partition, read_frame, run_step
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


class NonFiniteScores(mlflow.pyfunc.PythonModel):
    """Returns `value` where `code` is 0, and NaN, +inf or -inf where `code` is 1, 2 or 3."""

    def predict(self, context, model_input, params=None):
        code = model_input["code"].to_numpy()
        return np.select([code == 1, code == 2, code == 3], [np.nan, np.inf, -np.inf],
                         model_input["value"].to_numpy(dtype="float64"))


@pytest.fixture(scope="module")
def non_finite_model(mlflow_client, local_stack) -> RegisteredModel:
    """NonFiniteScores registered in the stack's MLflow (pickled by value: the step loads it without this repo)."""
    frame = pd.DataFrame({"code": [0.0, 1.0, 2.0, 3.0], "value": [0.25, 0.5, 0.75, 1.0]})
    model = NonFiniteScores()
    name = f"rel_non_finite_{uuid.uuid4().hex[:6]}"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        mlflow.set_experiment("reliability-models")
        with mlflow.start_run(run_name=f"train-{name}") as run:
            info = mlflow.pyfunc.log_model(
                name="model", python_model=model, registered_model_name=name,
                signature=infer_signature(frame, model.predict(None, frame)), pip_requirements=installed_requirements())
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    return RegisteredModel(name, str(info.registered_model_version), run.info.run_id, "")


@pytest.mark.parametrize("file_io", ["auto", "spark"])
def test_nan_and_infinite_scores_are_stored_as_null(file_io, non_finite_model, test_database, local_stack,
                                                    hive_cursor, step_env, tmp_path):
    ids = np.arange(40, dtype="int64")
    frame = pd.DataFrame({"id": ids, "code": (ids % 4).astype("float64"), "value": ids / 100.0})
    model_output = NonFiniteScores().predict(None, frame[["code", "value"]])
    assert [int(np.isnan(model_output).sum()), int(np.isposinf(model_output).sum()),
            int(np.isneginf(model_output).sum())] == [10, 10, 10]  # the model really returns NaN, +inf and -inf
    table, output = f"{test_database}.non_finite_input", f"{test_database}.non_finite_scores_{file_io}"
    load_partition(hive_cursor, local_stack, table, frame, INPUT_DS)

    result = run_step("score", score_args(non_finite_model, table, output, INPUT_DS, tmp_path, "--file-io", file_io),
                      step_env)

    assert result.returncode == 0, result.stderr[-3000:]
    assert f"file io {'direct' if file_io == 'auto' else 'spark'}" in result.stdout  # the path this case claims
    where = f"FROM {output} WHERE dt = '{INPUT_DS}'"
    hive_cursor.execute(f"SELECT id {where} AND score IS NULL ORDER BY id")
    assert [row[0] for row in hive_cursor.fetchall()] == ids[frame["code"] != 0].tolist()  # NaN, +inf, -inf alike
    hive_cursor.execute(f"SELECT COUNT(*) {where} AND (isnan(score) OR score IN (CAST('Infinity' AS DOUBLE), "
                        f"CAST('-Infinity' AS DOUBLE)))")
    assert hive_cursor.fetchone()[0] == 0  # no NaN or infinity stored as such
    hive_cursor.execute(f"SELECT id, score {where} AND score IS NOT NULL ORDER BY id")
    finite = hive_cursor.fetchall()
    assert finite == [(int(i), float(v)) for i, v in zip(ids[::4], frame["value"][::4], strict=True)]
