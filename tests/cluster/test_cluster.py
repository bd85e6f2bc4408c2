"""Generated specs under Argo's own controller on the cluster built here: submitted through the Argo Server,
every step a pod of the project image in a namespace enforcing the "restricted" Pod Security Standard: a one-step
Workflow of the image, and the demo job's retro over three dates (its lanes bounding how many run at once); a re-run
replacing a partition is shown in test_schedule_and_failures.py."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from argo_toolset.cluster.argo_server import ArgoServer
from contract.step_outputs import LINEAGE_RUN_ID
from demo.data import load_days
from tests.cluster.conftest import (
    NODE_PROJECT_IMAGE,
    assert_scores_equal_model_predict,
    build_cluster_project,
    submit,
    submitted_name,
)
from tests.e2e.conftest import DATES, JOB

pytestmark = [pytest.mark.slow]

RESTRICTED = {"runAsNonRoot": True, "runAsUser": 10001, "allowPrivilegeEscalation": False,
              "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}


def write_smoke_template(folder: Path, namespace: str) -> Path:
    """One container step of the project image that writes an output parameter, with the Role its executor needs."""
    template = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
        "metadata": {"name": "image-smoke", "namespace": namespace},
        "spec": {
            "entrypoint": "main", "serviceAccountName": "smoke",
            "arguments": {"parameters": [{"name": "word"}]},
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": [{"name": "tmp", "emptyDir": {}}],
            "templates": [{
                "name": "main",
                "inputs": {"parameters": [{"name": "word", "value": "{{workflow.parameters.word}}"}]},
                "outputs": {"parameters": [{"name": "said", "valueFrom": {"path": "/tmp/said"}}]},
                "container": {
                    "image": NODE_PROJECT_IMAGE, "command": ["python", "-c"],
                    "args": ["import sys, jobs; open('/tmp/said', 'w').write(sys.argv[1].upper())",
                             "{{inputs.parameters.word}}"],
                    "securityContext": RESTRICTED,
                    "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                },
            }],
        },
    }
    path = folder / "image-smoke.yaml"
    path.write_text(yaml.safe_dump(template))
    rbac = [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "smoke-steps"},
         "rules": [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "smoke-steps"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "smoke-steps"},
         "subjects": [{"kind": "ServiceAccount", "name": "smoke"}]},
    ]
    (folder / "image-smoke.rbac.yaml").write_text(yaml.safe_dump_all(rbac))
    return path


def test_a_workflow_of_the_project_image_runs_to_succeeded(cluster, tmp_path):
    namespace = f"smoke-{uuid.uuid4().hex[:6]}"
    result = submit(str(write_smoke_template(tmp_path, namespace)), "--template", "image-smoke", "-p", "word=scored",
                    "--wait")
    assert result.exit_code == 0, result.output
    workflow_name = submitted_name(result.output, namespace)
    nodes = cluster_workflow(cluster, namespace, workflow_name)["status"]["nodes"]
    outputs = [p["value"] for node in nodes.values() for p in (node.get("outputs") or {}).get("parameters", [])]
    assert outputs == ["SCORED"]  # written by the step, read back by Argo's executor through the API
    labels = cluster.api().get("Namespace", namespace)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def cluster_workflow(cluster, namespace: str, name: str) -> dict:
    return ArgoServer(cluster.argo_server_url()).workflow(namespace, name)


@pytest.fixture(scope="module")
def cluster_project(tmp_path_factory, local_stack, cluster):
    """The demo job aimed at the test stack and the node's image, in a namespace of its own."""
    project = build_cluster_project(tmp_path_factory.mktemp("cluster-e2e"), local_stack)
    load_days(local_stack.hive_host, local_stack.hive_port, DATES[:3])
    return project


def test_the_retro_scores_three_dates_two_at_a_time(cluster, cluster_project, local_stack, hive_cursor,
                                                    mlflow_client):
    workflows_file, model, namespace = cluster_project.workflows_file, cluster_project.model, cluster_project.namespace
    dates = DATES[:3]
    retro = submit(str(workflows_file), "--template", f"{JOB}-retro", "-p", f"start={dates[0]}",
                   "-p", f"end={dates[-1]}", "-p", "parallelism=2", "--wait")
    assert retro.exit_code == 0, retro.output
    nodes = cluster_workflow(cluster, namespace, submitted_name(retro.output, namespace))["status"]["nodes"]
    # Each date's pipeline (the job's own template, by templateRef): two lanes at once, never more.
    spans = [(node["startedAt"], node["finishedAt"]) for node in nodes.values()
             if (node.get("templateRef") or {}).get("template") == "pipeline"]
    assert len(spans) == len(dates)
    assert max(sum(start <= moment < end for start, end in spans) for moment, _ in spans) == 2
    for ds in dates:
        assert_scores_equal_model_predict(hive_cursor, local_stack, model, ds)
    # Each date's lineage run in MLflow, named by the validate step's output and recording that date's partition.
    lineage_ids = {parameter["value"] for node in nodes.values()
                   for parameter in (node.get("outputs") or {}).get("parameters", [])
                   if parameter["name"] == LINEAGE_RUN_ID}  # a Retry node repeats its last try's outputs
    lineage = [mlflow_client.get_run(run_id) for run_id in lineage_ids]
    assert sorted(run.data.params["ds"] for run in lineage) == dates
    assert all(run.info.status == "FINISHED" and run.data.tags["batch_scoring.checks_passed"] == "true"
               and run.data.params["model_name"] == model for run in lineage)
