"""The run's alert: one JSON message (job, ds, status, rows, model version, drift findings, MLflow link) posted to a
webhook whose URL comes from a Kubernetes Secret; the URL is never printed."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field

log = logging.getLogger("jobs.alert")
POST_ATTEMPTS = 3
POST_TIMEOUT_SECONDS = 10


@dataclass
class Lineage:
    """What the partition's MLflow lineage run says about it."""

    run_id: str
    link: str
    rows: int | None = None
    model_version: str | None = None
    drift_status: str | None = None
    drift_warnings: list[str] = field(default_factory=list)


@dataclass
class Alert:
    """The message body (JSON keys are these fields)."""

    job: str
    ds: str
    status: str
    kind: str  # failure, warning or success
    workflow: str
    summary: str
    failures: list[str] = field(default_factory=list)
    rows: int | None = None
    model_version: str | None = None
    drift_status: str | None = None
    drift_warnings: list[str] = field(default_factory=list)
    mlflow_run: str | None = None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()


def find_lineage(tracking_uri: str | None, experiment: str, output_table: str, ds: str,
                 started_at: str | None) -> Lineage | None:
    """The latest lineage run of output_table/ds started after `started_at` (this workflow's), or None."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return None
    runs = client.search_runs([found.experiment_id], f"tags.`batch_scoring.partition` = '{output_table}/{ds}'",
                              order_by=["attributes.start_time DESC"], max_results=1)
    if not runs:
        return None
    run = runs[0]
    if started_at:
        begin = dt.datetime.fromisoformat(started_at.replace("Z", "+00:00"))
        if run.info.start_time < begin.timestamp() * 1000 - 1000:  # an earlier run's lineage, not this one's
            return None
    tags, metrics = run.data.tags, run.data.metrics
    base = (tracking_uri or "").rstrip("/")
    rows = metrics.get("output_rows", metrics.get("rows"))
    return Lineage(
        run_id=run.info.run_id, link=f"{base}/#/experiments/{found.experiment_id}/runs/{run.info.run_id}",
        rows=int(rows) if rows is not None else None, model_version=run.data.params.get("model_version") or None,
        drift_status=tags.get("batch_scoring.drift_status"),
        drift_warnings=json.loads(tags.get("batch_scoring.drift_warnings", "[]")),
    )


def kind_of(status: str, lineage: Lineage | None) -> str:
    """failure when the workflow did not succeed, warning when drift crossed a warn line, else success."""
    if status != "Succeeded":
        return "failure"
    if lineage is not None and (lineage.drift_status in ("warn", "fail") or lineage.drift_warnings):
        return "warning"
    return "success"


def post(url: str, alert: Alert) -> str:
    """POSTs the alert; returns what happened, in words that never contain the URL."""
    request = urllib.request.Request(url, data=alert.to_json(), method="POST",
                                     headers={"Content-Type": "application/json"})
    outcome = "not sent"
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
                return f"alert posted to the webhook (HTTP {response.status})"
        except urllib.error.HTTPError as error:
            outcome = f"the webhook answered HTTP {error.code}"
            if error.code < 500:
                break
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            outcome = f"the webhook could not be reached ({type(reason).__name__})"
        if attempt < POST_ATTEMPTS:
            time.sleep(2 ** attempt)
    return f"alert NOT delivered: {outcome}"
