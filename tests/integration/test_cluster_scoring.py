"""Scale-out: the score step on a real Spark standalone cluster writes the same scores as in local mode.

The cluster (master + 2 workers, 1 core and 1g each, on 127.0.0.1) comes from the pip pyspark package
(bench/cluster.py). Executors run the project's virtualenv Python (PYSPARK_PYTHON), standing in for the image's
environment that holds the model's requirements on every node.
"""

from __future__ import annotations

import sys

import pytest

from bench.cluster import StandaloneCluster
from demo.model import installed_requirements
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import read_frame, run_step

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _score_args(model, input_table: str, output_table: str, master: str, tmp_path, name: str) -> list[str]:
    return [
        "--ds", INPUT_DS, "--model-uri", model.pinned_uri, "--model-name", model.name,
        "--model-version", model.version, "--model-run-id", model.run_id,
        "--requirements", "\n".join(installed_requirements()),
        "--input-table", input_table, "--input-partition-column", "dt", "--id-column", "id",
        "--output-table", output_table, "--output-partition-column", "dt", "--spark-master", master,
        "--work-dir", str(tmp_path / name), "--out-dir", str(tmp_path / name / "outputs"),
    ]


@pytest.mark.timeout(900)
def test_cluster_scoring_writes_the_same_scores_as_local_mode(pyfunc_model, cancer_input, cancer_frame, hive_cursor,
                                                              test_database, step_env, tmp_path):
    local_table = f"{test_database}.cluster_check_local"
    cluster_table = f"{test_database}.cluster_check_cluster"
    # Local mode through Spark's reader and writer, the cluster through the direct Parquet path: two independent
    # routes must agree.
    local_args = _score_args(pyfunc_model, cancer_input, local_table, "local[1]", tmp_path, "local-step")
    local = run_step("score", [*local_args, "--file-io", "spark"], step_env)
    assert local.returncode == 0, local.stderr
    assert "file io spark" in local.stdout

    with StandaloneCluster(tmp_path / "spark-cluster", workers=2, cores=1, memory="1g") as cluster:
        args = _score_args(pyfunc_model, cancer_input, cluster_table, cluster.master_url, tmp_path, "cluster-step")
        for key, value in cluster.executor_conf().items():
            args += ["--spark-conf", f"{key}={value}"]
        scored = run_step("score", args, dict(step_env, PYSPARK_PYTHON=sys.executable))
        assert scored.returncode == 0, scored.stderr
        assert "file io direct" in scored.stdout
        # Both workers really ran executors of this application: each worker's own log says it launched one (on a
        # loaded machine the master may relaunch a lost executor, so executor folders alone can number more).
        for index in range(2):
            log = (tmp_path / "spark-cluster" / "logs" / f"worker-{index}.log").read_text()
            assert "Asked to launch executor app-" in log, f"worker-{index} ran no executor"

    rows = len(cancer_frame)
    assert (tmp_path / "local-step" / "outputs" / "rows-written").read_text() == str(rows)
    assert (tmp_path / "cluster-step" / "outputs" / "rows-written").read_text() == str(rows)
    local_scores = read_frame(hive_cursor, f"SELECT id, score FROM {local_table} WHERE dt = '{INPUT_DS}'")
    cluster_scores = read_frame(hive_cursor, f"SELECT id, score FROM {cluster_table} WHERE dt = '{INPUT_DS}'")
    assert len(local_scores) == len(cluster_scores) == rows
    joined = local_scores.merge(cluster_scores, on="id", suffixes=("_local", "_cluster"), validate="one_to_one")
    assert len(joined) == rows
    assert joined["score_local"].notna().all()
    assert (joined["score_local"] - joined["score_cluster"]).abs().max() < 1e-12
