"""The model's own environment on a real Spark standalone cluster: shipped as an archive Spark distributes.

The executors do not read the step's cache: the environment is packed once beside it and added to the session
(`SparkContext.addArchive`); each executor unpacks it and starts the model process from its own copy.
"""

from __future__ import annotations

import importlib.metadata
import sys
import uuid

import mlflow
import numpy as np
import pytest

from bench.cluster import StandaloneCluster
from demo.model import register_pyfunc_model
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import read_frame, run_step

pytestmark = [pytest.mark.slow, pytest.mark.integration]
# What the model needs, at the image's versions; mlflow-skinny, not mlflow (the server package), keeps it small.
LEAN = ["mlflow-skinny", "scikit-learn", "numpy", "pandas", "cloudpickle"]


@pytest.mark.timeout(1200)
def test_own_environment_ships_to_standalone_executors(local_stack, cancer_input, cancer_frame, hive_cursor,
                                                       test_database, step_env, tmp_path):
    model = register_pyfunc_model(f"it_own_{uuid.uuid4().hex[:6]}", tracking_uri=local_stack.mlflow_uri,
                                  requirements=[f"{n}=={importlib.metadata.version(n)}" for n in LEAN])
    output = f"{test_database}.own_env_cluster"
    with StandaloneCluster(tmp_path / "spark-cluster", workers=2, cores=1, memory="1g") as cluster:
        args = [
            "--ds", INPUT_DS, "--model-uri", model.pinned_uri, "--model-name", model.name,
            "--model-version", model.version, "--model-run-id", model.run_id, "--model-environment", "own",
            "--environment-cache", str(tmp_path / "cache"),
            "--input-table", cancer_input, "--input-partition-column", "dt", "--id-column", "id",
            "--output-table", output, "--output-partition-column", "dt", "--spark-master", cluster.master_url,
            "--work-dir", str(tmp_path / "step"), "--out-dir", str(tmp_path / "step" / "outputs"),
        ]  # fmt: skip
        for key, value in cluster.executor_conf().items():
            args += ["--spark-conf", f"{key}={value}"]
        scored = run_step("score", args, dict(step_env, PYSPARK_PYTHON=sys.executable))
        assert scored.returncode == 0, scored.stderr[-4000:]
        assert "score: model environment own" in scored.stdout and " built in " in scored.stdout
    packed = list((tmp_path / "cache").glob("*.tar.gz"))
    assert len(packed) == 1  # what the executors got instead of the cache path
    unpacked = list((tmp_path / "spark-cluster").rglob(packed[0].name))
    assert unpacked, "no executor unpacked the environment archive"

    mlflow.set_tracking_uri(local_stack.mlflow_uri)
    expected = np.asarray(mlflow.pyfunc.load_model(model.pinned_uri).predict(cancer_frame.drop(columns=["id"])),
                          dtype="float64")
    scores = read_frame(hive_cursor, f"SELECT id, score FROM {output} WHERE dt = '{INPUT_DS}'").sort_values("id")
    by_id = dict(zip(cancer_frame["id"], expected, strict=True))
    assert len(scores) == len(cancer_frame)
    assert np.allclose(scores["score"].to_numpy(), [by_id[i] for i in scores["id"]], rtol=0, atol=1e-9)
