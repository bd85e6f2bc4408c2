"""What only the real controller can show: a CronWorkflow fired by Argo's cron controller scores the date its
schedule implies (and its exit handler gets that date, not the expression); a run that outlasts the next schedule
does not make the cron controller skip it, and runs of one date (scheduled or manual) take turns on the mutex; a
permanent failure runs once; the generated Role is what the API server enforces (one verb less: a 403)."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import yaml

from argo_toolset.cluster.argo_server import ArgoServer
from argo_toolset.cluster.submission import apply_plan, plan_submission, rbac_file
from demo.data import load_days
from tests.cluster.conftest import (
    CRON_LABEL,
    FINAL_PHASES,
    NODE_NAME_ANNOTATION,
    WORKFLOW_LABEL,
    ClusterProject,
    build_cluster_project,
    submit,
    submitted_name,
    wait_for,
)
from tests.e2e.conftest import DATES, JOB
from tests.e2e.helpers import OUTPUT_TABLE, partition

pytestmark = [pytest.mark.slow]

# Two zones whose calendar date differs from UTC's at complementary hours (UTC+14 from 10:00 UTC on, UTC-11 before
# 11:00 UTC): whenever the test runs, one of them proves the date is taken in the schedule's zone, not UTC's.
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")
# The cron controller reads CronWorkflows from an informer: the schedule is set this far ahead at least.
LEAD = dt.timedelta(seconds=50)


def exit_handler_args(cluster, namespace: str, workflow: str) -> list[str]:
    """The arguments Argo gave the exit handler's container, read from its pod (kept: podGC delays deletion)."""
    pods = cluster.api().list("Pod", namespace, f"{WORKFLOW_LABEL}={workflow}")
    (on_exit,) = [pod for pod in pods if ".onExit(" in pod["metadata"]["annotations"][NODE_NAME_ANNOTATION]]
    (main_container,) = [c for c in on_exit["spec"]["containers"] if c["name"] == "main"]
    return [*main_container.get("command", []), *main_container.get("args", [])]


def argument_after(arguments: list[str], flag: str) -> str:
    return arguments[arguments.index(flag) + 1]


@dataclass(frozen=True)
class ScheduledRun:
    """The demo job's CronWorkflow applied with a schedule due in a minute or two and again a minute later, in a zone
    other than UTC's; the scheduled date's input is not loaded yet, so the first run waits in its sensor."""

    project: ClusterProject
    zone: str
    fires_at: dt.datetime
    expected_ds: str


@pytest.fixture(scope="module")
def scheduled_run(tmp_path_factory, local_stack, cluster) -> ScheduledRun:
    """Applied first (the module's other tests run while the schedule comes due); its test is the module's last."""
    now = dt.datetime.now(dt.UTC)
    zone = next(name for name in ZONES if now.astimezone(ZoneInfo(name)).date() != now.date())
    local = now.astimezone(ZoneInfo(zone)) + LEAD
    fires_at = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    if fires_at.minute == 59:  # both firings within one hour, so that one cron field range holds them
        fires_at += dt.timedelta(minutes=1)
    expected_ds = (fires_at.date() - dt.timedelta(days=1)).isoformat()  # ds_offset_days defaults to 1
    cron = f"{fires_at.minute}-{fires_at.minute + 1} {fires_at.hour} * * *"
    project = build_cluster_project(tmp_path_factory.mktemp("cluster-cron"), local_stack,
                                    job_changes={"schedule": {"cron": cron, "timezone": zone}})
    # The date the module's other tests submit by hand; the scheduled date's input comes later, in its test.
    load_days(local_stack.hive_host, local_stack.hive_port, [DATES[0]])
    documents = [doc for doc in yaml.safe_load_all(project.workflows_file.read_text()) if doc]
    plan = plan_submission(documents, project.workflows_file, JOB, {"ds": expected_ds}, None)
    apply_plan(cluster.api(), plan, cluster.prepare_namespace)
    return ScheduledRun(project, zone, fires_at, expected_ds)


def test_a_permanent_failure_runs_once_and_the_exit_handler_reports_it(scheduled_run, cluster):
    namespace = scheduled_run.project.namespace
    ds = DATES[0]
    result = submit(str(scheduled_run.project.workflows_file), "--template", JOB, "-p", f"ds={ds}",
                    "-p", f"model-uri=models:/no_such_model_{uuid.uuid4().hex[:6]}@champion", "--wait")
    assert result.exit_code == 1, result.output  # Failed
    name = submitted_name(result.output, namespace)
    nodes = ArgoServer(cluster.argo_server_url()).workflow(namespace, name)["status"]["nodes"]
    (fetch_model,) = [node for node in nodes.values() if node["displayName"] == "fetch-model"]
    assert fetch_model["type"] == "Retry"
    assert len(fetch_model["children"]) == 1  # exit 2 is permanent: the retry expression stops it at once
    (attempt,) = [nodes[child] for child in fetch_model["children"]]
    assert attempt["phase"] == "Failed" and "exit code 2" in attempt["message"]
    (on_exit,) = [node for node in nodes.values() if node["name"].endswith(".onExit")]
    assert on_exit["phase"] == "Succeeded"
    arguments = exit_handler_args(cluster, namespace, name)
    assert argument_after(arguments, "--ds") == ds
    assert argument_after(arguments, "--status") == "Failed"
    assert "fetch-model" in argument_after(arguments, "--failures")


def test_a_step_killed_at_its_memory_limit_is_retried(tmp_path_factory, local_stack, cluster):
    """fetch-model given 64Mi: the kernel kills it at its limit on each try (exit 137), and the controller retries it
    as often as the job's `retries.limit` allows (demo/conf/defaults.yaml: 1) before the run fails."""
    project = build_cluster_project(tmp_path_factory.mktemp("cluster-oom"), local_stack,
                                    job_changes={"resources": {"fetch_model": {"cpu": "250m", "memory": "64Mi"}}})
    result = submit(str(project.workflows_file), "--template", JOB, "-p", f"ds={DATES[0]}", "--wait")
    assert result.exit_code == 1, result.output  # Failed
    nodes = ArgoServer(cluster.argo_server_url()).workflow(project.namespace,
                                                          submitted_name(result.output, project.namespace))
    nodes = nodes["status"]["nodes"]
    (fetch_model,) = [node for node in nodes.values() if node["displayName"] == "fetch-model"]
    attempts = [nodes[child] for child in fetch_model["children"]]
    assert len(attempts) == 2, [attempt.get("message") for attempt in attempts]  # the first try and one retry
    for attempt in attempts:
        assert attempt["phase"] == "Failed" and "OOMKilled (exit code 137)" in attempt["message"], attempt


@pytest.mark.parametrize("verb", ["create", "patch"])
def test_the_generated_role_less_one_verb_is_refused_by_the_api_server(scheduled_run, cluster, tmp_path, verb):
    """With the generated Role the demo runs (test_cluster.py); without one of its verbs the steps get a 403."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    workflows_file = folder / scheduled_run.project.workflows_file.name
    documents = [doc for doc in yaml.safe_load_all(scheduled_run.project.workflows_file.read_text()) if doc]
    # Without the CronWorkflow: its schedule is due soon and would start runs in this namespace too.
    workflows_file.write_text(yaml.safe_dump_all([doc for doc in documents if doc["kind"] != "CronWorkflow"]))
    rbac = [doc for doc in yaml.safe_load_all(rbac_file(scheduled_run.project.workflows_file).read_text()) if doc]
    (role,) = [doc for doc in rbac if doc["kind"] == "Role"]
    (rule,) = role["rules"]
    assert verb in rule["verbs"]
    rule["verbs"].remove(verb)
    rbac_file(workflows_file).write_text(yaml.safe_dump_all(rbac))
    namespace = f"rbac-{verb}-{uuid.uuid4().hex[:6]}"
    result = submit(str(workflows_file), "--template", JOB, "--namespace", namespace, "-p", f"ds={DATES[0]}")
    assert result.exit_code == 0, result.output
    name = submitted_name(result.output, namespace)
    server = ArgoServer(cluster.argo_server_url())
    refusal = f'cannot {verb} resource "workflowtaskresults"'
    # The first refused pod is the proof; the rest of the run would only wait out the steps' retry back-off.
    deadline, messages, phase = time.monotonic() + 300, [], None
    while time.monotonic() < deadline and phase not in ("Succeeded", "Failed", "Error"):
        status = server.workflow(namespace, name).get("status") or {}
        phase = status.get("phase")
        messages = [node.get("message") or "" for node in (status.get("nodes") or {}).values()]
        if any(refusal in message for message in messages):
            break
        time.sleep(2)
    server.delete_workflow(namespace, name)
    assert phase != "Succeeded", f"the steps ran without {verb!r}: the generated Role grants a right no step uses"
    refused = [message for message in messages if refusal in message]
    assert refused, f"no step was refused within 300s ({phase}): {messages}"
    assert "forbidden" in refused[0] and f"system:serviceaccount:{namespace}:" in refused[0]


def cron_workflows(cluster, namespace: str) -> list[dict]:
    """The Workflows the cron controller created, oldest first."""
    found = cluster.api().list("Workflow", namespace, f"{CRON_LABEL}={JOB}")
    return sorted(found, key=lambda workflow: workflow["metadata"]["creationTimestamp"])


def finished(server: ArgoServer, namespace: str, name: str, seconds: float = 900) -> dict:
    def ended() -> dict | None:
        workflow = server.workflow(namespace, name)
        return workflow if (workflow.get("status") or {}).get("phase") in FINAL_PHASES else None

    return wait_for(ended, seconds, f"end of {name}")


def running_pod(cluster, namespace: str, workflow: str, task: str) -> dict | None:
    """The running pod of the workflow's DAG task `task`, if there is one (any try: `task(0)`, `task(1)`, or `task`
    itself when it has no retryStrategy)."""
    node = re.compile(rf"\.{re.escape(task)}(\(\d+\))?$")
    for pod in cluster.api().list("Pod", namespace, f"{WORKFLOW_LABEL}={workflow}"):
        if (node.search(pod["metadata"]["annotations"][NODE_NAME_ANNOTATION])
                and (pod.get("status") or {}).get("phase") == "Running"):
            return pod
    return None


def attempts_of(workflow: dict, task: str) -> list[dict]:
    """The tries of a DAG task with a retryStrategy, in order (the children of its Retry node)."""
    nodes = (workflow.get("status") or {}).get("nodes") or {}
    retry = [node for node in nodes.values() if node["displayName"] == task and node["type"] == "Retry"]
    return [nodes[child] for node in retry for child in node.get("children") or []]


def waits_for_a_lock(workflow: dict) -> bool:
    """Whether the controller lists the run as waiting for a mutex (Argo's status.synchronization)."""
    synchronization = (workflow.get("status") or {}).get("synchronization") or {}
    return bool((synchronization.get("mutex") or {}).get("waiting"))


def pipeline_span(workflow: dict) -> tuple[str, str]:
    """When the first step pod of the run's pipeline (the template holding the `<job>-<ds>` mutex) started and its
    last one finished (RFC 3339 UTC times: they compare as text)."""
    pods = [node for node in workflow["status"]["nodes"].values()
            if node["type"] == "Pod" and ".onExit" not in node["name"]]
    return min(node["startedAt"] for node in pods), max(node["finishedAt"] for node in pods)


def test_the_cron_controller_scores_the_date_its_schedule_implies_in_its_zone_and_runs_of_one_date_take_turns(
        scheduled_run, cluster, local_stack, hive_cursor):
    project, server, ds = scheduled_run.project, ArgoServer(cluster.argo_server_url()), scheduled_run.expected_ds
    namespace = project.namespace
    # The module's other tests ran meanwhile: the schedule may have come due long ago.
    until_due = max(0.0, (scheduled_run.fires_at - dt.datetime.now(dt.UTC)).total_seconds())
    (first, *_) = wait_for(lambda: cron_workflows(cluster, namespace), until_due + 120,
                           f"Workflow from CronWorkflow {JOB} by {scheduled_run.fires_at.isoformat()}")
    first_name = first["metadata"]["name"]
    wait_for(lambda: cluster.api().list("Pod", namespace, f"{WORKFLOW_LABEL}={first_name}"), 180,
             f"pod of {first_name} (its pipeline holding the date's lock)")
    # A manual run of the same date while the scheduled one holds the date's lock (its sensor waits for input).
    manual = submit(str(project.workflows_file), "--template", JOB, "-p", f"ds={ds}")
    assert manual.exit_code == 0, manual.output
    manual_name = submitted_name(manual.output, namespace)
    # The next schedule comes due while the first run still runs: the cron controller starts it anyway
    # (concurrencyPolicy Allow; Forbid would skip it without a Workflow or an alert) and it waits for the lock.
    def both_scheduled_runs() -> list[dict] | None:
        found = cron_workflows(cluster, namespace)
        return found if len(found) >= 2 else None

    (_, second) = wait_for(both_scheduled_runs, 180, "second Workflow from the schedule's next time")
    assert (server.workflow(namespace, first_name).get("status") or {}).get("phase") == "Running"
    second_name = second["metadata"]["name"]
    for waiting in (manual_name, second_name):
        wait_for(lambda name=waiting: waits_for_a_lock(server.workflow(namespace, name)), 60,
                 f"sign of {waiting} waiting for the date's lock")
        assert not cluster.api().list("Pod", namespace, f"{WORKFLOW_LABEL}={waiting}"), f"{waiting} did not wait"
    server.delete_workflow(namespace, second_name)  # it has shown what it can; its turn would add only minutes
    # A drained node: the first run's sensor pod is deleted while it polls for the input; the controller retries it.
    sensor = wait_for(lambda: running_pod(cluster, namespace, first_name, "wait-for-input"), 120,
                      f"running sensor pod of {first_name}")
    cluster.api().delete("Pod", sensor["metadata"]["name"], namespace)
    wait_for(lambda: len(attempts_of(server.workflow(namespace, first_name), "wait-for-input")) >= 2, 180,
             f"retry of {first_name}'s sensor after its pod was deleted")
    load_days(local_stack.hive_host, local_stack.hive_port, [ds])

    scheduled, by_hand = finished(server, namespace, first_name), finished(server, namespace, manual_name)
    assert scheduled["status"]["phase"] == "Succeeded", scheduled["status"].get("message")
    assert by_hand["status"]["phase"] == "Succeeded", by_hand["status"].get("message")
    assert pipeline_span(scheduled)[1] <= pipeline_span(by_hand)[0]  # one after the other, never together
    (lost, *_, last) = attempts_of(scheduled, "wait-for-input")
    assert lost["phase"] in ("Failed", "Error") and last["phase"] == "Succeeded", (lost, last)
    scores = partition(hive_cursor, ds)
    assert scores, f"no scores for {ds} ({scheduled_run.zone})"
    assert {row[1] for row in scores.values()} == {project.model}
    assert len({row[4] for row in scores.values()}) == 1  # one run's rows: the later run replaced the first's
    hive_cursor.execute(f"SELECT COUNT(*) FROM {OUTPUT_TABLE} WHERE dt = '{ds}'")
    assert hive_cursor.fetchone()[0] == len(scores)  # and no row twice
    arguments = exit_handler_args(cluster, namespace, first_name)
    assert argument_after(arguments, "--ds") == ds  # the date, not the `{{=...}}` text
    assert argument_after(arguments, "--status") == "Succeeded"
