"""An old model scores in its own environment through the generated workflow (model.environment: auto -> own).

The model is trained and logged inside a virtualenv of scikit-learn 1.3.2 / NumPy 1 (built here with uv from the
package index); the image has a newer scikit-learn, which warns on or fails at its pickle. The workflow must score
it in an environment built from the model's requirements, equal to its own predict, leave the image's environment
as it was, build once per cache (a second run and the lanes of a retro reuse it) and record it on the lineage run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
import yaml
from uv import find_uv_bin

from tests.e2e.conftest import JOB, build_workflows, write_local_conf
from tests.e2e.helpers import run

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("old_sklearn_model.py")
OLD_PACKAGES = ["scikit-learn==1.3.2", "numpy==1.26.4", "pandas==2.1.4", "mlflow-skinny==2.17.2", "cloudpickle==3.1.3"]
OUTPUT_TABLE = "demo_scores.old_model_daily"


@pytest.fixture(scope="module")
def old_python(tmp_path_factory) -> Path:
    """A virtualenv of the image's Python with an old scikit-learn: where the model is trained and its truth lives."""
    venv = tmp_path_factory.mktemp("old-sklearn") / "venv"
    for command in (["venv", "--quiet", "--python", sys.executable, str(venv)],
                    ["pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *OLD_PACKAGES]):
        completed = subprocess.run([find_uv_bin(), *command], capture_output=True, text=True, timeout=600)
        assert completed.returncode == 0, completed.stderr
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def old_model(old_python, local_stack) -> str:
    name = f"old_sklearn_{uuid.uuid4().hex[:6]}"
    completed = subprocess.run([str(old_python), str(SCRIPT), "train", local_stack.mlflow_uri, name],
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return completed.stdout.strip().splitlines()[-1]


@pytest.fixture()
def caches():
    """Environment caches outside /tmp (run-local gives every step its own /tmp, as a pod's emptyDir is): not under
    the checkout either, which CI may clone under /tmp."""
    root = Path("/var/tmp") / f"argo-batch-scoring-test-model-environments-{uuid.uuid4().hex[:8]}"
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _workflows(tmp_path: Path, local_stack, model_uri: str, cache: Path) -> Path:
    conf = write_local_conf(tmp_path / "conf", local_stack, model_uri)
    job_file = conf / f"{JOB}.yaml"
    job = yaml.safe_load(job_file.read_text())
    job["model"]["environment_cache"] = str(cache)  # environment: the default, auto
    job["output"]["table"] = OUTPUT_TABLE
    job_file.write_text(yaml.safe_dump(job, sort_keys=False))
    return build_workflows(conf, tmp_path / "workflows")


def _score_logs(result) -> list[str]:
    return [node.outputs.result or "" for node in result.pods() if node.template_name == "score"]


def _image_freeze() -> str:
    return subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout


def _own_predictions(old_python: Path, model_uri: str, mlflow_uri: str, ds: str, tmp_path: Path) -> dict[int, float]:
    from demo.data import day_frame

    frame = day_frame(ds)
    np.save(tmp_path / "features.npy", frame.drop(columns=["patient_id"]).to_numpy(dtype="float64"))
    env = {**os.environ, "MLFLOW_TRACKING_URI": mlflow_uri}
    completed = subprocess.run([str(old_python), str(SCRIPT), "predict", model_uri, str(tmp_path / "features.npy"),
                                str(tmp_path / "scores.npy")], capture_output=True, text=True, env=env, timeout=600)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return dict(zip(frame["patient_id"].tolist(), np.load(tmp_path / "scores.npy").tolist(), strict=True))


def _scores(hive_cursor, ds: str) -> dict[int, float]:
    hive_cursor.execute(f"REFRESH TABLE {OUTPUT_TABLE}")
    hive_cursor.execute(f"SELECT patient_id, score FROM {OUTPUT_TABLE} WHERE dt = '{ds}'")
    return dict(hive_cursor.fetchall())


def test_image_sklearn_warns_on_or_fails_at_the_old_pickle(old_model, local_stack):
    code = ("import warnings, mlflow.sklearn\nwarnings.simplefilter('error')\n"
            f"mlflow.sklearn.load_model({old_model!r})\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                               env={**os.environ, "MLFLOW_TRACKING_URI": local_stack.mlflow_uri})
    assert completed.returncode != 0
    assert "InconsistentVersionWarning" in completed.stderr or "Error" in completed.stderr.splitlines()[-1]


def test_old_model_scores_in_its_own_environment_built_once(
    old_python, old_model, local_stack, demo_data, hive_cursor, mlflow_client, caches, tmp_path
):
    ds = demo_data[0]
    workflows = _workflows(tmp_path / "single", local_stack, old_model, caches / "single")
    freeze_before = _image_freeze()

    first = run(workflows, JOB, {"ds": ds}, tmp_path / "first", tmp_path / "locks")
    assert first.succeeded, first.message
    [log] = _score_logs(first)
    assert "score: model environment own (--model-environment auto; the model pins" in log, log
    assert " built in " in log and "reused from" not in log, log
    # The image's scikit-learn never unpickled the model: its version warning would be in the step's log.
    assert "InconsistentVersionWarning" not in log
    expected = _own_predictions(old_python, old_model, local_stack.mlflow_uri, ds, tmp_path)
    scored = _scores(hive_cursor, ds)
    assert sorted(scored) == sorted(expected)
    assert np.allclose([scored[i] for i in sorted(scored)], [expected[i] for i in sorted(expected)],
                       rtol=0, atol=1e-9)

    record = json.loads(next(node for node in first.pods() if node.template_name == "score")
                        .outputs.parameters["model-environment"])
    assert record["mode"] == "own" and "scikit-learn==1.3.2" in record["packages"]
    lineage_id = next(node for node in first.pods() if node.template_name == "validate").outputs.parameters[
        "lineage-run-id"]
    lineage = mlflow_client.get_run(lineage_id)
    assert lineage.data.params["model_environment"] == "own"
    assert lineage.data.params["model_environment_hash"] == record["hash"]
    lock_file = mlflow_client.download_artifacts(lineage_id, "environment/requirements.lock.txt", str(tmp_path))
    assert Path(lock_file).read_text().split() == record["packages"]

    second = run(workflows, JOB, {"ds": ds}, tmp_path / "second", tmp_path / "locks")
    assert second.succeeded, second.message
    [log] = _score_logs(second)
    assert f"score: model environment {record['hash']} reused from" in log and " built in " not in log, log
    assert [p.name for p in (caches / "single").iterdir() if not p.name.startswith((".", "locks", "requests"))] \
        == [record["hash"]]
    assert _image_freeze() == freeze_before


def test_retro_over_three_dates_builds_the_environment_once(
    old_model, local_stack, demo_data, hive_cursor, caches, tmp_path
):
    workflows = _workflows(tmp_path, local_stack, old_model, caches / "retro")
    result = run(workflows, f"{JOB}-retro", {"start": demo_data[1], "end": demo_data[3], "parallelism": "2"},
                 tmp_path / "run", tmp_path / "locks")
    assert result.succeeded, result.message
    logs = _score_logs(result)
    assert len(logs) == 3
    assert sum(" built in " in log for log in logs) == 1, logs
    assert sum("reused from" in log for log in logs) == 2, logs
    for ds in demo_data[1:4]:
        assert len(_scores(hive_cursor, ds)) == 569
