"""Spark on Kubernetes in client mode, proven without a cluster: the score step runs in the image as the driver,
Spark's own Kubernetes backend starts executor pods through a stand-in for the Kubernetes API (tests/k8s_standin, a
test harness, not a Kubernetes), and each pod runs as a container of the same image.

What is real: the image and its entry point, Spark's Kubernetes backend and fabric8 client, the Hive metastore,
the Thrift server and MLflow of the local stack, the generator's Spark settings and executor pod template. What is
stood in for: the API server, the scheduler and kubelet (podman on host network), and the cluster's shared storage
(the warehouse folder, mounted at the same path into every container).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd
import pytest

from demo.model import RegisteredModel
from generator.argo.core.kube_rbac import allows
from generator.config import load_job
from generator.specs import spark_k8s
from generator.specs.rbac import SPARK_DRIVER_RULES
from jobs.score.requirements import REQUIREMENTS_FOLDER
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import read_frame, run_step
from tests.k8s_standin.harness import StandIn, running_standin
from tests.k8s_standin.kubelet import PODMAN, RUN_OPTIONS

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
# The project's image (`make image`); a branch may build its own tag and name it here.
IMAGE = os.environ.get("SCORING_IMAGE", "localhost/argo-batch-scoring:local")
API_PORT, DRIVER_PORT, BLOCK_MANAGER_PORT = 21600, 21610, 21611
DRIVER_POD = "score-step-driver"
NAMESPACE = "scoring"
# The step's work folder inside its container's /tmp (the driver's spark.local.dir is below it, and Spark mounts an
# emptyDir at that same path into each executor pod).
DRIVER_WORK = Path("/tmp/score-work")
HOST_CA_BUNDLE, HOST_CA_MOUNT = "/etc/ssl/certs/ca-certificates.crt", "/run/host-ca/ca-certificates.crt"
BATCH_ROWS = 20
# A small pure-Python package on PyPI that the image lacks: the model needs it on every executor.
REQUIREMENT = "inflection==0.5.1"
PREDICT_SECONDS = 0.4  # per batch: scoring one partition takes long enough to kill an executor in the middle


class SlowLinearModel(mlflow.pyfunc.PythonModel):
    """A pyfunc model: a fixed linear score of the features, slow on purpose, leaving a trace of who predicted."""

    def __init__(self, features: list[str], trace_dir: str):
        self.features = features
        self.weights = np.linspace(-1.0, 1.0, len(features))
        self.trace_dir = trace_dir

    def predict(self, context, model_input, params=None):
        import inflection  # the model's requirement, absent from the image: the step installs and ships it

        who = os.environ.get("SPARK_EXECUTOR_POD_NAME", "driver")
        with open(os.path.join(self.trace_dir, who), "a") as trace:
            trace.write(f"{len(model_input)} {inflection.__file__}\n")
        time.sleep(PREDICT_SECONDS)
        return pd.Series(model_input[self.features].to_numpy(dtype="float64") @ self.weights)


def _register_slow_model(name: str, features: pd.DataFrame, trace_dir: Path, tracking_uri: str) -> RegisteredModel:
    import cloudpickle
    from mlflow.models import infer_signature

    signature = infer_signature(features, pd.Series(np.zeros(len(features))))
    mlflow.set_tracking_uri(tracking_uri)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the image does not hold the tests
    try:
        with mlflow.start_run() as run:
            info = mlflow.pyfunc.log_model(name="model", python_model=SlowLinearModel(list(features.columns),
                                           str(trace_dir)), signature=signature, registered_model_name=name)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    return RegisteredModel(name, str(info.registered_model_version), run.info.run_id, alias="")


def _job_config():
    """The k8s example job (conf/credit-limit-review.yaml) with this machine's image, ports and sizes."""
    job = load_job(REPO / "conf" / "credit-limit-review.yaml")
    spark = job.config.spark.model_copy(update={
        "driver_port": DRIVER_PORT, "block_manager_port": BLOCK_MANAGER_PORT,
        "executor": job.config.spark.executor.model_copy(update={"instances": 2, "cpu": "1", "memory": "1536Mi"}),
    })
    return dataclasses.replace(job, config=job.config.model_copy(update={"image": IMAGE, "spark": spark}))


def _expand(value: str) -> str:
    """What Kubernetes does to `$(VAR)` in a container's args, from the downward-API env of the step."""
    return (value.replace("$(POD_NAME)", DRIVER_POD).replace("$(POD_NAMESPACE)", NAMESPACE)
            .replace("$(POD_IP)", "127.0.0.1"))


def _score_args(model, input_table: str, output_table: str, work: Path, out: Path) -> list[str]:
    return ["--ds", INPUT_DS, "--model-uri", model.pinned_uri, "--model-name", model.name,
            "--model-version", model.version, "--model-run-id", model.run_id, "--input-table", input_table,
            "--input-partition-column", "dt", "--id-column", "id", "--output-table", output_table,
            "--output-partition-column", "dt", "--arrow-batch-size", str(BATCH_ROWS), "--work-dir", str(work),
            "--out-dir", str(out), "--requirements", REQUIREMENT]


def _driver_container(name: str, config, args: list[str], stack, shared: Path, template: Path,
                      master: str) -> list[str]:
    """The score step as its pod would run it: the image, non-root, read-only root, /tmp, the generated conf."""
    conf = [part for key, value in sorted(spark_k8s.driver_conf(config, config.resources.score).items())
            for part in ("--spark-conf", f"{key}={_expand(value)}")]
    # pip in the step reaches the package index through this machine's TLS proxy: its CA bundle, read-only.
    env = {**stack.step_env(master), "HOME": "/tmp", "STEP_RETRY_SECONDS": "30", "PIP_CERT": HOST_CA_MOUNT}
    return [*PODMAN, "run", "--rm", "--name", name, *RUN_OPTIONS, "--user", "10001:10001", "--read-only",
            "--tmpfs", "/tmp:rw,exec,mode=1777", "--volume", f"{shared}:{shared}",
            "--volume", f"{template}:{spark_k8s.EXECUTOR_TEMPLATE_PATH}:ro",
            "--volume", f"{HOST_CA_BUNDLE}:{HOST_CA_MOUNT}:ro",
            *[part for key, value in env.items() for part in ("--env", f"{key}={value}")],
            "--entrypoint", "python", IMAGE, "-m", "jobs.score", *args, *conf]


def _remove_driver(process: subprocess.Popen, name: str) -> None:
    """Stops the driver container (killing only the podman client would leave it running)."""
    subprocess.run([*PODMAN, "rm", "--force", "--time", "2", name], capture_output=True, check=False)
    process.wait(timeout=60)


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


def _executors(standin: StandIn) -> list[dict]:
    return standin.pods("spark-role=executor")


@pytest.fixture
def shared_dir(local_stack, tmp_path):
    """The warehouse, writable by the image's user (uid 10001), as a cluster's shared storage would be."""
    subprocess.run(["chmod", "-R", "a+rwX", str(local_stack.warehouse_dir)], check=True)
    shared = local_stack.warehouse_dir / f"k8s-{tmp_path.name}"
    (shared / "trace").mkdir(parents=True)
    subprocess.run(["chmod", "-R", "a+rwX", str(shared)], check=True)
    return shared


@pytest.mark.timeout(1500)
def test_score_step_drives_executor_pods_through_spark_kubernetes_backend(
        local_stack, cancer_input, cancer_frame, hive_cursor, test_database, step_env, shared_dir, tmp_path):
    subprocess.run([*PODMAN, "image", "exists", IMAGE], check=True)  # fails (not skips) without the image
    features = cancer_frame.drop(columns=["id"])
    model = _register_slow_model(f"k8s_slow_{tmp_path.name[-6:]}", features, shared_dir / "trace",
                                 local_stack.mlflow_uri)
    local_table, k8s_table = f"{test_database}.k8s_check_local", f"{test_database}.k8s_check_cluster"

    local = run_step("score", [*_score_args(model, cancer_input, local_table, tmp_path / "local",
                                            tmp_path / "local" / "outputs"),
                               "--spark-master", "local[2]"], step_env)
    assert local.returncode == 0, local.stderr[-3000:]
    subprocess.run(["chmod", "-R", "a+rwX", str(local_stack.warehouse_dir)], check=True)

    config = _job_config().config
    template = tmp_path / "executor-pod.yaml"
    template.write_text(spark_k8s.executor_pod_yaml(config))
    template.chmod(0o644)
    warehouse = local_stack.warehouse_dir
    with running_standin(API_PORT, tmp_path / "standin", (warehouse,), NAMESPACE, DRIVER_POD) as standin:
        out_dir = shared_dir / "outputs"
        argv = _driver_container("spark-k8s-test-driver", config,
                                 _score_args(model, cancer_input, k8s_table, DRIVER_WORK, out_dir), local_stack,
                                 warehouse, template, standin.master)
        driver = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # Kill the first executor that is in the middle of scoring (its trace file holds predicted batches).
            victim = _wait(lambda: next((p.name for p in (shared_dir / "trace").iterdir()
                                         if p.name != "driver" and len(p.read_text().splitlines()) >= 2), None),
                           600, "an executor scoring batches")
            standin.kubelet.kill(victim)
            out, err = driver.communicate(timeout=900)
        finally:
            _remove_driver(driver, "spark-k8s-test-driver")
        assert driver.returncode == 0, (out[-2000:], err[-6000:])
        running_after = standin.kubelet.running_containers()
        left_pods = _executors(standin)
        calls = list(standin.server.recorder.calls)
        sent_pods = standin.server.recorder.sent("pods")
        config_maps = standin.server.recorder.sent("configmaps")

    # Scores equal local mode's.
    rows = len(cancer_frame)
    assert (out_dir / "rows-written").read_text().strip() == str(rows)
    local_scores = read_frame(hive_cursor, f"SELECT id, score FROM {local_table} WHERE dt = '{INPUT_DS}'")
    k8s_scores = read_frame(hive_cursor, f"SELECT id, score FROM {k8s_table} WHERE dt = '{INPUT_DS}'")
    joined = local_scores.merge(k8s_scores, on="id", suffixes=("_local", "_k8s"), validate="one_to_one")
    assert len(joined) == rows and joined["score_local"].notna().all()
    assert (joined["score_local"] - joined["score_k8s"]).abs().max() < 1e-9

    # Executors scored (not the driver alone), one was killed, Spark replaced it; none is left.
    executor_traces = sorted(p.name for p in (shared_dir / "trace").iterdir() if p.name != "driver")
    assert victim in executor_traces
    assert f"score: installed {REQUIREMENT}" in out
    for name in executor_traces:  # executors imported the requirement from the model archive, not the image
        assert all(f"/{REQUIREMENTS_FOLDER}/inflection" in line for line in (shared_dir / "trace" / name).read_text()
                   .splitlines()), name
    assert len(sent_pods) >= 3, [p["metadata"]["name"] for p in sent_pods]  # 2 executors + the replacement
    assert ("delete", "pods") in {(c.verb, c.resource) for c in calls}  # the failed pod, deleted by Spark
    assert running_after == [] and left_pods == []

    # The pods Spark sent: owned by the driver pod, the generated template merged in, fixed ports.
    driver_uid = standin.driver_pod["metadata"]["uid"]
    for pod in sent_pods:
        spec = pod["spec"]
        (container,) = spec["containers"]
        assert pod["metadata"]["ownerReferences"][0]["uid"] == driver_uid
        assert pod["metadata"]["labels"]["app.kubernetes.io/component"] == "spark-executor"
        assert container["image"] == IMAGE and container["imagePullPolicy"] == "IfNotPresent"
        assert container["args"] == ["executor"]
        assert spec["securityContext"]["runAsUser"] == 10001 and spec["securityContext"]["runAsNonRoot"]
        assert spec["serviceAccountName"] == config.service_account  # the template's, kept by Spark
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
        assert {v["name"] for v in spec["volumes"]} >= {"tmp", "spark-conf-volume-exec"}
        assert container["resources"]["limits"]["memory"] == "1536Mi"
        assert container["resources"]["limits"]["cpu"] == "1"
        assert {"containerPort": BLOCK_MANAGER_PORT, "name": "blockmanager"} in container["ports"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["SPARK_DRIVER_URL"].endswith(f"@127.0.0.1:{DRIVER_PORT}")
        assert env["SPARK_EXECUTOR_MEMORY"] == "768m" and env["HOME"] == "/tmp"
        assert spec["automountServiceAccountToken"] is False
    assert config_maps and config_maps[0]["metadata"]["ownerReferences"][0]["uid"] == driver_uid

    # Every call Spark made is one the generated Role grants; nothing outside the served API was asked for.
    for call in calls:
        assert call.verb != "?", call
        assert allows(SPARK_DRIVER_RULES, "", call.resource, call.verb), call


@pytest.mark.timeout(900)
def test_deleting_the_driver_pod_deletes_its_executors(local_stack, cancer_input, cancer_frame, test_database,
                                                       shared_dir, tmp_path):
    subprocess.run([*PODMAN, "image", "exists", IMAGE], check=True)
    features = cancer_frame.drop(columns=["id"])
    model = _register_slow_model(f"k8s_gc_{tmp_path.name[-6:]}", features, shared_dir / "trace",
                                 local_stack.mlflow_uri)
    config = _job_config().config
    template = tmp_path / "executor-pod.yaml"
    template.write_text(spark_k8s.executor_pod_yaml(config))
    template.chmod(0o644)
    warehouse = local_stack.warehouse_dir
    with running_standin(API_PORT, tmp_path / "standin", (warehouse,), NAMESPACE, DRIVER_POD) as standin:
        argv = _driver_container("spark-k8s-test-driver-gc", config,
                                 _score_args(model, cancer_input, f"{test_database}.k8s_gc", DRIVER_WORK,
                                             shared_dir / "outputs"), local_stack, warehouse, template, standin.master)
        driver = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(lambda: len([p for p in _executors(standin) if p["status"]["phase"] == "Running"]) == 2, 600,
                  "two running executor pods")
            request = urllib.request.Request(f"{standin.server.url}/api/v1/namespaces/{NAMESPACE}/pods/{DRIVER_POD}",
                                             method="DELETE")
            assert urllib.request.urlopen(request, timeout=10).status == 200
            # As the garbage collector would: every executor pod goes with its owner, and so do their containers.
            _wait(lambda: not _executors(standin), 30, "executor pods to be deleted with the driver pod")
            _wait(lambda: not [n for n in standin.kubelet.running_containers() if "exec" in n], 60,
                  "executor containers to stop")
        finally:
            _remove_driver(driver, "spark-k8s-test-driver-gc")


@pytest.mark.timeout(300)
def test_image_starts_spark_standalone_master_and_worker():
    """The other scale-out: the same image as a standalone master and worker (container args `master`, `worker`)."""
    subprocess.run([*PODMAN, "image", "exists", IMAGE], check=True)
    names = ("spark-k8s-test-master", "spark-k8s-test-worker")
    common = [*RUN_OPTIONS, "--user", "10001:10001", "--read-only", "--tmpfs", "/tmp:rw,exec,mode=1777",
              "--env", "SPARK_LOCAL_IP=127.0.0.1"]
    try:
        subprocess.run([*PODMAN, "run", "--detach", "--name", names[0], *common, IMAGE, "master", "--host",
                        "127.0.0.1", "--port", "21620", "--webui-port", "21621"], check=True, capture_output=True)
        subprocess.run([*PODMAN, "run", "--detach", "--name", names[1], *common, IMAGE, "worker",
                        "spark://127.0.0.1:21620", "--cores", "1", "--memory", "512m", "--webui-port", "21622"],
                       check=True, capture_output=True)

        def master_log() -> str:
            return subprocess.run([*PODMAN, "logs", names[0]], capture_output=True, text=True, check=False).stderr

        _wait(lambda: "Registering worker" in master_log(), 120, "the worker to register with the master")
    finally:
        for name in names:
            subprocess.run([*PODMAN, "rm", "--force", name], capture_output=True, check=False)
