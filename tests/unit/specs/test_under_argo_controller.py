"""What the generated specs need from Argo's controller and Kubernetes (issue 21, defects 1-7), checked on the
generated documents: each test failed on the generator before its fix (the failing runs are in the issue note)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from generator.specs import documents
from generator.specs.rbac import rbac_documents
from generator.specs.spark_k8s import heap_mebibytes
from tests.rbac import allows
from tests.unit.specs.test_documents import by_kind, templates

REPO = Path(__file__).resolve().parents[3]
PERMANENT_EXPRESSION = "lastRetry.exitCode != '2'"
# Kubernetes expands $(VAR) in args only from the container's own env; an undefined one stays as text.
_DEPENDENT_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def _main(job) -> dict:
    return by_kind(documents(job))[("WorkflowTemplate", job.config.name)]


def _spark_conf(template: dict) -> dict[str, str]:
    args = template["container"]["args"]
    return dict(args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == "--spark-conf")


def _driver_steps(job) -> dict[str, dict]:
    """Every container template that starts a Spark driver on Kubernetes (it names the driver's host)."""
    return {name: template for name, template in templates(_main(job)).items()
            if "container" in template and "spark.driver.host" in _spark_conf(template)}


# Defect 1: the monitor step of a k8s:// job named $(POD_IP) and the executor template but had neither.
def test_every_spark_driver_step_gets_its_pod_identity_and_the_executor_template(credit):
    drivers = _driver_steps(credit)
    assert set(drivers) == {"score", "monitor"}
    for name, template in drivers.items():
        env = {e["name"] for e in template["container"].get("env", [])}
        referenced = {var for arg in template["container"]["args"] for var in _DEPENDENT_VAR.findall(arg)}
        assert referenced and referenced <= env, (name, sorted(referenced - env))
        conf = _spark_conf(template)
        paths = {a["path"] for a in template.get("inputs", {}).get("artifacts", []) if "raw" in a}
        assert conf["spark.kubernetes.executor.podTemplateFile"] in paths, name
        # The driver's heap is half of its own pod's memory (score 2Gi, monitor 3Gi here), not of another step's.
        memory = template["container"]["resources"]["limits"]["memory"]
        assert conf["spark.driver.memory"] == f"{heap_mebibytes(memory)}m", (name, memory)


def test_monitor_driver_heap_follows_the_monitor_pods_memory(credit):
    import dataclasses

    from generator.config.models import JobConfig

    data = credit.config.model_dump(by_alias=True)
    data["resources"]["monitor"] = {"cpu": "1", "memory": "3Gi"}
    job = dataclasses.replace(credit, config=JobConfig.model_validate(data))
    drivers = _driver_steps(job)
    assert _spark_conf(drivers["monitor"])["spark.driver.memory"] == "1536m"
    assert _spark_conf(drivers["score"])["spark.driver.memory"] == "1024m"


# Defect 3: executor pods ran as the namespace's `default` account.
def test_executor_pods_run_under_the_jobs_service_account(credit):
    for name, template in _driver_steps(credit).items():
        path = _spark_conf(template)["spark.kubernetes.executor.podTemplateFile"]
        [artifact] = [a for a in template["inputs"]["artifacts"] if a["path"] == path]
        spec = yaml.safe_load(artifact["raw"]["data"])["spec"]
        assert spec["serviceAccountName"] == credit.config.service_account == "batch-scoring", name
        assert spec["automountServiceAccountToken"] is False  # the account's name, never its API token


# Defect 4: the pod rights went to the one account every step uses.
def _rules_of(config, account: str):
    docs = rbac_documents(config)
    roles = {doc.metadata.name: doc for doc in docs if doc.kind == "Role"}
    bound = [roles[doc.role_ref.name] for doc in docs if doc.kind == "RoleBinding"
             and any(subject.name == account for subject in doc.subjects)]
    return [rule for role in bound for rule in role.rules]


def test_only_the_spark_driver_steps_account_may_create_or_delete_pods(credit, churn):
    config = credit.config
    driver_account = f"{config.service_account}-spark-driver"
    main = _main(credit)
    assert main["spec"]["serviceAccountName"] == config.service_account
    for name, template in templates(main).items():
        if "container" in template:
            expected = driver_account if name in _driver_steps(credit) else None
            assert template.get("serviceAccountName") == expected, name
    plain, driver = _rules_of(config, config.service_account), _rules_of(config, driver_account)
    for verb in ("create", "delete", "deletecollection", "watch"):
        assert allows(driver, "", "pods", verb) and not allows(plain, "", "pods", verb), verb
    assert not allows(plain, "", "configmaps", "create")
    for rules in (plain, driver):  # Argo's wait container in every pod reports the step's outputs
        assert allows(rules, "argoproj.io", "workflowtaskresults", "create")
        assert allows(rules, "argoproj.io", "workflowtaskresults", "patch")
    # A local[*] job has no driver account and no pod rights at all.
    assert all(template.get("serviceAccountName") is None for template in templates(_main(churn)).values())
    assert not allows(_rules_of(churn.config, churn.config.service_account), "", "pods", "create")


# Defect 5: `Forbid` made the cron controller skip a run (no Workflow, no alert) while the previous one ran.
def test_a_scheduled_run_is_never_skipped_the_ds_mutex_serializes_instead(churn):
    docs = by_kind(documents(churn))
    assert docs[("CronWorkflow", "churn-daily")]["spec"]["concurrencyPolicy"] == "Allow"
    pipeline = templates(docs[("WorkflowTemplate", "churn-daily")])["pipeline"]
    assert pipeline["synchronization"] == {"mutexes": [{"name": "churn-daily-{{inputs.parameters.ds}}"}]}


# Defect 6: the sensor, plan-dates and the exit handler were not retried when their pod was lost.
def test_sensor_plan_dates_and_exit_handler_are_retried_except_after_a_permanent_exit(churn):
    from generator.config.loader import LoadedJob
    from generator.config.models import WaitFor

    waiting = churn.config.model_copy(update={"input": churn.config.input.model_copy(
        update={"wait_for": WaitFor()})})
    docs = by_kind(documents(LoadedJob(**{**churn.__dict__, "config": waiting})))
    main, retro = docs[("WorkflowTemplate", "churn-daily")], docs[("WorkflowTemplate", "churn-daily-retro")]
    steps = {"wait-for-input": templates(main)["wait-for-input"], "on-exit": templates(main)["on-exit"],
             "plan-dates": templates(retro)["plan-dates"], "retro on-exit": templates(retro)["on-exit"]}
    for name, template in steps.items():
        strategy = template.get("retryStrategy")
        assert strategy is not None, name
        assert strategy["expression"] == PERMANENT_EXPRESSION and int(strategy["limit"]) >= 1, name


# Defect 7: failed step pods were kept (OnPodSuccess), so deleting them never cascaded to their executors.
def test_every_step_pod_is_deleted_after_a_delay_and_the_docs_say_so(churn, credit):
    gcs = [doc["spec"]["podGC"] for job in (churn, credit) for doc in documents(job)
           if doc["kind"] == "WorkflowTemplate"]
    assert {gc["strategy"] for gc in gcs} == {"OnPodCompletion"}
    [delay] = {gc.get("deleteDelayDuration") for gc in gcs}
    assert delay and re.fullmatch(r"[0-9]+h", delay)
    for page in ("docs/CONFIG.md", "docs/RELIABILITY.md"):
        text = " ".join((REPO / page).read_text().split())
        assert "OnPodSuccess" not in text, page
        assert f"deleteDelayDuration: {delay}" in text, page
