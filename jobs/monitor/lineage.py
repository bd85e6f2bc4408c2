"""The monitor step's side of the partition's MLflow lineage run (the one validate logged): metrics, tags,
pictures, and the PSI of earlier partitions of the same output table."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

from jobs.monitor.drift import DriftReport

ARTIFACT_DIR = "monitoring"
STATUS_TAG = "batch_scoring.drift_status"
WARNINGS_TAG = "batch_scoring.drift_warnings"
# MLflow's log_batch takes at most 1000 metrics per call.
BATCH = 1000


@dataclass(frozen=True)
class PsiPoint:
    """PSI of one earlier partition, as its lineage run recorded it."""

    ds: str
    psi_previous: float | None
    psi_reference: float | None


def log_drift(client: MlflowClient, run_id: str, report: DriftReport, pictures: list[Path]) -> None:
    """Adds the drift metrics, status tags, report and pictures to the lineage run; a failed verdict fails it."""
    stamp = int(time.time() * 1000)
    metrics = [Metric(key, value, stamp, 0) for key, value in sorted(report.metrics().items())]
    for start in range(0, len(metrics), BATCH):
        client.log_batch(run_id, metrics=metrics[start:start + BATCH])
    client.set_tag(run_id, STATUS_TAG, report.status)
    client.set_tag(run_id, WARNINGS_TAG, json.dumps(report.warnings)[:4900])  # tag values hold 5000 characters
    client.log_dict(run_id, json.loads(report.to_json()), f"{ARTIFACT_DIR}/drift_report.json")
    for picture in pictures:
        client.log_artifact(run_id, str(picture), ARTIFACT_DIR)
    if report.status == "fail":
        client.set_terminated(run_id, status="FAILED")


def earlier_psi(client: MlflowClient, run_id: str, output_table: str, ds: str, limit: int) -> list[PsiPoint]:
    """Score PSI of the `limit` partitions before `ds` (latest lineage run per partition), oldest first."""
    experiment_id = client.get_run(run_id).info.experiment_id
    runs = client.search_runs([experiment_id], f"params.output_table = '{output_table}'",
                              order_by=["attributes.start_time DESC"], max_results=max(200, 4 * limit))
    latest: dict[str, PsiPoint] = {}
    for run in runs:
        run_ds = run.data.params.get("ds", "")
        if run.info.run_id == run_id or not run_ds or run_ds >= ds or run_ds in latest:
            continue
        metrics = run.data.metrics
        latest[run_ds] = PsiPoint(run_ds, metrics.get("score_psi_previous"), metrics.get("score_psi_reference"))
    return [latest[key] for key in sorted(latest)[-limit:]]
