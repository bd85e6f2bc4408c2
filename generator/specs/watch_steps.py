"""Container templates that watch a run: the input sensor, the drift monitor, and the exit handler with alerts."""

from __future__ import annotations

from hera.workflows import Container, Env, SecretEnv
from hera.workflows import models as m

from generator.config.models import JobConfig, StepResources
from generator.specs import names, pod
from generator.specs.steps import (
    _input,
    _inputs,
    _output_files,
    _repeat,
    _spark_conf,
    _step,
    _tables_args,
    lineage_experiment,
)

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
# The sensor pod's deadline is its polling timeout plus this margin (start-up and the last poll's query).
SENSOR_MARGIN_SECONDS = 600
ALERT_URL_ENV = "ALERT_WEBHOOK_URL"


def duration_seconds(duration: str) -> int:
    """'30s', '5m', '6h' (the config's Duration form) in seconds."""
    return int(duration[:-1]) * UNIT_SECONDS[duration[-1]]


def wait_for_input(config: JobConfig) -> Container:
    """Sensor: polls the metastore until the input partition exists (with at least min_rows), or fails on timeout.

    Not retried by Argo: the step itself rides out HiveServer2 outages while it polls, and a timeout is final.
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
        retry=False,
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
    args += [*_repeat("--spark-conf", [f"{k}={v}" for k, v in _spark_conf(config).items()]),
             "--out-dir", names.OUTPUTS_DIR]
    container = _step(
        config,
        names.MONITOR,
        "monitor",
        args,
        inputs=_inputs(names.DS, names.LINEAGE_RUN_ID),
        outputs=_output_files(*names.MONITORED),
        env=[*pod.hive_env(config), *pod.mlflow_env(config), Env(name="SPARK_MASTER", value=config.spark.master)],
        resources=config.resources.monitor,
        timeout=config.timeouts.monitor,
    )
    container.metrics = _prometheus(config)
    return container


def on_exit(config: JobConfig, ds: str) -> Container:
    """Exit handler: one summary line; with `alerts`, one JSON message to the webhook (never retried).

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
        retry=False,
    )
