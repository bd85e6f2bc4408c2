"""Pod-level pieces every step shares: security contexts, the /tmp volume, env and Secret references, retries."""

from __future__ import annotations

from hera.workflows import Env, Resources, RetryStrategy, SecretEnv
from hera.workflows import models as m

from contract import exit_codes, step_env
from generator.config.models import JobConfig, StepResources
from generator.specs import names

# A fixed non-root UID/GID that the Dockerfile creates too.
RUN_AS = 10001


def pod_security_context() -> m.PodSecurityContext:
    """Non-root pods with the runtime's default seccomp profile."""
    return m.PodSecurityContext(
        run_as_non_root=True,
        run_as_user=RUN_AS,
        run_as_group=RUN_AS,
        fs_group=RUN_AS,
        seccomp_profile=m.SeccompProfile(type="RuntimeDefault"),
    )


def restricted_container_security_context() -> m.SecurityContext:
    """What the "restricted" Pod Security Standard asks of every container: no privilege escalation, no
    capabilities, non-root, the runtime's default seccomp profile (Argo's own init and wait containers get it from
    the controller's `executor` setting, generator/specs/controller_config.py)."""
    return m.SecurityContext(
        allow_privilege_escalation=False,
        run_as_non_root=True,
        capabilities=m.Capabilities(drop=["ALL"]),
        seccomp_profile=m.SeccompProfile(type="RuntimeDefault"),
    )


def container_security_context() -> m.SecurityContext:
    """The restricted rules plus a read-only root filesystem (steps write only under /tmp).

    The seccomp profile stays at pod level (pod_security_context), where it covers every container of the pod.
    """
    context = restricted_container_security_context()
    return context.model_copy(update={"read_only_root_filesystem": True, "seccomp_profile": None})


def tmp_volume() -> m.Volume:
    """The writable scratch space behind the read-only root filesystem."""
    return m.Volume(name=names.TMP_VOLUME, empty_dir=m.EmptyDirVolumeSource())


def tmp_mount() -> m.VolumeMount:
    return m.VolumeMount(name=names.TMP_VOLUME, mount_path=names.TMP)


def resources(step: StepResources) -> Resources:
    """Requests equal limits: a nightly job should not depend on what its neighbours leave free."""
    return Resources(cpu_request=step.cpu, cpu_limit=step.cpu, memory_request=step.memory, memory_limit=step.memory)


def retry_strategy(config: JobConfig) -> RetryStrategy:
    """Retries of a failed step, except after the permanent exit code (contract/exit_codes.py).

    Argo retries only when both the policy admits the phase and `expression` is true; `lastRetry.exitCode` is
    a string, "-1" when the pod has no exit code (deleted, node lost), so those are retried. No
    backoff.maxDuration: Argo counts it from the first attempt and cuts each retry pod's deadline to what is
    left, so a long step that failed late would never be retried; activeDeadlineSeconds bounds each attempt.
    """
    retries = config.retries
    return RetryStrategy(
        limit=retries.limit,
        retry_policy=retries.policy,
        expression=f"lastRetry.exitCode != '{exit_codes.PERMANENT}'",
        backoff=m.Backoff(duration=retries.backoff.duration, factor=retries.backoff.factor),
    )


def base_env() -> list[Env]:
    # HOME under /tmp: pip, MLflow and Spark write caches there, and the root filesystem is read-only.
    return [Env(name="HOME", value=names.TMP), Env(name=step_env.MLFLOW_DISABLE_TELEMETRY, value="true")]


def hive_env(config: JobConfig) -> list[Env | SecretEnv]:
    """HiveServer2 and metastore addresses, and the Hive credentials by Secret reference."""
    hive = config.hive
    env: list[Env | SecretEnv] = [
        Env(name=step_env.HIVE_HOST, value=hive.host),
        Env(name=step_env.HIVE_PORT, value=str(hive.port)),
        Env(name=step_env.HIVE_AUTH, value=hive.auth),
        Env(name=step_env.HIVE_METASTORE_URI, value=hive.metastore_uri),
    ]
    return env + _credentials(step_env.HIVE_USER, step_env.HIVE_PASSWORD, hive.credentials_secret)


def mlflow_env(config: JobConfig) -> list[Env | SecretEnv]:
    """The MLflow address, and credentials by Secret reference under the names MLflow's client reads."""
    env: list[Env | SecretEnv] = [Env(name=step_env.MLFLOW_TRACKING_URI, value=config.mlflow.tracking_uri)]
    return env + _credentials(step_env.MLFLOW_TRACKING_USERNAME, step_env.MLFLOW_TRACKING_PASSWORD,
                              config.mlflow.credentials_secret)


def _credentials(user_var: str, password_var: str, secret: str | None) -> list[Env | SecretEnv]:
    if secret is None:
        return []
    # optional: a cluster whose service needs no login works without creating the Secret.
    return [
        SecretEnv(name=user_var, secret_name=secret, secret_key="username", optional=True),
        SecretEnv(name=password_var, secret_name=secret, secret_key="password", optional=True),
    ]
