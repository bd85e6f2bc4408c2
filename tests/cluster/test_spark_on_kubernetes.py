"""Spark on Kubernetes under the real API server and Argo's controller: a `k8s://` job's score and monitor steps
are Spark drivers whose executors Spark's own backend starts as pods of the image through the API server, under
the job's service account, in a namespace enforcing the "restricted" standard; a crashed executor is replaced; the
API server's audit log holds the job's Roles against the calls made; a driver killed mid-score leaves no executor
running and Argo retries the step; Argo's podGC deletes the killed driver's pod after its delay (shortened here), and
Kubernetes' garbage collector then deletes that pod's executor pods (Spark is dead by then and deletes nothing)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from argo_toolset.cluster.argo_server import ArgoServer
from argo_toolset.cluster.layout import KUBERNETES_SERVICE_IP
from argo_toolset.cluster.stack_access import warehouse_mount, warehouse_volume
from argo_toolset.cluster.submission import rbac_file
from demo.data import load_days
from generator.specs.spark_k8s import EXECUTOR_CONTAINER
from tests.cluster.conftest import (
    FINAL_PHASES,
    NODE_NAME_ANNOTATION,
    NODE_PROJECT_IMAGE,
    WORKFLOW_LABEL,
    ClusterProject,
    assert_scores_equal_model_predict,
    build_cluster_project,
    calls_of,
    granted,
    submit,
    submitted_name,
    wait_for,
    why_not_succeeded,
)
from tests.e2e.conftest import DATES, JOB

pytestmark = [pytest.mark.slow]

# No cluster DNS here: the API server by its Service address (in the server certificate's names).
K8S_MASTER = f"k8s://https://{KUBERNETES_SERVICE_IP}:443"
EXECUTOR_SELECTOR = "spark-role=executor"  # Spark's own label on the executor pods it creates
SERVICE_ACCOUNT = "batch-scoring-demo"  # demo/conf/defaults.yaml
# Small enough that a driver step (1 CPU) and both its executors fit the node's 2 CPUs.
SPARK = {"master": K8S_MASTER, "executor": {"instances": 2, "cpu": "400m", "memory": "1Gi"}}
DRIVER_SIZE = {"cpu": "1", "memory": "3Gi"}
# The generated podGC's delay in this test's spec: Argo deletes each step pod, a failed one included, this long after
# it ends (12 h as generated).
POD_GC_DELAY = "10s"


def mount_warehouse_for_executors(workflows_file: Path, warehouse: Path) -> None:
    """Adds the warehouse claim to the executor pod template of every driver step.

    The warehouse is this cluster's stand-in for the HDFS or S3 that a real cluster's executors reach over the
    network (docs/CLUSTER.md); the controller mounts it into Argo's pods only, so the executors Spark creates get it
    from their template, at the same path as the steps.
    """
    documents = [doc for doc in yaml.safe_load_all(workflows_file.read_text()) if doc]
    for document in documents:
        for template in document["spec"].get("templates", []):
            artifacts = (template.get("inputs") or {}).get("artifacts") or []
            for artifact in [a for a in artifacts if a["name"] == "executor-pod-template"]:
                pod = yaml.safe_load(artifact["raw"]["data"])
                pod["spec"]["volumes"].append(warehouse_volume())
                (container,) = [c for c in pod["spec"]["containers"] if c["name"] == EXECUTOR_CONTAINER]
                container["volumeMounts"].append(warehouse_mount(warehouse))
                artifact["raw"]["data"] = yaml.safe_dump(pod, sort_keys=True)
    workflows_file.write_text(yaml.safe_dump_all(documents, sort_keys=False))


def shorten_pod_gc_delay(workflows_file: Path, delay: str) -> None:
    """Sets the generated podGC's delay to `delay` (12 h in the spec) so that its deletions happen within the test;
    the strategy stays as generated."""
    documents = [doc for doc in yaml.safe_load_all(workflows_file.read_text()) if doc]
    for document in documents:
        pod_gc = document["spec"].get("podGC")
        if pod_gc:
            pod_gc["deleteDelayDuration"] = delay
    workflows_file.write_text(yaml.safe_dump_all(documents, sort_keys=False))


@pytest.fixture(scope="module")
def k8s_project(tmp_path_factory, local_stack, cluster) -> ClusterProject:
    """The demo job as a `k8s://` job: its score and monitor steps drive executor pods through the API server."""
    project = build_cluster_project(tmp_path_factory.mktemp("cluster-spark-k8s"), local_stack,
                                    job_changes={"spark": SPARK, "resources": {"score": DRIVER_SIZE,
                                                                               "monitor": DRIVER_SIZE}})
    mount_warehouse_for_executors(project.workflows_file, local_stack.warehouse_dir)
    shorten_pod_gc_delay(project.workflows_file, POD_GC_DELAY)
    load_days(local_stack.hive_host, local_stack.hive_port, DATES[1:3])
    return project


@dataclass
class Observed:
    """What a run's pods did, as the API server showed it every half second."""

    workflow: dict = field(default_factory=dict)
    steps: dict[str, dict] = field(default_factory=dict)  # step pod name -> last manifest seen
    executors: dict[str, dict] = field(default_factory=dict)  # executor pod name -> last manifest seen
    listed: set[str] = field(default_factory=set)  # executor pods the latest look listed (not yet deleted)

    def step_of(self, pod: dict) -> str:
        """The workflow node a step pod runs, e.g. `score(0)`."""
        return pod["metadata"]["annotations"][NODE_NAME_ANNOTATION].rsplit(".", 1)[-1]

    def executors_of(self, step: str) -> list[dict]:
        drivers = {pod["metadata"]["uid"] for pod in self.steps.values() if self.step_of(pod).startswith(step)}
        return [pod for pod in self.executors.values()
                if pod["metadata"]["ownerReferences"][0]["uid"] in drivers]


def follow(cluster, namespace: str, workflow: str, act: Callable[[Observed], None] = lambda _seen: None,
           timeout: float = 900) -> Observed:
    """Polls the run until it ends, recording its step and executor pods and calling `act` at each look."""
    api, server, seen = cluster.api(), ArgoServer(cluster.argo_server_url()), Observed()
    deadline = time.monotonic() + timeout
    while (seen.workflow.get("status") or {}).get("phase") not in FINAL_PHASES:
        assert time.monotonic() < deadline, f"{workflow} still running after {timeout:.0f}s"
        for pod in api.list("Pod", namespace, f"{WORKFLOW_LABEL}={workflow}"):
            seen.steps[pod["metadata"]["name"]] = pod
        executors = api.list("Pod", namespace, EXECUTOR_SELECTOR)
        seen.executors.update((pod["metadata"]["name"], pod) for pod in executors)
        seen.listed = {pod["metadata"]["name"] for pod in executors}
        act(seen)
        seen.workflow = server.workflow(namespace, workflow)
        time.sleep(0.5)
    return seen


def running(pods: list[dict]) -> list[dict]:
    return [pod for pod in pods if (pod.get("status") or {}).get("phase") == "Running"]


def start(project: ClusterProject, ds: str) -> str:
    result = submit(str(project.workflows_file), "--template", JOB, "-p", f"ds={ds}")
    assert result.exit_code == 0, result.output
    return submitted_name(result.output, project.namespace)


def kill_container(cluster, pod: dict, container: str) -> None:
    """SIGKILLs every process of a pod's container through containerd, as the kernel's OOM killer or a lost node
    would end them: nothing in the container gets to clean up."""
    (status,) = [s for s in pod["status"]["containerStatuses"] if s["name"] == container]
    container_id = status["containerID"].split("://", 1)[1]
    subprocess.run(["ctr", "--address", str(cluster.layout.containerd_socket), "--namespace", "k8s.io", "tasks",
                    "kill", "--signal", "SIGKILL", "--all", container_id], check=True, capture_output=True)


def test_executor_pods_under_the_jobs_account_replaced_when_crashed_and_gone_with_a_killed_drivers_pod(
        k8s_project, cluster, local_stack, hive_cursor):
    """One run shows it all (a run costs minutes): the score driver's executors start; one is SIGKILLed and Spark
    deletes its pod and asks for a replacement; once it has done both, the driver itself is SIGKILLed; Argo retries
    the step, whose new driver scores the date; the monitor drives executors too."""
    namespace, ds = k8s_project.namespace, DATES[1]
    name = start(k8s_project, ds)
    api = cluster.api()
    crashed: list[str] = []
    killed: list[dict] = []

    def crash_an_executor_then_kill_its_driver(seen: Observed) -> None:
        if killed:
            return
        executors = seen.executors_of("score")
        if not crashed:
            candidates = running(executors)
            if candidates:
                crashed.append(candidates[0]["metadata"]["name"])
                kill_container(cluster, candidates[0], EXECUTOR_CONTAINER)
            return
        (victim,) = [pod for pod in executors if pod["metadata"]["name"] == crashed[0]]
        owner = victim["metadata"]["ownerReferences"][0]
        owned = [pod for pod in executors if pod["metadata"]["ownerReferences"][0]["uid"] == owner["uid"]]
        replaced = len(owned) >= 3
        if replaced and crashed[0] not in seen.listed:
            # The driver deleted the crashed executor's pod and asked for its replacement: it is alive and scoring.
            # Now it dies. (Killed before that delete, as a loaded machine once let happen, the run would show no
            # `delete` on pods, a right the Role grants for exactly this.)
            killed.append(api.get("Pod", owner["name"], namespace))
            kill_container(cluster, killed[0], "main")

    seen = follow(cluster, namespace, name, crash_an_executor_then_kill_its_driver)
    assert crashed, "no executor pod of the score step was seen running"
    assert killed, f"the score driver did not both delete and replace its crashed executor {crashed[0]}"
    assert seen.workflow["status"]["phase"] == "Succeeded", why_not_succeeded(seen.workflow)
    nodes = seen.workflow["status"]["nodes"]
    (score,) = [node for node in nodes.values() if node["displayName"] == "score"]
    first, *retries = [nodes[child] for child in score["children"]]
    assert first["phase"] == "Failed" and "exit code 137" in first["message"], first
    assert retries and retries[-1]["phase"] == "Succeeded"
    assert_scores_equal_model_predict(hive_cursor, local_stack, k8s_project.model, ds)

    score_executors, monitor_executors = seen.executors_of("score"), seen.executors_of("monitor")
    driver = killed[0]["metadata"]
    first_drivers = {pod["metadata"]["name"] for pod in score_executors
                     if pod["metadata"]["ownerReferences"][0]["uid"] == driver["uid"]}
    assert crashed[0] in first_drivers and len(first_drivers) >= 3, first_drivers  # two, and the replacement
    assert len(score_executors) > len(first_drivers), "the retried driver started no executor"
    assert monitor_executors, "the monitor step started no executor pod"
    for pod in [*score_executors, *monitor_executors]:
        (container,) = pod["spec"]["containers"]
        assert pod["spec"]["serviceAccountName"] == SERVICE_ACCOUNT
        assert pod["spec"]["automountServiceAccountToken"] is False
        assert container["image"] == NODE_PROJECT_IMAGE and container["args"] == ["executor"]
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "Pod"
    # Only the driver steps run as the account that may create and delete pods (workflows/<job>.rbac.yaml).
    accounts = {seen.step_of(pod).split("(")[0]: pod["spec"]["serviceAccountName"] for pod in seen.steps.values()}
    assert accounts.pop("score") == accounts.pop("monitor") == f"{SERVICE_ACCOUNT}-spark-driver"
    assert set(accounts.values()) == {SERVICE_ACCOUNT}, accounts
    # The API server's audit log: every call of the job's accounts was allowed, and every right their Roles grant was
    # used but one: `patch` on pods, which Spark's backend uses only on executors it kills itself (heartbeat timeout,
    # decommissioning), labelling them inactive first (generator/specs/rbac.py).
    roles = {doc["metadata"]["name"]: granted(doc) for doc in yaml.safe_load_all(
        rbac_file(k8s_project.workflows_file).read_text()) if doc and doc["kind"] == "Role"}
    for account, rights, unused in (
            (SERVICE_ACCOUNT, roles[f"{JOB}-steps"], set()),
            (f"{SERVICE_ACCOUNT}-spark-driver", roles[f"{JOB}-steps"] | roles[f"{JOB}-spark-driver"],
             {("", "pods", "patch")})):
        calls = calls_of(cluster, namespace, account)
        assert not [call for call in calls if call.code == 403], account
        used = {(call.api_group, call.resource, call.verb) for call in calls}
        assert used <= rights and rights - used <= unused, (account, sorted(used), sorted(rights - used))

    # Nobody here deletes the killed driver's pod: Argo's podGC does, its delay after the pod failed (the generated
    # strategy deletes failed step pods too), and the garbage collector then deletes the executor pods it owned
    # (Spark died with the driver and deletes nothing).
    orphans = [name for name, pod in seen.executors.items() if pod["metadata"]["ownerReferences"][0]["uid"]
               == driver["uid"]]
    wait_for(lambda: api.get("Pod", driver["name"], namespace) is None, 120,
             f"deletion of the killed driver's pod {driver['name']} by podGC")
    wait_for(lambda: not any(api.get("Pod", orphan, namespace) for orphan in orphans), 120,
             f"deletion of executor pods {orphans} with their owner {driver['name']}")
    # Every other executor went with its driver's end: Spark deletes its executors when its driver stops.
    wait_for(lambda: not api.list("Pod", namespace, EXECUTOR_SELECTOR), 60, "deletion of every executor pod")
