"""Spark on Kubernetes in client mode: what a step that runs a Spark driver needs (settings, identity, executor pod
template, service account), in one place for every such step (score, monitor)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import yaml
from hera.workflows import FieldEnv, RawArtifact
from hera.workflows import models as m
from pydantic import BaseModel, ConfigDict, Field

from generator.config.models import JobConfig, StepResources, Toleration
from generator.specs import names, pod

# Where the executor pod template lands in a driver step (a raw artifact, like the prepare SQL).
EXECUTOR_TEMPLATE_PATH = "/tmp/inputs/executor-pod.yaml"
EXECUTOR_CONTAINER = "executor"
# The step pod's identity from the downward API, as env vars that the driver settings below name as $(VAR).
POD_IDENTITY = {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace", "POD_IP": "status.podIP"}
# Share of a container's memory given to the JVM heap; the rest is the JVM's own overhead and, above all, the
# Python workers that score (they live outside the heap).
HEAP_SHARE = 0.5
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$")
_BYTES = {None: 1, "m": 1e-3, "k": 1e3, "Ki": 2**10, "M": 1e6, "Mi": 2**20, "G": 1e9, "Gi": 2**30, "T": 1e12,
          "Ti": 2**40}


def is_k8s(config: JobConfig) -> bool:
    """Whether the job's Spark runs its executors as Kubernetes pods (client mode from the score step)."""
    return config.spark.master.startswith("k8s://")


def driver_service_account(config: JobConfig) -> str:
    """The account of the steps that run a Spark driver on Kubernetes: the only one that may create and delete pods
    (`spark.driver_service_account`, default `<service_account>-spark-driver`)."""
    return config.spark.driver_service_account or f"{config.service_account}-spark-driver"


def executor_service_account(config: JobConfig) -> str:
    """The account executor pods run under: the job's `service_account` (image-pull secrets, workload identity for
    the warehouse storage, as the steps have); executors call no Kubernetes API, so they get no token."""
    return config.service_account


def mebibytes(quantity: str) -> int:
    """A memory quantity in whole MiB (rounded down): '4Gi' -> 4096, '1500M' -> 1430."""
    match = _QUANTITY.match(quantity)
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {quantity!r}")
    return int(float(match.group(1)) * _BYTES[match.group(2)] // 2**20)


def heap_mebibytes(memory: str) -> int:
    """The JVM heap for a container of `memory`: HEAP_SHARE of it."""
    return int(mebibytes(memory) * HEAP_SHARE)


def whole_cores(cpu: str) -> int:
    """Spark's task slots for a CPU quantity: '500m' -> 1, '2' -> 2, '2500m' -> 3 (at least one)."""
    millicores = float(cpu[:-1]) if cpu.endswith("m") else float(cpu) * 1000
    return max(1, math.ceil(millicores / 1000))


def pull_policy(image: str) -> str:
    """The pull policy Kubernetes gives a container that names none: Always for ':latest' or no tag."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    return "IfNotPresent" if ":" in last and not last.endswith(":latest") else "Always"


def driver_conf(config: JobConfig, step: StepResources) -> dict[str, str]:
    """Spark settings of a k8s:// driver step sized `step`; Kubernetes expands each `$(VAR)` from POD_IDENTITY's env."""
    spark = config.spark
    executor = spark.executor
    heap = heap_mebibytes(executor.memory)
    return {
        "spark.kubernetes.container.image": config.image,
        "spark.kubernetes.container.image.pullPolicy": pull_policy(config.image),
        # The step pod itself: executors get it as ownerReference, so deleting the step deletes them.
        "spark.kubernetes.namespace": "$(POD_NAMESPACE)",
        "spark.kubernetes.driver.pod.name": "$(POD_NAME)",
        "spark.driver.host": "$(POD_IP)",
        "spark.driver.port": str(spark.driver_port),
        "spark.driver.blockManager.port": str(spark.block_manager_port),
        "spark.blockManager.port": str(spark.block_manager_port),
        # The driver JVM lives in the step's own pod: half of that pod's memory.
        "spark.driver.memory": f"{heap_mebibytes(step.memory)}m",
        "spark.executor.instances": str(executor.instances),
        "spark.executor.cores": str(whole_cores(executor.cpu)),
        "spark.kubernetes.executor.request.cores": executor.cpu,
        "spark.kubernetes.executor.limit.cores": executor.cpu,
        # Spark sizes the pod as heap + overhead: together exactly the configured memory.
        "spark.executor.memory": f"{heap}m",
        "spark.executor.memoryOverhead": f"{mebibytes(executor.memory) - heap}m",
        "spark.kubernetes.executor.podTemplateFile": EXECUTOR_TEMPLATE_PATH,
        "spark.kubernetes.executor.podTemplateContainerName": EXECUTOR_CONTAINER,
    }


class ExecutorPodSpec(BaseModel):
    """The part of a PodSpec the executor template sets (Spark merges its own container, env and volumes in)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    automount_service_account_token: bool = Field(alias="automountServiceAccountToken")
    containers: list[m.Container]
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")
    restart_policy: str = Field(alias="restartPolicy")
    security_context: m.PodSecurityContext = Field(alias="securityContext")
    # Spark keeps the template's account when its own executor/driver account settings are unset (the generator
    # refuses them in spark.conf): ExecutorKubernetesCredentialsFeatureStep.
    service_account_name: str = Field(alias="serviceAccountName")
    tolerations: list[m.Toleration] | None = None
    volumes: list[m.Volume]


class ExecutorPod(BaseModel):
    """A Pod manifest as `spark.kubernetes.executor.podTemplateFile` reads it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    api_version: str = Field("v1", alias="apiVersion")
    kind: str = "Pod"
    metadata: m.ObjectMeta
    spec: ExecutorPodSpec


def _toleration(toleration: Toleration) -> m.Toleration:
    return m.Toleration(key=toleration.key, operator=toleration.operator, value=toleration.value,
                        effect=toleration.effect, toleration_seconds=toleration.toleration_seconds)


def executor_pod(config: JobConfig) -> ExecutorPod:
    """The executor pod template: the step pods' security rules, /tmp, HOME, size and placement from config."""
    executor = config.spark.executor
    size = {"cpu": m.Quantity(executor.cpu), "memory": m.Quantity(executor.memory)}
    container = m.Container(
        name=EXECUTOR_CONTAINER,
        image=config.image,
        image_pull_policy=pull_policy(config.image),
        env=[m.EnvVar(name=env.name, value=env.value) for env in pod.base_env()],
        resources=m.ResourceRequirements(requests=size, limits=size),
        security_context=pod.container_security_context(),
        volume_mounts=[pod.tmp_mount()],
    )
    return ExecutorPod(
        metadata=m.ObjectMeta(labels={**names.APP_LABELS, f"{names.LABEL_DOMAIN}/job": config.name,
                                      "app.kubernetes.io/component": "spark-executor"}),
        spec=ExecutorPodSpec(
            # Executors never call the Kubernetes API: no token in their pods.
            automount_service_account_token=False,
            containers=[container],
            node_selector=dict(sorted(executor.node_selector.items())) or None,
            restart_policy="Never",
            security_context=pod.pod_security_context(),
            service_account_name=executor_service_account(config),
            tolerations=[_toleration(toleration) for toleration in executor.tolerations] or None,
            volumes=[pod.tmp_volume()],
        ),
    )


def executor_pod_yaml(config: JobConfig) -> str:
    """The executor pod template as deterministic YAML text (sorted keys)."""
    data = executor_pod(config).model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=True, width=120)


@dataclass(frozen=True)
class SparkDriver:
    """What a step running a Spark driver adds to its container: Spark settings, and for a k8s:// master the pod's
    identity (env the `$(VAR)` settings expand from), the executor pod template and the driver's service account."""

    conf: dict[str, str]
    env: list[FieldEnv] = field(default_factory=list)
    inputs: list[RawArtifact] = field(default_factory=list)
    service_account: str | None = None


def spark_driver(config: JobConfig, step: StepResources) -> SparkDriver:
    """The one home of "a step that runs a Spark driver" (sized `step`): every such step is built from this."""
    conf = dict(config.spark.conf)
    if not is_k8s(config):
        return SparkDriver(conf=dict(sorted(conf.items())))
    conf.update(driver_conf(config, step))  # the config refuses managed keys, so nothing of the job's is overridden
    return SparkDriver(
        conf=dict(sorted(conf.items())),
        # Kubernetes expands the $(POD_*) in the Spark settings from these (the driver's identity for Spark).
        env=[FieldEnv(name=name, field_path=path) for name, path in POD_IDENTITY.items()],
        inputs=[RawArtifact(name="executor-pod-template", path=EXECUTOR_TEMPLATE_PATH,
                            data=executor_pod_yaml(config))],
        service_account=driver_service_account(config),
    )
