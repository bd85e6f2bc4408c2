"""The generated documents: shape of the DAG, parameters, security, schedule, retro fan-out."""

from __future__ import annotations

import yaml

from argo_toolset.runner.expressions.expr import evaluate_condition
from contract import exit_codes
from generator.config.models import Schedule
from generator.specs import documents, render
from generator.specs.cron import ds_expression


def by_kind(docs):
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}


def templates(doc):
    return {template["name"]: template for template in doc["spec"]["templates"]}


def test_documents_per_job(churn, credit):
    assert set(by_kind(documents(churn))) == {
        ("WorkflowTemplate", "churn-daily"),
        ("WorkflowTemplate", "churn-daily-retro"),
        ("CronWorkflow", "churn-daily"),
    }
    # No schedule, no CronWorkflow.
    assert set(by_kind(documents(credit))) == {
        ("WorkflowTemplate", "credit-limit-review"),
        ("WorkflowTemplate", "credit-limit-review-retro"),
    }


def test_main_dag_prepare_and_fetch_in_parallel_then_score_then_validate(churn):
    main = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]
    assert main["spec"]["entrypoint"] == "pipeline"
    tasks = {task["name"]: task for task in templates(main)["pipeline"]["dag"]["tasks"]}
    assert "depends" not in tasks["prepare"] and "depends" not in tasks["fetch-model"]
    assert tasks["score"]["depends"] == "prepare && fetch-model"
    assert tasks["validate"]["depends"] == "score"
    score_args = {p["name"]: p["value"] for p in tasks["score"]["arguments"]["parameters"]}
    assert score_args["model-version"] == "{{tasks.fetch-model.outputs.parameters.model-version}}"
    assert score_args["requirements"] == "{{tasks.fetch-model.outputs.parameters.requirements}}"


def test_without_prepare_score_waits_only_for_fetch(credit):
    main = by_kind(documents(credit))[("WorkflowTemplate", "credit-limit-review")]
    tasks = {task["name"]: task for task in templates(main)["pipeline"]["dag"]["tasks"]}
    assert "prepare" not in tasks and "prepare" not in templates(main)
    assert tasks["score"]["depends"] == "fetch-model"


def test_parameters_are_described_for_the_ui(churn):
    main = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]
    params = {p["name"]: p for p in main["spec"]["arguments"]["parameters"]}
    assert set(params) == {"ds", "model-uri"}
    assert all(p["description"] for p in params.values())
    assert "value" not in params["ds"]  # required at submit
    assert params["model-uri"]["value"] == "models:/churn@champion"


def test_sql_travels_inside_the_spec(churn):
    main = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]
    artifact = templates(main)["prepare"]["inputs"]["artifacts"][0]
    assert artifact["path"] == "/tmp/inputs/prepare.sql"
    assert artifact["raw"]["data"] == churn.prepare_sql


def test_every_step_is_hardened_and_bounded(churn):
    main = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]
    spec = main["spec"]
    assert spec["serviceAccountName"] == "batch-scoring"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["podGC"] == {"strategy": "OnPodCompletion", "deleteDelayDuration": "12h"}
    assert spec["ttlStrategy"]["secondsAfterSuccess"] > 0
    assert spec["onExit"] == "on-exit"
    assert {m["name"] for m in spec["metrics"]["prometheus"]} == {
        "batch_scoring_duration_seconds",
        "batch_scoring_runs_total",
    }
    containers = {name: t for name, t in templates(main).items() if "container" in t}
    assert set(containers) == {"prepare", "fetch-model", "score", "validate", "monitor", "on-exit"}
    for name, template in containers.items():
        context = template["container"]["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        assert template["container"]["resources"]["limits"], name
        assert template["activeDeadlineSeconds"] > 0, name
        assert template["container"]["command"][:3] == ["python", "-m", f"jobs.{name.replace('-', '_')}"] or (
            name == "on-exit" and template["container"]["command"] == ["python", "-m", "jobs.report"]
        )
    assert containers["score"]["retryStrategy"]["limit"] == 3
    assert containers["score"]["retryStrategy"]["backoff"]["factor"] == 2
    assert containers["on-exit"]["retryStrategy"] == containers["score"]["retryStrategy"]
    assert containers["score"]["container"]["resources"]["requests"] == {"cpu": "2", "memory": "4Gi"}


def test_mutex_per_job_and_ds_on_the_pipeline_template(churn):
    main = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]
    sync = templates(main)["pipeline"]["synchronization"]
    assert sync == {"mutexes": [{"name": "churn-daily-{{inputs.parameters.ds}}"}]}


def test_labels_name_job_and_model(churn):
    for doc in documents(churn):
        labels = doc["metadata"]["labels"]
        assert labels["batch-scoring.io/job"] == "churn-daily"
        assert labels["batch-scoring.io/model"] == "churn"


def test_secrets_only_by_reference(churn):
    main = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")]
    env = {e["name"]: e for e in templates(main)["score"]["container"]["env"]}
    assert env["HIVE_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "hive-credentials",
        "key": "password",
        "optional": True,
    }
    assert env["MLFLOW_TRACKING_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "mlflow-credentials"
    assert "value" not in env["HIVE_PASSWORD"]


def test_cron_uses_v4_schedules_and_never_skips_a_run(churn):
    cron = by_kind(documents(churn))[("CronWorkflow", "churn-daily")]["spec"]
    assert cron["schedules"] == ["0 3 * * *"] and "schedule" not in cron
    assert cron["timezone"] == "Europe/Moscow"
    assert cron["concurrencyPolicy"] == "Allow"  # the per-ds mutex serializes; Forbid would drop a date
    assert cron["startingDeadlineSeconds"] == 3600
    assert cron["workflowSpec"]["workflowTemplateRef"] == {"name": "churn-daily"}
    ds = cron["workflowSpec"]["arguments"]["parameters"][0]
    assert ds["name"] == "ds" and "workflow.scheduledTime" in ds["value"]


def test_ds_expression_offsets_calendar_days_from_the_date_in_the_schedules_zone():
    local_date = ("sprig.dateInZone('2006-01-02', sprig.toDate('2006-01-02T15:04:05Z07:00', workflow.scheduledTime), "
                  "'Asia/Tokyo')")
    assert ds_expression(Schedule(cron="0 3 * * *", timezone="Asia/Tokyo", ds_offset_days=2)) == (
        f"{{{{=sprig.dateInZone('2006-01-02', sprig.dateModify('-48h', "
        f"sprig.toDate('2006-01-02 -0700', {local_date} + ' +0000')), 'UTC')}}}}"
    )
    same_day = ds_expression(Schedule(cron="0 3 * * *", timezone="Asia/Tokyo", ds_offset_days=0))
    assert same_day == f"{{{{={local_date}}}}}"


def test_retro_fans_out_lanes_bounded_by_parallelism(churn):
    retro = by_kind(documents(churn))[("WorkflowTemplate", "churn-daily-retro")]
    params = {p["name"]: p for p in retro["spec"]["arguments"]["parameters"]}
    assert {"start", "end", "parallelism", "model-uri"} == set(params)
    assert params["parallelism"]["value"] == "3"
    assert params["parallelism"]["enum"] == [str(n) for n in range(1, 9)]
    by_name = templates(retro)
    tasks = {t["name"]: t for t in by_name["retro"]["dag"]["tasks"]}
    assert tasks["backfill"]["withParam"] == "{{tasks.plan.outputs.parameters.lanes}}"
    lane = by_name["backfill-lane"]
    assert lane["parallelism"] == 1
    step = lane["steps"][0][0]
    assert step["templateRef"] == {"name": "churn-daily", "template": "pipeline"}
    assert step["withParam"] == "{{inputs.parameters.dates}}"
    assert "--max-days" in by_name["plan-dates"]["container"]["args"]


def test_k8s_spark_master_gets_cluster_settings(credit):
    main = by_kind(documents(credit))[("WorkflowTemplate", "credit-limit-review")]
    score = templates(main)["score"]["container"]
    conf = [score["args"][i + 1] for i, arg in enumerate(score["args"]) if arg == "--spark-conf"]
    assert "spark.kubernetes.container.image=registry.example.com/ml/argo-batch-scoring:0.1.0" in conf
    assert "spark.driver.host=$(POD_IP)" in conf
    env = {e["name"]: e for e in score["env"]}
    assert env["SPARK_MASTER"]["value"] == "k8s://https://kubernetes.default.svc"
    assert env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"


def test_render_is_deterministic_and_parses_back(churn):
    first, second = render(churn), render(churn)
    assert first == second
    assert first.startswith("# Generated by generate-workflow from conf/churn-daily.yaml")
    assert list(yaml.safe_load_all(first)) == documents(churn)


def test_file_io_reaches_the_score_step(churn):
    import dataclasses

    def file_io_arg(job):
        main = by_kind(documents(job))[("WorkflowTemplate", "churn-daily")]
        args = templates(main)["score"]["container"]["args"]
        return args[args.index("--file-io") + 1]

    assert file_io_arg(churn) == "auto"
    spark = churn.config.spark.model_copy(update={"file_io": "spark"})
    forced = dataclasses.replace(churn, config=churn.config.model_copy(update={"spark": spark}))
    assert file_io_arg(forced) == "spark"


def _retry_decides(expression: str, exit_code: str, status: str = "Failed") -> bool:
    return evaluate_condition(expression, {"lastRetry.exitCode": exit_code, "lastRetry.status": status})


def test_retries_cover_lost_pods_skip_the_permanent_exit_code_and_never_cut_an_attempt(churn, credit):
    for job, name in ((churn, "churn-daily"), (credit, "credit-limit-review")):
        main = by_kind(documents(job))[("WorkflowTemplate", name)]
        retried = {step: t["retryStrategy"] for step, t in templates(main).items() if "retryStrategy" in t}
        assert set(retried) >= {"fetch-model", "score", "validate"}
        for step, retry in retried.items():
            assert retry["retryPolicy"] == "Always", step  # Failed and Error (pod deleted, node lost)
            # Argo cuts every retry's deadline to what is left of maxDuration, counted from the first attempt.
            assert "maxDuration" not in retry["backoff"], step
            assert _retry_decides(retry["expression"], str(exit_codes.PERMANENT)) is False, step
            for transient in ("1", "137"):
                assert _retry_decides(retry["expression"], transient) is True, step
            assert _retry_decides(retry["expression"], "-1", "Error") is True, step  # no exit code: pod lost


def test_validate_gets_the_workflow_start_time_to_log_the_runs_duration(churn):
    validate = templates(by_kind(documents(churn))[("WorkflowTemplate", "churn-daily")])["validate"]
    args = validate["container"]["args"]
    assert args[args.index("--started-at") + 1] == "{{workflow.creationTimestamp}}"
