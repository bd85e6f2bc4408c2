"""The hadoop profile end to end: the demo job generated with `spark.master: yarn`, run by run-local against real
HDFS, YARN, Hive metastore 4 and HiveServer2 4; its scores read back through HiveServer2 4 itself."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pyhive import hive

from generator.config.loader import deep_merge
from generator.localstack.hadoop.ports import HadoopPorts
from generator.localstack.hadoop.stack import HadoopStack
from generator.localstack.processes import free_port
from generator.specs.render import planned_outputs, write_outputs
from tests.e2e.helpers import run

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
JOB = "cancer-risk-daily"
DS = "2026-04-01"
OUTPUT = "demo_scores.cancer_risk_daily"


@pytest.fixture(scope="module")
def hadoop(tmp_path_factory):
    ports = HadoopPorts(*(free_port() for _ in range(6)))
    stack = HadoopStack(tmp_path_factory.mktemp("hadoop-stack"), ports)
    try:
        endpoints = stack.up()
    except Exception as error:
        stack.down()
        pytest.fail(f"the hadoop profile could not start: {error}")
    yield stack, endpoints
    stack.down()


def _cursor(endpoints):
    return hive.connect(host="127.0.0.1", port=endpoints.ports.hiveserver2, auth="NONE", username="test").cursor()


def test_status_names_each_service_and_address(hadoop):
    stack, endpoints = hadoop
    statuses = {service.name: service for service in stack.status()}
    assert list(statuses) == ["hdfs", "yarn", "metastore", "hiveserver2", "mlflow"]
    assert all(service.up for service in statuses.values())
    assert statuses["hdfs"].address == endpoints.hdfs_uri
    assert statuses["hiveserver2"].address == f"127.0.0.1:{endpoints.ports.hiveserver2}"
    cursor = _cursor(endpoints)
    cursor.execute("SELECT version()")
    assert cursor.fetchall()[0][0].startswith("4.0.1")


def test_demo_job_on_yarn_scores_equal_predict_and_rerun_replaces(hadoop, tmp_path):
    from demo.data import load_days
    from demo.model import register_pyfunc_model

    _stack, endpoints = hadoop
    model_name = f"cancer_risk_{uuid.uuid4().hex[:6]}"
    register_pyfunc_model(model_name, tracking_uri=endpoints.mlflow_uri)
    load_days("127.0.0.1", endpoints.ports.hiveserver2, [DS])
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "sql").symlink_to(REPO / "demo" / "conf" / "sql")
    defaults = deep_merge(yaml.safe_load((REPO / "demo" / "hadoop" / "conf" / "defaults.yaml").read_text()), {
        "mlflow": {"tracking_uri": endpoints.mlflow_uri},
        "hive": {"port": endpoints.ports.hiveserver2, "metastore_uri": endpoints.metastore_uri},
    })
    (conf_dir / "defaults.yaml").write_text(yaml.safe_dump(defaults))
    job = yaml.safe_load((REPO / "demo" / "conf" / f"{JOB}.yaml").read_text())
    job["model"] = {"uri": f"models:/{model_name}@champion"}
    (conf_dir / f"{JOB}.yaml").write_text(yaml.safe_dump(job))
    write_outputs(planned_outputs([conf_dir], tmp_path / "workflows"))
    workflows = tmp_path / "workflows" / f"{JOB}.yaml"
    assert "value: yarn" in workflows.read_text()
    # Only what a pod would get from ConfigMaps and its env: the cluster's conf folders and the executors' Python.
    env = {name: endpoints.step_env()[name] for name in ("HADOOP_CONF_DIR", "SPARK_CONF_DIR", "PYSPARK_PYTHON")}

    first = run(workflows, JOB, {"ds": DS}, tmp_path / "first", tmp_path / "locks", env)
    assert first.succeeded, f"see {first.work_dir}"
    scores = _scores(endpoints)
    expected = _expected(endpoints, model_name)
    assert len(scores) == len(expected) > 0
    assert np.allclose(scores["score"].to_numpy(), expected.loc[scores.index].to_numpy(), rtol=0, atol=1e-12)
    assert set(scores["model_name"]) == {model_name}
    assert scores["scored_at"].notna().all()
    cursor = _cursor(endpoints)
    cursor.execute(f"DESCRIBE FORMATTED {OUTPUT}")
    details = {(row[0] or "").strip(): (row[1] or "").strip() for row in cursor.fetchall()}
    assert details["Table Type:"] == "EXTERNAL_TABLE"  # Hive 4's rule for a table Spark creates
    assert details["Location:"].startswith(endpoints.hdfs_uri)

    second = run(workflows, JOB, {"ds": DS}, tmp_path / "second", tmp_path / "locks", env)
    assert second.succeeded, f"see {second.work_dir}"
    again = _scores(endpoints)
    assert len(again) == len(scores)  # replaced, not appended
    assert (again["scored_at"] > scores["scored_at"].max()).all()


def _scores(endpoints) -> pd.DataFrame:
    cursor = _cursor(endpoints)
    cursor.execute(f"SELECT * FROM {OUTPUT} WHERE dt = '{DS}'")
    frame = pd.DataFrame(cursor.fetchall(), columns=[d[0].split(".")[-1] for d in cursor.description])
    assert not frame["patient_id"].duplicated().any()
    return frame.set_index("patient_id")


def _expected(endpoints, model_name: str) -> pd.Series:
    import mlflow

    cursor = _cursor(endpoints)
    cursor.execute(f"SELECT * FROM demo_features.cancer_risk_daily WHERE dt = '{DS}'")
    features = pd.DataFrame(cursor.fetchall(), columns=[d[0].split(".")[-1] for d in cursor.description])
    mlflow.set_tracking_uri(endpoints.mlflow_uri)
    model = mlflow.pyfunc.load_model(f"models:/{model_name}@champion")
    predicted = np.asarray(model.predict(features.drop(columns=["patient_id", "dt"]))).ravel()
    return pd.Series(predicted, index=features["patient_id"])
