"""Typed models of conf/defaults.yaml merged with conf/<job>.yaml; every key a user can write lives here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from argo_toolset.core.catalog import RETRY_POLICIES
from contract import choices, values
from generator.config import rules


def _matching(pattern, what: str):
    return AfterValidator(lambda value: rules.check_pattern(value, pattern, what))


def _scalar_to_text(value: object) -> object:
    # Spark conf values are strings to Spark; YAML turns `8` or `true` into numbers and booleans.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


JobName = Annotated[
    str,
    Field(max_length=rules.MAX_JOB_NAME),
    _matching(rules.DNS1123_LABEL, "a DNS-1123 label (lowercase letters, digits and '-', starting and ending "
              "with a letter or digit)"),
]
KubeName = Annotated[
    str,
    Field(max_length=253),
    _matching(rules.DNS1123_SUBDOMAIN, "a Kubernetes object name (DNS-1123: lowercase letters, digits, '-', '.')"),
]
Namespace = Annotated[
    str, Field(max_length=63), _matching(rules.DNS1123_LABEL, "a Kubernetes namespace (DNS-1123 label)")
]
# The rules the steps check too live in contract/values.py, so the config never accepts what a step refuses.
Identifier = Annotated[str, AfterValidator(values.check_identifier)]
TableName = Annotated[str, AfterValidator(values.check_table)]
VariableName = Annotated[str, AfterValidator(values.check_variable_name)]
SqlValue = Annotated[str, BeforeValidator(_scalar_to_text), AfterValidator(values.check_sql_value)]
Quantity = Annotated[
    str,
    BeforeValidator(_scalar_to_text),
    _matching(rules.QUANTITY, "a Kubernetes quantity (e.g. '2', '500m', '4Gi', '512Mi')"),
]
SparkConfValue = Annotated[str, BeforeValidator(_scalar_to_text), Field(max_length=4096)]
SparkConfKey = Annotated[
    str, Field(max_length=256), _matching(rules.re.compile(r"^spark\.[A-Za-z0-9_.\-]+$"), "a Spark conf key (spark.*)")
]
Duration = Annotated[
    str,
    _matching(rules.re.compile(r"^[0-9]+(s|m|h)$"), "an Argo duration such as '30s', '5m' or '1h'"),
]


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors, values are immutable once validated.

    A field with an alias (`validate`, a BaseModel method name) is read by its alias only: its Python name is
    internal and is an unknown key in a config file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class MlflowSettings(Strict):
    """Where the MLflow tracking server and model registry live."""

    tracking_uri: Annotated[
        str, _matching(rules.re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/\S*)?$"), "an http(s) URL")
    ]
    credentials_secret: KubeName | None = None
    experiment: Annotated[str, Field(min_length=1, max_length=256)] | None = None


class HiveSettings(Strict):
    """HiveServer2 (SQL via PyHive) and the Hive metastore (Spark's catalog)."""

    host: Annotated[str, _matching(rules.re.compile(r"^[A-Za-z0-9.\-]{1,253}$"), "a host name or IP address")]
    port: Annotated[int, Field(ge=1, le=65535)] = 10000
    auth: Literal[choices.HIVE_AUTH_MODES] = "NONE"
    metastore_uri: Annotated[
        str, _matching(rules.re.compile(r"^thrift://[A-Za-z0-9.\-]+:[0-9]{1,5}$"), "a thrift://host:port URI")
    ]
    credentials_secret: KubeName | None = None


LabelKey = Annotated[
    str,
    Field(max_length=253),
    _matching(rules.re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"),
              "a Kubernetes label key ([prefix/]name)"),
]
LabelValue = Annotated[
    str,
    Field(max_length=63),
    _matching(rules.re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"), "a Kubernetes label value"),
]
Port = Annotated[int, Field(ge=1024, le=65535)]


class Toleration(Strict):
    """One Kubernetes toleration of the executor pods (same fields as a pod's, in snake_case)."""

    key: LabelKey | None = None
    operator: Literal["Equal", "Exists"] = "Equal"
    value: LabelValue | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: Annotated[int, Field(ge=0)] | None = None


class ExecutorSettings(Strict):
    """The executor pods of a `k8s://` job: how many, how big (requests = limits), and where they may run."""

    instances: Annotated[int, Field(ge=1, le=500)] = 2
    cpu: Quantity = "1"
    memory: Quantity = "4Gi"
    node_selector: dict[LabelKey, LabelValue] = Field(default_factory=dict, max_length=20)
    tolerations: list[Toleration] = Field(default_factory=list, max_length=20)


# Spark settings the generator derives for a `k8s://` job (from spark.executor, spark.*_port and the driver steps'
# resources.score / resources.monitor), and why a job's own `spark.conf` must not set them.
K8S_MANAGED_CONF = {
    "spark.executor.instances": "set spark.executor.instances",
    "spark.executor.cores": "set spark.executor.cpu",
    "spark.executor.memory": "set spark.executor.memory (the executor pod's memory)",
    "spark.executor.memoryOverhead": "set spark.executor.memory (the executor pod's memory)",
    "spark.driver.memory": "it follows the driver step's memory (resources.score, resources.monitor)",
    "spark.driver.port": "set spark.driver_port",
    "spark.driver.blockManager.port": "set spark.block_manager_port",
    "spark.blockManager.port": "set spark.block_manager_port",
    "spark.kubernetes.driver.pod.name": "it is the step pod's own name",
    "spark.kubernetes.executor.podTemplateFile": "the generator writes the executor pod template",
    "spark.kubernetes.authenticate.driver.serviceAccountName": (
        "it applies only in cluster mode; in client mode the score and monitor steps are the driver and create the "
        "executors with spark.driver_service_account"
    ),
    "spark.kubernetes.authenticate.executor.serviceAccountName": (
        "the executor pod template names the job's service_account"
    ),
    "spark.submit.deployMode": "the score step is the driver (client mode)",
}


class SparkSettings(Strict):
    """Where the score step's Spark runs: inside the step pod (local[N]) or spark-submit to a cluster."""

    master: Annotated[
        str,
        _matching(
            rules.re.compile(r"^(local(\[([0-9]+|\*)\])?|k8s://https?://\S+|spark://[A-Za-z0-9.\-]+:[0-9]+|yarn)$"),
            "a Spark master: 'local[*]', 'local[N]', 'k8s://https://<api-server>', 'spark://host:port' or 'yarn'",
        ),
    ] = "local[*]"
    conf: dict[SparkConfKey, SparkConfValue] = Field(default_factory=dict, max_length=200)
    # auto: Spark tasks read and write Parquet with pyarrow when the input allows it; spark: Spark's reader and
    # writer always (e.g. when executors cannot reach the warehouse storage without Hadoop's credentials).
    file_io: Literal[choices.FILE_IO] = "auto"
    # Client mode on Kubernetes: executors call the driver back on these fixed ports (a NetworkPolicy can name them).
    executor: ExecutorSettings = ExecutorSettings()
    driver_port: Port = 7078
    block_manager_port: Port = 7079
    # The account of the k8s:// driver steps (score, monitor), the only one given rights on pods; default
    # `<service_account>-spark-driver`. Every other step runs under `service_account`.
    driver_service_account: KubeName | None = None

    @model_validator(mode="after")
    def _no_managed_conf(self) -> SparkSettings:
        if not self.master.startswith("k8s://"):
            return self
        clashes = [f"{key}: {why}" for key, why in K8S_MANAGED_CONF.items() if key in self.conf]
        if clashes:
            raise ValueError("for a k8s:// master these spark.conf keys are set by the generator; remove them:\n  "
                             + "\n  ".join(clashes))
        if self.driver_port == self.block_manager_port:
            raise ValueError(f"driver_port and block_manager_port are both {self.driver_port}; they must differ")
        return self


class ModelRef(Strict):
    """The MLflow model to score with; an alias or version is pinned to a concrete version at run time."""

    uri: Annotated[str, AfterValidator(values.check_model_uri)]
    # false: the score step never runs pip (clusters without egress); it fails before scoring, naming the model's
    # requirements that the image lacks.
    install_requirements: bool = True
    # Where the model runs: its own cached environment, the image's, or `auto` (own when its pins differ from the
    # image); see contract.values.MODEL_ENVIRONMENTS and README "Model requirements".
    environment: Annotated[str, AfterValidator(values.check_model_environment)] = values.MODEL_ENVIRONMENT_DEFAULT
    # The cache of own environments (a volume every score pod mounts, so runs and lanes reuse one build).
    environment_cache: Annotated[str, AfterValidator(values.check_environment_cache)] = (
        values.ENVIRONMENT_CACHE_DEFAULT)


class PrepareStep(Strict):
    """Hive data-prep SQL run before scoring; ${ds} and declared ${variables} are substituted safely."""

    sql: Path
    variables: dict[VariableName, SqlValue] = Field(default_factory=dict, max_length=50)


class WaitFor(Strict):
    """A sensor step before prepare/score: poll the metastore until the partition exists (and holds min_rows)."""

    timeout: Duration = "6h"
    poll: Duration = "5m"
    min_rows: Annotated[int, Field(ge=0)] = 0
    # The table to wait for; default the input table (name the upstream table when `prepare` builds the input).
    table: TableName | None = None
    partition_column: Identifier | None = None


class InputTable(Strict):
    """The prepared features table, one partition per ds."""

    table: TableName
    partition_column: Identifier
    id_columns: Annotated[list[Identifier], Field(min_length=1, max_length=20)]
    on_empty: Literal[choices.ON_EMPTY] = "fail"
    wait_for: WaitFor | None = None


class OutputTable(Strict):
    """Where scores go: overwritten one ds partition at a time."""

    table: TableName
    partition_column: Identifier
    score_column: Identifier = "score"


class Schedule(Strict):
    """The nightly schedule; ds is the scheduled date minus ds_offset_days in the schedule's time zone."""

    cron: Annotated[str, AfterValidator(rules.check_cron)]
    timezone: Annotated[str, AfterValidator(rules.check_timezone)] = "UTC"
    ds_offset_days: Annotated[int, Field(ge=0, le=31)] = 1
    starting_deadline_seconds: Annotated[int, Field(ge=0, le=86400)] = 3600
    suspend: bool = False


class Retro(Strict):
    """Backfill over a date range from the Argo UI, with bounded parallelism."""

    parallelism: Annotated[int, Field(ge=1, le=32)] = 2
    max_parallelism: Annotated[int, Field(ge=1, le=32)] = 8
    max_days: Annotated[int, Field(ge=1, le=3660)] = 366

    @model_validator(mode="after")
    def _default_within_cap(self) -> Retro:
        if self.parallelism > self.max_parallelism:
            raise ValueError(
                f"parallelism {self.parallelism} exceeds max_parallelism {self.max_parallelism}; "
                f"allowed: 1..{self.max_parallelism}"
            )
        return self


class StepResources(Strict):
    """Requests and limits of one step's pod (requests = limits: predictable nightly runs)."""

    cpu: Quantity
    memory: Quantity


class Resources(Strict):
    """Per-step pod resources."""

    prepare: StepResources = StepResources(cpu="500m", memory="512Mi")
    fetch_model: StepResources = StepResources(cpu="250m", memory="512Mi")
    score: StepResources = StepResources(cpu="2", memory="4Gi")
    # `validate` is a BaseModel method name, hence the alias.
    validate_step: StepResources = Field(StepResources(cpu="500m", memory="1Gi"), alias="validate")
    monitor: StepResources = StepResources(cpu="1", memory="2Gi")


class Backoff(Strict):
    """Exponential backoff between retries of a failed step: wait `duration` x `factor`^n before retry n+1.

    There is no total-time key: Argo counts backoff.maxDuration from the first attempt and cuts every later
    attempt's deadline to what remains, so any cap below (limit + 1) x the step's timeout cuts retries of a
    long step; each attempt is bounded by `timeouts` instead (docs/STEPS.md, "Retries").
    """

    duration: Duration = "30s"
    factor: Annotated[int, Field(ge=1, le=10)] = 2


class Retries(Strict):
    """How often a failed step is retried by Argo; an exit with the permanent code is never retried.

    `policy` picks the phases retried: Always = Failed (the step exited non-zero) and Error (pod deleted,
    node lost, preempted); OnFailure = Failed only; OnError = Error only; OnTransientError = either, when
    Argo's controller recognises the message as transient.
    """

    limit: Annotated[int, Field(ge=0, le=10)] = 2
    policy: Literal[RETRY_POLICIES] = "Always"
    backoff: Backoff = Backoff()


class Timeouts(Strict):
    """activeDeadlineSeconds per step: a hung step fails instead of holding the partition's mutex."""

    prepare: Annotated[int, Field(ge=60, le=86400)] = 3600
    fetch_model: Annotated[int, Field(ge=60, le=86400)] = 600
    score: Annotated[int, Field(ge=60, le=86400)] = 4 * 3600
    validate_step: Annotated[int, Field(ge=60, le=86400, alias="validate")] = 1800
    monitor: Annotated[int, Field(ge=60, le=86400)] = 1800


class Reference(Strict):
    """Reference scores to compare with, by id (e.g. the current champion's output table)."""

    table: TableName
    score_column: Identifier = "score"
    tolerance: Annotated[float, Field(ge=0, le=1e6)] = 1e-6


class Validation(Strict):
    """Checks the validate step runs on what score wrote."""

    max_null_fraction: Annotated[float, Field(ge=0, le=1)] = 0.0
    reference: Reference | None = None


class Threshold(Strict):
    """Warn and fail lines of one drift measure; a missing line never triggers."""

    warn: Annotated[float, Field(ge=0)] | None = None
    fail: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _fail_above_warn(self) -> Threshold:
        if self.warn is not None and self.fail is not None and self.fail < self.warn:
            raise ValueError(f"fail {self.fail} is below warn {self.warn}; allowed: fail >= warn")
        return self


class Monitoring(Strict):
    """Drift measures the monitor step computes after validate; docs/STEPS.md has the formulas."""

    score_psi: Threshold = Threshold(warn=0.1, fail=0.25)
    feature_psi: Threshold = Threshold(warn=0.2)
    row_change: Threshold = Threshold(warn=0.3)
    # Input features to measure; empty: every numeric input column except ids and the partition column.
    features: Annotated[list[Identifier], Field(max_length=500)] = Field(default_factory=list)
    bins: Annotated[int, Field(ge=2, le=100)] = 10
    # Partitions shown in the PSI-over-time picture.
    history: Annotated[int, Field(ge=2, le=365)] = 30


class Alerts(Strict):
    """A webhook the exit handler posts one JSON message per run to; its URL lives in a Kubernetes Secret."""

    webhook_secret: KubeName
    webhook_key: Annotated[str, _matching(rules.re.compile(r"^[-._A-Za-z0-9]{1,253}$"), "a Secret key")] = "url"
    notify_on: Annotated[list[Literal[choices.ALERT_KINDS]], Field(min_length=1)] = ["failure", "warning"]


class JobConfig(Strict):
    """One scoring job: conf/<job>.yaml merged over conf/defaults.yaml (the job's keys win)."""

    name: JobName
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    namespace: Namespace
    image: Annotated[
        str,
        _matching(
            rules.re.compile(r"^[a-z0-9][a-z0-9.\-_/]*(:[0-9]{1,5})?[a-z0-9.\-_/]*(:[A-Za-z0-9_.\-]{1,128})?(@sha256:[0-9a-f]{64})?$"),
            "a container image reference (registry/repo:tag or @sha256:digest)",
        ),
    ]
    service_account: KubeName
    mlflow: MlflowSettings
    hive: HiveSettings
    spark: SparkSettings = SparkSettings()
    model: ModelRef
    prepare: PrepareStep | None = None
    input: InputTable
    output: OutputTable
    schedule: Schedule | None = None
    retro: Retro = Retro()
    resources: Resources = Resources()
    retries: Retries = Retries()
    timeouts: Timeouts = Timeouts()
    validation: Validation = Validation()
    monitoring: Monitoring = Monitoring()
    alerts: Alerts | None = None

    @model_validator(mode="after")
    def _driver_account_of_its_own(self) -> JobConfig:
        if self.spark.driver_service_account == self.service_account:
            raise ValueError(f"spark.driver_service_account {self.service_account!r} is service_account: the Spark "
                             "driver's rights on pods would reach every step; allowed: another account, or none "
                             "(default <service_account>-spark-driver)")
        return self
