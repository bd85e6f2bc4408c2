"""The watching steps in the generated documents: monitor after validate with Prometheus gauges, the sensor before
prepare/score (in retro too, through the pipeline), and the alert's webhook URL only by Secret reference."""

from __future__ import annotations

from generator.config.loader import LoadedJob
from generator.config.models import Alerts, WaitFor
from generator.specs import documents
from generator.specs.watch_steps import duration_seconds
from tests.unit.specs.test_documents import by_kind, templates


def _with(job: LoadedJob, **changes) -> LoadedJob:
    config = job.config.model_copy(update=changes)
    return LoadedJob(**{**job.__dict__, "config": config})


def _main(job: LoadedJob) -> dict:
    return by_kind(documents(job))[("WorkflowTemplate", job.config.name)]


def _tasks(main: dict) -> dict:
    return {task["name"]: task for task in templates(main)["pipeline"]["dag"]["tasks"]}


def test_monitor_runs_after_validate_on_its_lineage_run_and_exports_gauges(churn):
    main = _main(churn)
    monitor = _tasks(main)["monitor"]
    assert monitor["depends"] == "validate"
    arguments = {p["name"]: p["value"] for p in monitor["arguments"]["parameters"]}
    assert arguments["lineage-run-id"] == "{{tasks.validate.outputs.parameters.lineage-run-id}}"
    template = templates(main)["monitor"]
    args = template["container"]["args"]
    assert args[args.index("--score-psi-fail") + 1] == "0.25" and "--row-change-fail" not in args
    gauges = {m["name"]: m["gauge"]["value"] for m in template["metrics"]["prometheus"]}
    assert gauges == {"batch_scoring_score_psi": "{{outputs.parameters.score-psi}}",
                      "batch_scoring_rows": "{{outputs.parameters.rows}}"}


def test_no_sensor_unless_configured(churn):
    assert "wait-for-input" not in _tasks(_main(churn))


def test_sensor_before_prepare_and_score(churn, credit):
    wait_for = WaitFor(timeout="2h", poll="1m", min_rows=5)
    main = _main(_with(churn, input=churn.config.input.model_copy(update={"wait_for": wait_for})))
    tasks = _tasks(main)
    assert "depends" not in tasks["wait-for-input"] and tasks["prepare"]["depends"] == "wait-for-input"
    sensor = templates(main)["wait-for-input"]
    args = sensor["container"]["args"]
    assert args[args.index("--timeout") + 1] == "7200" and args[args.index("--poll") + 1] == "60"
    assert args[args.index("--table") + 1] == "features.churn_daily"
    assert sensor["retryStrategy"]["expression"] == "lastRetry.exitCode != '2'"  # a timeout (exit 2) is final
    assert sensor["activeDeadlineSeconds"] == 7200 + 600
    # Without prepare (credit), score waits for the sensor and fetch-model.
    no_prepare = _tasks(_main(_with(credit, input=credit.config.input.model_copy(update={"wait_for": wait_for}))))
    assert no_prepare["score"]["depends"] == "wait-for-input && fetch-model"


def test_alerts_take_the_url_from_the_secret_only(churn):
    docs = documents(_with(churn, alerts=Alerts(webhook_secret="scoring-alerts")))
    for key in (("WorkflowTemplate", "churn-daily"), ("WorkflowTemplate", "churn-daily-retro")):
        on_exit = templates(by_kind(docs)[key])["on-exit"]["container"]
        [url] = [e for e in on_exit["env"] if e["name"] == "ALERT_WEBHOOK_URL"]
        assert url["valueFrom"]["secretKeyRef"] == {"name": "scoring-alerts", "key": "url"}
        args = on_exit["args"]
        assert args[args.index("--notify-on") + 1] == "failure,warning"
    retro_args = templates(by_kind(docs)[("WorkflowTemplate", "churn-daily-retro")])["on-exit"]["container"]["args"]
    assert retro_args[retro_args.index("--ds") + 1] == "{{workflow.parameters.start}}..{{workflow.parameters.end}}"
    assert "value" not in url  # never a literal URL in the spec


def test_durations():
    assert [duration_seconds(d) for d in ("30s", "5m", "6h")] == [30, 300, 21600]
