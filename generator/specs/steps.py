"""Container templates for each step: `python -m jobs.<step>` in our image, options as docs/STEPS.md defines."""

from __future__ import annotations

from hera.workflows import Container, Env, FieldEnv, Parameter, RawArtifact, SecretEnv
from hera.workflows import models as m

from contract import step_env, step_outputs
from generator.config.models import JobConfig, StepResources
from generator.specs import names, pod, spark_k8s


def _inputs(*parameter_names: str) -> list[Parameter]:
    return [Parameter(name=name) for name in parameter_names]


def _input(name: str) -> str:
    return f"{{{{inputs.parameters.{name}}}}}"


def _output_files(*parameter_names: str) -> list[Parameter]:
    return [
        Parameter(name=name, value_from=m.ValueFrom(path=f"{names.OUTPUTS_DIR}/{name}")) for name in parameter_names
    ]


def _step(
    config: JobConfig,
    name: str,
    module: str,
    args: list[str],
    *,
    resources: StepResources,
    timeout: int,
    inputs: list[Parameter | RawArtifact] | None = None,
    outputs: list[Parameter] | None = None,
    env: list[Env | SecretEnv | FieldEnv] | None = None,
    service_account: str | None = None,
) -> Container:
    """One step container with everything every step shares (image, security, /tmp, retries, deadline).

    Every step is retried (pod lost, node drained, transient failure) except after the permanent exit code;
    `service_account` overrides the workflow's account for this step's pod (the Spark driver steps).
    """
    return Container(
        name=name,
        service_account_name=service_account,
        image=config.image,
        command=["python", "-m", f"jobs.{module}"],
        args=args,
        inputs=inputs or [],
        outputs=outputs or [],
        env=pod.base_env() + (env or []),
        resources=pod.resources(resources),
        retry_strategy=pod.retry_strategy(config),
        active_deadline_seconds=timeout,
        security_context=pod.container_security_context(),
        volume_mounts=[pod.tmp_mount()],
    )


def _repeat(option: str, values: list[str]) -> list[str]:
    return [part for value in values for part in (option, value)]


def prepare(config: JobConfig, sql_text: str) -> Container:
    """Runs the job's data-prep SQL; the SQL travels inside the spec as a raw artifact (no image rebuild)."""
    assert config.prepare is not None
    variables = [f"{key}={value}" for key, value in sorted(config.prepare.variables.items())]
    return _step(
        config,
        names.PREPARE,
        "prepare",
        ["--sql-file", names.SQL_PATH, "--ds", _input(names.DS), *_repeat("--var", variables)],
        inputs=[Parameter(name=names.DS), RawArtifact(name="sql", path=names.SQL_PATH, data=sql_text)],
        env=pod.hive_env(config),
        resources=config.resources.prepare,
        timeout=config.timeouts.prepare,
    )


def fetch_model(config: JobConfig) -> Container:
    """Pins the model URI to a concrete registered version and fetches its requirements.txt."""
    return _step(
        config,
        names.FETCH_MODEL,
        "fetch_model",
        ["--model-uri", _input(names.MODEL_URI), "--out-dir", names.OUTPUTS_DIR],
        inputs=_inputs(names.MODEL_URI),
        outputs=_output_files(*names.FETCHED),
        env=pod.mlflow_env(config),
        resources=config.resources.fetch_model,
        timeout=config.timeouts.fetch_model,
    )


def _lineage_args() -> list[str]:
    return [
        "--model-name", _input(step_outputs.MODEL_NAME),
        "--model-version", _input(step_outputs.MODEL_VERSION),
        "--model-run-id", _input(step_outputs.MODEL_RUN_ID),
    ]  # fmt: skip


def _tables_args(config: JobConfig) -> list[str]:
    return [
        "--input-table", config.input.table,
        "--input-partition-column", config.input.partition_column,
        *_repeat("--id-column", list(config.input.id_columns)),
        "--output-table", config.output.table,
        "--output-partition-column", config.output.partition_column,
        "--score-column", config.output.score_column,
    ]  # fmt: skip


def spark_driver_step(
    config: JobConfig,
    name: str,
    module: str,
    args: list[str],
    *,
    inputs: list[Parameter | RawArtifact],
    env: list[Env | SecretEnv | FieldEnv],
    resources: StepResources,
    **step: object,
) -> Container:
    """A step that runs a Spark driver: its Spark settings as `--spark-conf` options, SPARK_MASTER, and for a
    k8s:// master the pod identity, executor pod template and driver account (spark_k8s.spark_driver)."""
    driver = spark_k8s.spark_driver(config, resources)
    return _step(
        config,
        name,
        module,
        [*args, *_repeat("--spark-conf", [f"{key}={value}" for key, value in driver.conf.items()]),
         "--out-dir", names.OUTPUTS_DIR],
        inputs=[*inputs, *driver.inputs],
        env=[*env, Env(name=step_env.SPARK_MASTER, value=config.spark.master), *driver.env],
        service_account=driver.service_account,
        resources=resources,
        **step,  # type: ignore[arg-type]
    )


def score(config: JobConfig) -> Container:
    """Scores the input partition with the pinned model on Spark and swaps the output partition in."""
    installs = [] if config.model.install_requirements else ["--no-install-requirements"]
    return spark_driver_step(
        config,
        names.SCORE,
        "score",
        [
            "--ds", _input(names.DS),
            "--model-uri", _input(step_outputs.PINNED_URI),
            *_lineage_args(),
            *_tables_args(config),
            "--on-empty", config.input.on_empty,
            "--file-io", config.spark.file_io,
            *installs,
            "--model-environment", config.model.environment,
            "--environment-cache", config.model.environment_cache,
        ],  # fmt: skip
        inputs=_inputs(names.DS, *names.FETCHED),
        outputs=_output_files(step_outputs.ROWS_WRITTEN, names.ENVIRONMENT),
        env=[
            *pod.hive_env(config),
            *pod.mlflow_env(config),
            # Multi-line text is safer in the environment than in argv.
            Env(name=step_env.MODEL_REQUIREMENTS, value=_input(step_outputs.REQUIREMENTS)),
        ],
        resources=config.resources.score,
        timeout=config.timeouts.score,
    )


def lineage_experiment(config: JobConfig) -> str:
    """The MLflow experiment of the job's lineage runs (validate logs them; monitor, on-exit and history read)."""
    return config.mlflow.experiment or f"batch-scoring/{config.name}"


def validate(config: JobConfig) -> Container:
    """Checks what score wrote and records the partition's lineage as an MLflow run."""
    checks = ["--max-null-fraction", repr(config.validation.max_null_fraction)]
    reference = config.validation.reference
    if reference is not None:
        checks += [
            "--reference-table", reference.table,
            "--reference-score-column", reference.score_column,
            "--tolerance", repr(reference.tolerance),
        ]  # fmt: skip
    return _step(
        config,
        names.VALIDATE,
        "validate",
        [
            "--ds", _input(names.DS),
            *_tables_args(config),
            *checks,
            *_lineage_args(),
            "--experiment", lineage_experiment(config),
            # RFC 3339 in UTC (e.g. 2026-12-02T09:42:13Z): the step logs the run's duration so far to MLflow.
            "--started-at", "{{workflow.creationTimestamp}}",
            "--out-dir", names.OUTPUTS_DIR,
        ],  # fmt: skip
        inputs=_inputs(names.DS, step_outputs.MODEL_NAME, step_outputs.MODEL_VERSION, step_outputs.MODEL_RUN_ID,
                       names.ENVIRONMENT),
        outputs=_output_files(step_outputs.REPORT, names.LINEAGE_RUN_ID),
        # The score step's environment (JSON, with the resolved package list): multi-line, so not in argv.
        env=[*pod.hive_env(config), *pod.mlflow_env(config),
             Env(name=step_env.MODEL_ENVIRONMENT, value=_input(names.ENVIRONMENT))],
        resources=config.resources.validate_step,
        timeout=config.timeouts.validate_step,
    )


def plan_dates(config: JobConfig) -> Container:
    """Expands the retro range into lanes of dates (at most `parallelism` lanes)."""
    return _step(
        config,
        names.PLAN_DATES,
        "plan_dates",
        [
            "--start", _input(names.START),
            "--end", _input(names.END),
            "--lanes", _input(names.PARALLELISM),
            "--max-days", str(config.retro.max_days),
            "--out-dir", names.OUTPUTS_DIR,
        ],  # fmt: skip
        inputs=_inputs(names.START, names.END, names.PARALLELISM),
        outputs=_output_files(names.LANES),
        resources=StepResources(cpu="100m", memory="128Mi"),
        timeout=300,
    )
