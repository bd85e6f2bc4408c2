"""What only the real controller can show: a CronWorkflow fired by Argo's cron controller scores the date its
schedule implies (and its exit handler gets that date, not the expression), a permanent failure runs once, and
the generated Role is what the API server enforces (one verb less and the steps are refused with a 403)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from demo.data import load_days
from generator.cli import main
from generator.cluster.argo_server import ArgoServer
from generator.cluster.submission import apply_plan, plan_submission, rbac_file
from tests.cluster.conftest import TEST_RUN_DIR, ClusterProject, build_cluster_project
from tests.e2e.conftest import DATES, JOB
from tests.e2e.helpers import partition

pytestmark = [pytest.mark.slow]

# Argo's own labels and annotations on what the controller creates.
WORKFLOW_LABEL = "workflows.argoproj.io/workflow"
CRON_LABEL = "workflows.argoproj.io/cron-workflow"
NODE_NAME_ANNOTATION = "workflows.argoproj.io/node-name"
# Two zones whose calendar date differs from UTC's at complementary hours (UTC+14 from 10:00 UTC on, UTC-11 before
# 11:00 UTC): whenever the test runs, one of them proves the date is taken in the schedule's zone, not UTC's.
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")
# The cron controller reads CronWorkflows from an informer: the schedule is set this far ahead at least.
LEAD = dt.timedelta(seconds=50)


def submit(*arguments: str):
    return CliRunner().invoke(main, ["submit", *arguments, "--run-dir", str(TEST_RUN_DIR)], catch_exceptions=False)


def submitted_name(output: str, namespace: str) -> str:
    return output.split(f"submitted Workflow {namespace}/", 1)[1].split()[0]


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
    """The demo job's CronWorkflow applied with a schedule due in a minute or two, in a zone other than UTC's."""

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
    expected_ds = (fires_at.date() - dt.timedelta(days=1)).isoformat()  # ds_offset_days defaults to 1
    project = build_cluster_project(tmp_path_factory.mktemp("cluster-cron"), local_stack,
                                    job_changes={"schedule": {"cron": f"{fires_at.minute} {fires_at.hour} * * *",
                                                             "timezone": zone}})
    # The scheduled date, and the date the module's other tests submit by hand.
    load_days(local_stack.hive_host, local_stack.hive_port, sorted({expected_ds, DATES[0]}))
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


def test_the_cron_controller_scores_the_date_its_schedule_implies_in_its_zone(scheduled_run, cluster, hive_cursor):
    project, server = scheduled_run.project, ArgoServer(cluster.argo_server_url())
    # The module's other tests ran meanwhile: the schedule may have come due long ago.
    until_due = max(0.0, (scheduled_run.fires_at - dt.datetime.now(dt.UTC)).total_seconds())
    deadline = time.monotonic() + until_due + 120
    created: list[dict] = []
    while True:
        created = cluster.api().list("Workflow", project.namespace, f"{CRON_LABEL}={JOB}")
        if created or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert created, f"no Workflow from CronWorkflow {JOB} by {scheduled_run.fires_at.isoformat()}"
    (workflow,) = created
    name = workflow["metadata"]["name"]
    while (workflow.get("status") or {}).get("phase") not in ("Succeeded", "Failed", "Error"):
        assert time.monotonic() < deadline + 600, f"{name} still running"
        time.sleep(3)
        workflow = server.workflow(project.namespace, name)
    assert workflow["status"]["phase"] == "Succeeded", workflow["status"].get("message")
    scores = partition(hive_cursor, scheduled_run.expected_ds)
    assert scores, f"no scores for {scheduled_run.expected_ds} ({scheduled_run.zone})"
    assert {row[1] for row in scores.values()} == {project.model}
    arguments = exit_handler_args(cluster, project.namespace, name)
    assert argument_after(arguments, "--ds") == scheduled_run.expected_ds  # the date, not the `{{=...}}` text
    assert argument_after(arguments, "--status") == "Succeeded"
