"""run-local --in-image on the real local stack: every step a podman container of the project image, as a pod."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from argo_toolset.runner import run_workflow
from argo_toolset.runner.pods.in_image import in_image
from demo.data import day_frame
from generator.localstack import LocalStack
from tests.e2e.conftest import JOB
from tests.e2e.helpers import partition
from tests.e2e.test_pipeline import expected_scores
from tests.pods.conftest import OWN_JOB

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
OWN_TABLE = "demo_scores.large_radius_daily"
MIN_MEAN_RADIUS = 14.0


def run_local_in_image(workflows_file: Path, template: str, parameters: dict[str, str], work_dir: Path,
                       lock_dir: Path, image: str, stack_run_dir: Path) -> subprocess.CompletedProcess:
    """The real command a data engineer types, with --in-image."""
    command = [sys.executable, "-m", "generator", "run-local", str(workflows_file), "--template", template,
               *[word for name, value in parameters.items() for word in ("-p", f"{name}={value}")],
               "--work-dir", str(work_dir), "--lock-dir", str(lock_dir), "--backoff-scale", "0",
               "--in-image", image, "--run-dir", str(stack_run_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=1800)


def failure_report(completed: subprocess.CompletedProcess, work_dir: Path) -> str:
    """The run's last output and, for each failed pod, the end of its log (the streamed logs scroll out of view)."""
    failed: list[str] = []

    def walk(node: dict) -> None:
        if node.get("type") == "Pod" and node.get("phase") in ("Failed", "Error") and node.get("folder"):
            log = Path(node["folder"]) / "main.log"
            tail = log.read_text()[-3000:] if log.is_file() else "(no log)"
            failed.append(f"--- {node['display_name']} ({node['phase']}): {log}\n{tail}")
        for child in node.get("children", []):
            walk(child)

    result = work_dir / "result.json"
    if result.is_file():
        document = json.loads(result.read_text())
        for node in (document.get("root"), document.get("exit_handler")):
            if node:
                walk(node)
    return "\n".join([completed.stdout[-4000:], completed.stderr[-2000:], *failed])


def rows(cursor, table: str, ds: str) -> dict[int, tuple]:
    cursor.execute(f"REFRESH TABLE {table}")
    cursor.execute(f"SELECT patient_id, score, scored_at FROM {table} WHERE dt = '{ds}'")
    return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def assert_scores_equal_predict(scored: dict[int, tuple], expected: dict[int, float]) -> None:
    assert sorted(scored) == sorted(expected)
    got = np.array([scored[key][0] for key in sorted(scored)])
    assert np.allclose(got, [expected[key] for key in sorted(expected)], rtol=0, atol=1e-9)


def test_demo_job_in_image_scores_equal_model_predict_and_rerun_replaces(
        e2e_project, project_image, stack_run_dir, local_stack, hive_cursor, tmp_path):
    ds = "2026-03-01"
    first_run = run_local_in_image(e2e_project.workflows_file, JOB, {"ds": ds}, tmp_path / "first",
                                   e2e_project.lock_dir, project_image, stack_run_dir)
    assert first_run.returncode == 0, failure_report(first_run, tmp_path / "first")
    # Every step ran as a container of the image, with the pod's user and a read-only root.
    commands = [path.read_text() for path in (tmp_path / "first").glob("nodes/*/podman-run.txt")]
    assert len(commands) == 7  # wait-for-input, prepare, fetch-model, score, validate, monitor, on-exit
    assert all(project_image in line and "--read-only" in line and "--user 10001:10001" in line for line in commands)

    first = partition(hive_cursor, ds)
    version = {row[2] for row in first.values()}.pop()
    expected = expected_scores(local_stack.mlflow_uri, f"models:/{e2e_project.model_name}/{version}", ds)
    assert_scores_equal_predict({key: (row[0],) for key, row in first.items()}, expected)

    second_run = run_local_in_image(e2e_project.workflows_file, JOB, {"ds": ds}, tmp_path / "second",
                                    e2e_project.lock_dir, project_image, stack_run_dir)
    assert second_run.returncode == 0, failure_report(second_run, tmp_path / "second")
    second = partition(hive_cursor, ds)
    assert len(second) == len(first)  # replaced, not appended
    assert {row[4] for row in second.values()}.isdisjoint({row[4] for row in first.values()})


def test_own_job_retro_over_three_dates_in_image(own_job_workflows, e2e_project, project_image, stack_run_dir,
                                                 local_stack, hive_cursor, tmp_path):
    dates = ["2026-03-02", "2026-03-03", "2026-03-04"]
    completed = run_local_in_image(own_job_workflows, f"{OWN_JOB}-retro",
                                   {"start": dates[0], "end": dates[-1], "parallelism": "2"}, tmp_path,
                                   e2e_project.lock_dir, project_image, stack_run_dir)
    assert completed.returncode == 0, failure_report(completed, tmp_path)
    hive_cursor.execute(f"SHOW PARTITIONS {OWN_TABLE}")
    assert sorted(row[0] for row in hive_cursor.fetchall()) == [f"dt={ds}" for ds in dates]
    model_uri = f"models:/{e2e_project.model_name}@champion"
    for ds in dates:
        frame = day_frame(ds)
        kept = set(frame.loc[frame["mean_radius"] >= MIN_MEAN_RADIUS, "patient_id"].tolist())
        expected = {key: value for key, value in expected_scores(local_stack.mlflow_uri, model_uri, ds).items()
                    if key in kept}
        assert 0 < len(expected) < len(frame)  # the job's own SQL filtered the day
        assert_scores_equal_predict(rows(hive_cursor, OWN_TABLE, ds), expected)


def _one_step_workflow(image: str, code: str, **container: object) -> list[dict]:
    """A WorkflowTemplate with one python step run as the generated pods run (uid 10001, read-only root)."""
    step = {"name": "main", "activeDeadlineSeconds": container.pop("deadline", 300),
            "container": {"image": image, "command": ["python", "-c", code],
                          "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                                              "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True},
                          "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}], **container}}
    return [{"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
             "metadata": {"name": "pods-probe", "namespace": "test"},
             "spec": {"entrypoint": "main", "templates": [step], "volumes": [{"name": "tmp", "emptyDir": {}}],
                      "securityContext": {"runAsUser": 10001, "runAsGroup": 10001, "runAsNonRoot": True,
                                          "fsGroup": 10001}}}]


def _run_probe(documents: list[dict], project_image: str, stack_run_dir: Path, tmp_path: Path):
    return run_workflow(documents, work_dir=tmp_path, lock_dir=tmp_path / "locks", echo=None, stream_logs=False,
                        in_image=in_image(project_image, lambda: LocalStack(stack_run_dir).endpoints().warehouse_dir))


def test_write_outside_volumes_fails_with_read_only_file_system(project_image, stack_run_dir, tmp_path):
    writes_tmp = "open('/tmp/ok', 'w').write('x'); print('tmp written')"
    good = _run_probe(_one_step_workflow(project_image, writes_tmp), project_image, stack_run_dir, tmp_path / "ok")
    assert good.succeeded, good.message
    escapes = "open('/opt/argo-batch-scoring/escaped', 'w').write('x')"
    bad = _run_probe(_one_step_workflow(project_image, escapes), project_image, stack_run_dir, tmp_path / "bad")
    assert bad.phase == "Failed"
    log = next((tmp_path / "bad").glob("nodes/*/main.log")).read_text()
    assert "OSError: [Errno 30] Read-only file system: '/opt/argo-batch-scoring/escaped'" in log


def test_container_sees_only_declared_env_and_pod_fields(project_image, stack_run_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PODS_HOST_ONLY", "leaks")
    monkeypatch.setenv("ARGO_SECRET_PROBE_CREDENTIALS_PASSWORD", "s3cret")
    code = ("import os; print(sorted(k for k in os.environ if k.startswith(('PODS', 'DECLARED', 'SECRET', 'POD_'))));"
            "print(os.environ.get('SECRET_VALUE'), os.environ['POD_NAME'], os.getuid(), os.getgid())")
    env = [{"name": "DECLARED", "value": "yes"},
           {"name": "SECRET_VALUE", "valueFrom": {"secretKeyRef": {"name": "probe-credentials", "key": "password"}}},
           {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    result = _run_probe(_one_step_workflow(project_image, code, env=env), project_image, stack_run_dir, tmp_path)
    assert result.succeeded, result.message
    pod = result.pods()[0]
    assert pod.outputs.result.splitlines() == ["['DECLARED', 'POD_NAME', 'SECRET_VALUE']",
                                               f"s3cret {pod.name} 10001 10001"]
    assert "s3cret" not in next(tmp_path.glob("nodes/*/podman-run.txt")).read_text()


def test_step_over_its_memory_limit_is_oom_killed(project_image, stack_run_dir, tmp_path):
    hog = "x = bytearray(400 * 1024 * 1024); print('survived')"
    result = _run_probe(_one_step_workflow(project_image, hog, resources={"limits": {"memory": "128Mi"}}),
                        project_image, stack_run_dir, tmp_path)
    assert result.phase == "Failed"
    assert result.pods()[0].message == "OOMKilled (exit code 137)"
    assert "survived" not in result.pods()[0].outputs.result


def test_active_deadline_kills_the_container(project_image, stack_run_dir, tmp_path):
    result = _run_probe(_one_step_workflow(project_image, "import time; time.sleep(120)", deadline=3),
                        project_image, stack_run_dir, tmp_path)
    assert result.phase == "Failed"
    assert "deadline" in result.pods()[0].message
    assert (result.finished_at - result.started_at).total_seconds() < 60
    leftover = subprocess.run(["podman", "ps", "--all", "--quiet", "--filter", f"name={result.workflow_name}"],
                              capture_output=True, text=True, check=True)
    assert leftover.stdout.strip() == ""


def _step_modules() -> list[str]:
    """Every `python -m jobs.<step>` module the generated workflows run."""
    repo = Path(__file__).resolve().parents[2]
    modules = set()
    for path in [*repo.glob("workflows/*.yaml")]:
        for document in yaml.safe_load_all(path.read_text()):
            spec = (document or {}).get("spec", {})
            for template in (spec.get("workflowSpec") or spec).get("templates") or []:
                command = (template.get("container") or {}).get("command") or []
                if command[:2] == ["python", "-m"]:
                    modules.add(command[2])
    return sorted(modules)


@pytest.mark.parametrize("module", _step_modules())
def test_every_step_starts_in_the_image_as_10001_with_read_only_root(project_image, module):
    from argo_toolset.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman

    completed = subprocess.run(
        podman("run", "--rm", "--pull", "never", *NETWORK_OPTIONS, *ULIMIT_OPTIONS, "--user", "10001:10001",
               "--read-only", "--read-only-tmpfs=false", "--tmpfs", "/tmp", project_image,
               "python", "-m", module, "--help"),
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Usage:" in completed.stdout


def test_host_ca_bundle_was_only_mounted_during_the_build(project_image):
    """The build trusted the host's CA bundle through a read-only mount; no file in the image holds it."""
    import hashlib

    from argo_toolset.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman
    from generator.image.build import CA_MOUNT_PATH, HOST_CA_BUNDLE

    listing = subprocess.run(
        podman("run", "--rm", "--pull", "never", *NETWORK_OPTIONS, *ULIMIT_OPTIONS, "--user", "0", project_image,
               "sh", "-c", f"stat -c '%s %n' {CA_MOUNT_PATH}; find / -xdev -type f "
               "\\( -name '*.crt' -o -name '*.pem' \\) -size +0 -exec sha256sum {} +"),
        capture_output=True, text=True, timeout=300, check=True)
    lines = listing.stdout.splitlines()
    assert lines[0] == f"0 {CA_MOUNT_PATH}"  # only the empty mount point the build left behind
    digests = {line.split()[1]: line.split()[0] for line in lines[1:]}
    assert len(digests) > 10  # the image's own Debian certificates were hashed
    host_digest = hashlib.sha256(HOST_CA_BUNDLE.read_bytes()).hexdigest()
    # A host whose bundle is Debian's stock one holds nothing the image's own ca-certificates lacks; on a host
    # with an extra CA (a TLS-intercepting proxy's, as here) no file of the image may equal it.
    if host_digest != digests.get("/etc/ssl/certs/ca-certificates.crt"):
        assert host_digest not in digests.values()
