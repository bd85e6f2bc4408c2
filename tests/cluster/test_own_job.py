"""A second job, with its own prepare SQL (tests/pods/conf/large-radius-daily.yaml), under Argo's controller, and the
differential check on our own generated spec: the same WorkflowTemplate runs through `run-local` (local processes,
the service addresses overridden to loopback) and then through the controller, submitted through the Argo Server as
the UI submits it; both give the same nodes, phases, output parameters and exit codes; the controller's run replaces
the partition run-local wrote, its scores equal the model's `predict` of the rows the job's SQL kept, and its lineage
run is in MLflow."""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil

import numpy as np
import pytest
import yaml

from argo_toolset.cluster.argo_server import ArgoServer
from argo_toolset.cluster.layout import NODE_IP
from contract import step_env
from contract.step_outputs import LINEAGE_RUN_ID, MODEL_ENVIRONMENT
from demo.data import day_frame, load_days
from tests.cluster.conftest import (
    ClusterProject,
    build_cluster_project,
    controller_summary,
    local_summary,
    submit,
    submitted_name,
    why_not_succeeded,
)
from tests.e2e.conftest import DATES, build_workflows
from tests.e2e.helpers import run
from tests.e2e.test_pipeline import expected_scores
from tests.pods.conftest import OWN_CONF, OWN_JOB

pytestmark = [pytest.mark.slow]

OWN_TABLE = "demo_scores.large_radius_daily"
MIN_MEAN_RADIUS = 14.0  # tests/pods/conf/large-radius-daily.yaml's prepare variable
DS = DATES[3]  # a date no other cluster test scores


@pytest.fixture(scope="module")
def own_job(tmp_path_factory, local_stack, cluster) -> ClusterProject:
    """The job beside the demo's defaults, aimed at the node address as pods reach the stack, in its own namespace."""
    root = tmp_path_factory.mktemp("cluster-own-job")
    project = build_cluster_project(root, local_stack)
    shutil.copy(OWN_CONF / f"{OWN_JOB}.yaml", project.conf_dir)
    shutil.copytree(OWN_CONF / "sql", project.conf_dir / "sql", dirs_exist_ok=True)
    job = project.conf_dir / f"{OWN_JOB}.yaml"
    job.write_text(job.read_text().replace("models:/cancer_risk@champion", f"models:/{project.model}@champion"))
    workflows_file = build_workflows(project.conf_dir, root / "workflows").with_name(f"{OWN_JOB}.yaml")
    load_days(local_stack.hive_host, local_stack.hive_port, [DS])
    return dataclasses.replace(project, workflows_file=workflows_file)


def loopback_env(documents: list[dict], local_stack) -> dict[str, str]:
    """The service addresses run-local's processes use in place of the node address the pods use.

    Asserts that the node address appears nowhere in the spec but in these variables' values: everything else
    run-local runs is the controller's spec as it is.
    """
    overrides = {step_env.HIVE_HOST: local_stack.hive_host, step_env.HIVE_METASTORE_URI: local_stack.metastore_uri,
                 step_env.MLFLOW_TRACKING_URI: local_stack.mlflow_uri}
    rest = copy.deepcopy(documents)
    at_node = set()
    for document in rest:
        for template in document["spec"].get("templates", []):
            for env in (template.get("container") or {}).get("env") or []:
                if NODE_IP in str(env.get("value")):
                    at_node.add(env.pop("name"))
                    env.pop("value")
    assert at_node == set(overrides), at_node
    assert NODE_IP not in yaml.safe_dump(rest), "the node address outside the service variables"
    return overrides


def comparable(output: str, value: str) -> object:
    """What of an output parameter both runs must share: the lineage run id only by presence (each run creates its
    own MLflow run), the model environment without its Python version (run-local's processes run this machine's
    virtualenv, the controller's pods the image)."""
    if output == LINEAGE_RUN_ID:
        return bool(value)
    if output == MODEL_ENVIRONMENT:
        return {key: item for key, item in json.loads(value).items() if key != "python"}
    return value


def without_run_specific(summary: dict) -> dict:
    return {name: (kind, phase, {key: comparable(key, value) for key, value in outputs.items()}, exit_code)
            for name, (kind, phase, outputs, exit_code) in summary.items()}


def scored_rows(hive_cursor) -> list[tuple]:
    """(patient_id, score, scored_at) of every row of the date's output partition."""
    hive_cursor.execute(f"REFRESH TABLE {OWN_TABLE}")
    hive_cursor.execute(f"SELECT patient_id, score, scored_at FROM {OWN_TABLE} WHERE dt = '{DS}'")
    return hive_cursor.fetchall()


def test_run_local_and_the_controller_agree_on_the_own_sql_job_and_the_controllers_run_replaces(
        own_job, cluster, local_stack, hive_cursor, mlflow_client, tmp_path):
    documents = [doc for doc in yaml.safe_load_all(own_job.workflows_file.read_text()) if doc]
    local = run(own_job.workflows_file, OWN_JOB, {"ds": DS}, tmp_path / "local", tmp_path / "locks",
                env=loopback_env(documents, local_stack))
    assert local.succeeded, [(node.name, node.phase, node.message) for node in local.nodes()]
    local_scored_at = {row[2] for row in scored_rows(hive_cursor)}
    assert len(local_scored_at) == 1

    server = ArgoServer(cluster.argo_server_url())
    result = submit(str(own_job.workflows_file), "--template", OWN_JOB, "-p", f"ds={DS}", "--wait")
    assert result.exit_code == 0, result.output
    # The UI's view of the template: every parameter its Submit form offers comes with its description.
    template = server.template(own_job.namespace, "WorkflowTemplate", OWN_JOB)
    parameters = template["spec"]["arguments"]["parameters"]
    assert parameters and all(parameter.get("description") for parameter in parameters), parameters
    name = submitted_name(result.output, own_job.namespace)
    workflow = server.workflow(own_job.namespace, name)
    assert workflow["status"]["phase"] == "Succeeded", why_not_succeeded(workflow)
    status = workflow["status"]

    assert (without_run_specific(local_summary(local.nodes(), local.workflow_name))
            == without_run_specific(controller_summary(status, name)))

    # The controller's run replaced run-local's rows: one run's rows, each id once, equal to predict.
    rows = scored_rows(hive_cursor)
    scored_at = {row[2] for row in rows}
    assert len(scored_at) == 1 and scored_at != local_scored_at
    scores = {patient_id: score for patient_id, score, _ in rows}
    assert len(scores) == len(rows)
    frame = day_frame(DS)
    kept = set(frame.loc[frame["mean_radius"] >= MIN_MEAN_RADIUS, "patient_id"].tolist())
    expected = {key: value for key, value in expected_scores(
        local_stack.mlflow_uri, f"models:/{own_job.model}@champion", DS).items() if key in kept}
    assert 0 < len(expected) < len(frame)  # the job's own SQL filtered the day
    assert sorted(scores) == sorted(expected)
    assert np.allclose([scores[key] for key in sorted(scores)], [expected[key] for key in sorted(expected)],
                       rtol=0, atol=1e-9)
    # The lineage run the controller's validate step named.
    (lineage_id,) = {parameter["value"] for node in status["nodes"].values()
                     for parameter in (node.get("outputs") or {}).get("parameters", [])
                     if parameter["name"] == LINEAGE_RUN_ID}
    lineage = mlflow_client.get_run(lineage_id)
    assert lineage.data.params["ds"] == DS and lineage.data.params["model_name"] == own_job.model
    assert lineage.info.status == "FINISHED" and lineage.data.tags["batch_scoring.checks_passed"] == "true"
