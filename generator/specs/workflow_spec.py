"""Workflow-level settings shared by the main and the retro WorkflowTemplates (metadata, GC, metrics, pods)."""

from __future__ import annotations

from typing import Any

from hera.workflows import models as m

from generator.config.models import JobConfig
from generator.specs import names, pod

# Keep finished workflows two days (a week when they failed) so people can read them, then let Argo delete them.
TTL_AFTER_SUCCESS = 2 * 86400
TTL_AFTER_FAILURE = 7 * 86400
# Every step pod, failed or not, is deleted this long after it ends: its logs stay readable through a working day
# after a night's failure, and deleting a Spark driver step's pod lets Kubernetes' garbage collector delete the
# executor pods it owns (their ownerReference). The workflow's own record stays until its TTL.
POD_GC_DELAY = "12h"


def labels(config: JobConfig) -> dict[str, str]:
    """Labels naming the job and the model, on templates, workflows and pods alike (for UI filters and alerts)."""
    return {
        **names.APP_LABELS,
        f"{names.LABEL_DOMAIN}/job": config.name,
        f"{names.LABEL_DOMAIN}/model": names.label_value(names.model_name(config.model.uri)),
    }


def metadata(config: JobConfig, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": config.namespace,
        "labels": labels(config),
        # Argo's UI shows this annotation as the template's description.
        "annotations": {"workflows.argoproj.io/description": config.description},
    }


def metrics(config: JobConfig) -> m.Metrics:
    """Prometheus metrics Argo's controller exports per finished workflow: duration and outcome."""
    job = m.MetricLabel(key="job", value=config.name)
    return m.Metrics(
        prometheus=[
            m.Prometheus(
                name="batch_scoring_duration_seconds",
                help="Duration of the last batch-scoring workflow run, in seconds",
                labels=[job],
                gauge=m.Gauge(realtime=False, value="{{workflow.duration}}"),
            ),
            m.Prometheus(
                name="batch_scoring_runs_total",
                help="Finished batch-scoring workflow runs, by final status",
                labels=[job, m.MetricLabel(key="status", value="{{workflow.status}}")],
                counter=m.Counter(value="1"),
            ),
        ]
    )


def spec_settings(config: JobConfig) -> dict[str, Any]:
    """Keyword arguments for a Hera WorkflowTemplate that every template of this job shares."""
    return {
        "service_account_name": config.service_account,
        "security_context": pod.pod_security_context(),
        "volumes": [pod.tmp_volume()],
        "on_exit": names.ON_EXIT,
        "pod_gc": m.PodGC(strategy="OnPodCompletion", delete_delay_duration=POD_GC_DELAY),
        "ttl_strategy": m.TTLStrategy(
            seconds_after_success=TTL_AFTER_SUCCESS, seconds_after_failure=TTL_AFTER_FAILURE
        ),
        "metrics": metrics(config),
        "workflow_metadata": m.WorkflowMetadata(labels=labels(config)),
        "pod_metadata": m.Metadata(labels=labels(config)),
    }
