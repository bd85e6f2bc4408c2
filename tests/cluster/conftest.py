"""Cluster fixtures: the loopback cluster built here (tools/cluster) started once per session, reaching the test
stack, and stopped at the end (tests/cluster/test_zz_down.py checks it left nothing behind)."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from argo_toolset.cluster.cluster import Cluster, ClusterError
from argo_toolset.cluster.layout import NODE_IP
from argo_toolset.cluster.stack_access import StackAccess
from argo_toolset.runner.results import NodeResult
from generator.cli import main
from generator.project_cluster import cluster_settings
from tests.e2e.conftest import JOB, build_workflows, write_local_conf
from tests.e2e.helpers import partition
from tests.e2e.test_pipeline import expected_scores
from tests.project_image import ensure_project_image

REPO = Path(__file__).resolve().parents[2]
# One cluster per machine (fixed bridge, subnet and ports): the tests use their own run dir, never a developer's.
TEST_RUN_DIR = REPO / ".run" / "test-cluster"
SETTINGS = cluster_settings()
# The project image as the pods' specs name it in the node's containerd.
NODE_PROJECT_IMAGE = SETTINGS.node_project_image
# Argo's own labels and annotations on what the controller creates.
WORKFLOW_LABEL = "workflows.argoproj.io/workflow"
CRON_LABEL = "workflows.argoproj.io/cron-workflow"
NODE_NAME_ANNOTATION = "workflows.argoproj.io/node-name"
FINAL_PHASES = ("Succeeded", "Failed", "Error")


def submit(*arguments: str):
    """`generate-workflow submit ARGUMENTS` against the test cluster."""
    return CliRunner().invoke(main, ["submit", *arguments, "--run-dir", str(TEST_RUN_DIR)], catch_exceptions=False)


def submitted_name(output: str, namespace: str) -> str:
    """The Workflow's name in `submit`'s output."""
    return output.split(f"submitted Workflow {namespace}/", 1)[1].split()[0]


def wait_for(check, seconds: float, what: str):
    """Polls `check` every 2 s until it returns something true, and returns that; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"no {what} within {seconds:.0f}s"
        time.sleep(2)
    return found


def why_not_succeeded(workflow: dict) -> str:
    """The run's phase and message, and each failed node's name and message (what an assertion should show)."""
    status = workflow.get("status") or {}
    failed = [f"{node['displayName']}: {node.get('message')}" for node in (status.get("nodes") or {}).values()
              if node.get("phase") in ("Failed", "Error")]
    return f"{status.get('phase')} ({status.get('message')}); failed nodes: {failed}"


@pytest.fixture(scope="session")
def cluster(local_stack) -> Iterator[Cluster]:
    """The cluster, up, its pods reaching the session's test stack; a cluster that cannot start FAILS the tests."""
    if os.geteuid() != 0:
        pytest.fail("the cluster tests need root (containerd, the kubelet, iptables): run them as root, as CI does")
    for tool in ("containerd", "podman", "iptables"):
        if shutil.which(tool) is None:
            pytest.fail(f"the cluster tests need {tool}: .ci/run installs it (apt-get install containerd podman "
                        "iptables containernetworking-plugins)")
    ensure_project_image()  # `make test` runs these tests beside the pod-mode tests: whichever comes first builds it
    test_cluster = Cluster(TEST_RUN_DIR, SETTINGS, echo=print)
    # A fresh store each session: the Workflows of an interrupted session would otherwise resume and take the node's
    # CPU from this session's pods.
    test_cluster.down()
    shutil.rmtree(test_cluster.layout.etcd_dir, ignore_errors=True)
    stack = StackAccess(local_stack.service_ports(), local_stack.warehouse_dir)
    try:
        test_cluster.up(stack)
    except BaseException as error:
        test_cluster.down()  # whatever stopped `up`: nothing it started may outlive the session
        if isinstance(error, ClusterError):
            pytest.fail(f"the cluster could not start: {error}")
        raise
    yield test_cluster
    test_cluster.down()


@dataclass(frozen=True)
class ClusterProject:
    """The demo job's config and generated files, aimed at the test stack as pods reach it, in its own namespace."""

    conf_dir: Path
    workflows_file: Path
    model: str
    namespace: str


def build_cluster_project(root: Path, local_stack, job_changes: dict | None = None) -> ClusterProject:
    """Registers a fresh demo model and writes the demo job's config and workflows under `root`.

    Pods reach the stack through the node address (argo_toolset/cluster/stack_access.py) and run the image the node
    holds; `job_changes` replace the job config's top-level blocks of those names (e.g. `schedule`, `spark`).
    """
    from demo.model import register_pyfunc_model

    model = f"cluster_cancer_risk_{uuid.uuid4().hex[:6]}"
    register_pyfunc_model(model, tracking_uri=local_stack.mlflow_uri)
    conf = write_local_conf(root / "conf", local_stack, f"models:/{model}@champion")
    defaults = yaml.safe_load((conf / "defaults.yaml").read_text())
    metastore_port, _, mlflow_port = local_stack.service_ports()
    namespace = f"scoring-{uuid.uuid4().hex[:6]}"
    defaults["image"] = NODE_PROJECT_IMAGE
    defaults["namespace"] = namespace
    defaults["hive"].update(host=NODE_IP, metastore_uri=f"thrift://{NODE_IP}:{metastore_port}")
    defaults["mlflow"]["tracking_uri"] = f"http://{NODE_IP}:{mlflow_port}"
    (conf / "defaults.yaml").write_text(yaml.safe_dump(defaults, sort_keys=False))
    if job_changes:
        job_path = conf / f"{JOB}.yaml"
        job_path.write_text(yaml.safe_dump({**yaml.safe_load(job_path.read_text()), **job_changes}, sort_keys=False))
    return ClusterProject(conf, build_workflows(conf, root / "workflows"), model, namespace)


@dataclass(frozen=True)
class ApiCall:
    """One request a service account made, as the API server's audit log recorded it."""

    verb: str
    api_group: str
    resource: str
    code: int


def calls_of(cluster: Cluster, namespace: str, service_account: str) -> list[ApiCall]:
    """Every request the account made so far (the cluster's audit policy records service accounts' requests)."""
    user = f"system:serviceaccount:{namespace}:{service_account}"
    calls = []
    for line in cluster.layout.audit_log.read_text().splitlines():
        event = json.loads(line)
        if event["user"]["username"] != user or "objectRef" not in event:
            continue
        ref = event["objectRef"]
        resource = "/".join(filter(None, (ref.get("resource"), ref.get("subresource"))))
        calls.append(ApiCall(event["verb"], ref.get("apiGroup", ""), resource, event["responseStatus"]["code"]))
    return calls


def granted(role: dict) -> set[tuple[str, str, str]]:
    """(api group, resource, verb) of every right a Role's rules grant (no wildcards in the generated Roles)."""
    return {(group, resource, verb) for rule in role["rules"] for group in rule["apiGroups"]
            for resource in rule["resources"] for verb in rule["verbs"]}


def assert_scores_equal_model_predict(hive_cursor, local_stack, model: str, ds: str) -> None:
    """The partition of `ds` holds `model`'s scores of every input row, equal to its `predict` (< 1e-9)."""
    scores = partition(hive_cursor, ds)
    (version,) = {row[2] for row in scores.values()}
    assert {row[1] for row in scores.values()} == {model}
    expected = expected_scores(local_stack.mlflow_uri, f"models:/{model}/{version}", ds)
    assert sorted(scores) == sorted(expected)
    assert np.allclose([scores[i][0] for i in sorted(scores)], [expected[i] for i in sorted(expected)], rtol=0,
                       atol=1e-9)


# What the differential check (run-local against the controller) holds per Pod or Skipped node, by its name without
# the workflow's: its type, phase, output parameters and exit code. Not the result (stdout): the controller leaves it
# unset on container pods, which run-local records (docs/CLUSTER.md).
Summary = dict[str, tuple[str, str, dict[str, str], str | None]]


def relative(name: str, workflow: str) -> str:
    """A node's name without its workflow's name (`steps-x1y2z[0].hello1` -> `[0].hello1`)."""
    return name[len(workflow):]


def local_summary(result_nodes: list[NodeResult], workflow: str) -> Summary:
    summary: Summary = {}
    for node in result_nodes:
        if node.type in ("Pod", "Skipped"):
            outputs = node.outputs
            summary[relative(node.name, workflow)] = (
                str(node.type), str(node.phase), dict(outputs.parameters),
                None if outputs.exit_code is None else str(outputs.exit_code))
    return summary


def controller_summary(status: dict, workflow: str) -> Summary:
    summary: Summary = {}
    for node in (status.get("nodes") or {}).values():
        if node["type"] in ("Pod", "Skipped"):
            outputs = node.get("outputs") or {}
            summary[relative(node["name"], workflow)] = (
                node["type"], node["phase"], {p["name"]: p.get("value", "") for p in outputs.get("parameters", [])},
                outputs.get("exitCode"))
    return summary
