"""Container templates that watch a run: the input sensor, the drift monitor, and the exit handler with alerts."""

from __future__ import annotations

from hera.workflows import Container, Env, SecretEnv
from hera.workflows import models as m

from contract import step_env
from generator.config.models import JobConfig, StepResources
from generator.specs import names, pod
from generator.specs.steps import (
    _input,
    _inputs,
    _output_files,
    _repeat,
    _step,
    _tables_args,
    lineage_experiment,
    spark_driver_step,
)

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
# The sensor pod's deadline is its polling timeout plus this margin (start-up and the last poll's query).
SENSOR_MARGIN_SECONDS = 600
ALERT_URL_ENV = step_env.ALERT_WEBHOOK_URL


def duration_seconds(duration: str) -> int:
    """'30s', '5m', '6h' (the config's Duration form) in seconds."""
    return int(duration[:-1]) * UNIT_SECONDS[duration[-1]]


def wait_for_input(config: JobConfig) -> Container:
    """Sensor: polls the metastore until the input partition exists (with at least min_rows), or fails on timeout.

    The step rides out HiveServer2 outages itself while it polls, and a timeout exits with the permanent code (never
    retried). Argo retries a lost pod (node drained, evicted): the new attempt waits its own full timeout.
    """
    wait = config.input.wait_for
    assert wait is not None
    timeout = duration_seconds(wait.timeout)
    return _step(
        config,
        names.WAIT_FOR_INPUT,
        "wait_for_input",
        [
            "--ds", _input(names.DS),
            "--table", wait.table or config.input.table,
            "--partition-column", wait.partition_column or config.input.partition_column,
            "--timeout", str(timeout),
            "--poll", str(duration_seconds(wait.poll)),
            "--min-rows", str(wait.min_rows),
        ],  # fmt: skip
        inputs=_inputs(names.DS),
        env=pod.hive_env(config),
        resources=StepResources(cpu="100m", memory="256Mi"),
        timeout=timeout + SENSOR_MARGIN_SECONDS,
    )


def _line_args(option: str, warn: float | None, fail: float | None) -> list[str]:
    args = [f"--{option}-warn", repr(warn)] if warn is not None else []
    return args + ([f"--{option}-fail", repr(fail)] if fail is not None else [])


def _prometheus(config: JobConfig) -> m.Metrics:
    """Score PSI and row count of the monitored partition as Prometheus gauges (from the step's outputs)."""
    job = m.MetricLabel(key="job", value=config.name)
    return m.Metrics(prometheus=[
        m.Prometheus(
            name="batch_scoring_score_psi",
            help="Score PSI of the last scored partition against the previous one (the reference when none)",
            labels=[job],
            gauge=m.Gauge(realtime=False, value="{{outputs.parameters.score-psi}}"),
        ),
        m.Prometheus(
            name="batch_scoring_rows",
            help="Rows in the last scored partition",
            labels=[job],
            gauge=m.Gauge(realtime=False, value="{{outputs.parameters.rows}}"),
        ),
    ])


def monitor(config: JobConfig) -> Container:
    """Drift of the scored partition (Spark), logged with pictures to validate's lineage run; fails on a fail line."""
    monitoring = config.monitoring
    args = [
        "--ds", _input(names.DS),
        *_tables_args(config),
        *_line_args("score-psi", monitoring.score_psi.warn, monitoring.score_psi.fail),
        *_line_args("feature-psi", monitoring.feature_psi.warn, monitoring.feature_psi.fail),
        *_line_args("row-change", monitoring.row_change.warn, monitoring.row_change.fail),
        *_repeat("--feature", list(monitoring.features)),
        "--bins", str(monitoring.bins),
        "--history", str(monitoring.history),
        "--lineage-run-id", _input(names.LINEAGE_RUN_ID),
    ]  # fmt: skip
    reference = config.validation.reference
    if reference is not None:
        args += ["--reference-table", reference.table, "--reference-score-column", reference.score_column]
    container = spark_driver_step(
        config,
        names.MONITOR,
        "monitor",
        args,
        inputs=_inputs(names.DS, names.LINEAGE_RUN_ID),
        outputs=_output_files(*names.MONITORED),
        env=[*pod.hive_env(config), *pod.mlflow_env(config)],
        resources=config.resources.monitor,
        timeout=config.timeouts.monitor,
    )
    container.metrics = _prometheus(config)
    return container


def on_exit(config: JobConfig, ds: str) -> Container:
    """Exit handler: one summary line; with `alerts`, one JSON message to the webhook.

    The step always exits 0 (an undelivered alert is reported in its log, jobs/report.py), so Argo retries it only
    when its pod is lost or killed. An alert is then sent again only if the pod was lost between the webhook's answer
    and the step's exit: delivery is at least once, and each message names the workflow, so a receiver can drop
    the repeat.

    Args:
        ds: the partition expression (`{{workflow.parameters.ds}}`), or a range for the retro template.
    """
    args = [
        "--workflow-name", "{{workflow.name}}",
        "--status", "{{workflow.status}}",
        "--failures", "{{workflow.failures}}",
        "--job", config.name,
        "--ds", ds,
        "--output-table", config.output.table,
        "--experiment", lineage_experiment(config),
        "--started-at", "{{workflow.creationTimestamp}}",
    ]  # fmt: skip
    env: list[Env | SecretEnv] = []
    if config.alerts is not None:
        args += ["--notify-on", ",".join(config.alerts.notify_on)]
        env = [*pod.mlflow_env(config),
               SecretEnv(name=ALERT_URL_ENV, secret_name=config.alerts.webhook_secret,
                         secret_key=config.alerts.webhook_key)]
    return _step(
        config,
        names.ON_EXIT,
        "report",
        args,
        env=env,
        resources=StepResources(cpu="100m", memory="512Mi"),
        timeout=300,
    )
