"""`python -m jobs.report`: the exit handler: a one-line summary of the run and, when a webhook is configured, one
alert message (jobs/alert.py); always exits 0."""

from __future__ import annotations

import datetime as dt
import json

import click

from contract import step_env
from contract.choices import ALERT_KINDS
from jobs.alert import Alert, find_lineage, kind_of, post


def failed_steps(failures: str) -> list[str]:
    """`step: message` per failed node of Argo's `workflow.failures` JSON (empty when none)."""
    try:
        parsed = json.loads(failures) if failures.strip() else []
    except json.JSONDecodeError:
        parsed = [{"message": failures.strip()}]
    if not isinstance(parsed, list):
        parsed = [parsed]
    return [
        f"{item.get('displayName') or item.get('name') or '?'}: {item.get('message', '').strip()}"
        if isinstance(item, dict) else str(item)
        for item in parsed
    ]


def summarize(workflow_name: str, status: str, failures: str) -> str:
    """One line: workflow, status and the failed steps (from Argo's `workflow.failures` JSON, if any)."""
    failed = failed_steps(failures)
    line = f"workflow {workflow_name} finished: {status}"
    return f"{line}; failed: {'; '.join(failed)}" if failed else line


def _is_date(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _kinds(_ctx, _param, value: str) -> list[str]:
    kinds = [kind.strip() for kind in value.split(",") if kind.strip()]
    bad = [kind for kind in kinds if kind not in ALERT_KINDS]
    if bad:
        raise click.BadParameter(f"{', '.join(bad)}; allowed: {', '.join(ALERT_KINDS)} (comma-separated)")
    return kinds


@click.command()
@click.option("--workflow-name", required=True, help="Name of the workflow run.")
@click.option("--status", required=True, help="Argo's workflow.status (Succeeded, Failed, Error).")
@click.option("--failures", default="", help="Argo's workflow.failures JSON (empty when none).")
@click.option("--job", default="", help="Job name (alert).")
@click.option("--ds", default="", help="Partition date, or START..END for a backfill (alert).")
@click.option("--output-table", default="", help="db.table of the scores: finds the partition's lineage run.")
@click.option("--experiment", default="", help="MLflow experiment of the lineage runs.")
@click.option("--started-at", default=None, help="ISO time the workflow started: older lineage runs are ignored.")
@click.option("--notify-on", default="failure,warning", show_default=True, callback=_kinds,
              help="Which runs send an alert: comma-separated failure, warning (drift over a warn line), success.")
@click.option("--tracking-uri", envvar=step_env.MLFLOW_TRACKING_URI, default=None,
              help="MLflow server (env MLFLOW_TRACKING_URI).")
@click.option("--webhook-url", envvar=step_env.ALERT_WEBHOOK_URL, default=None, show_envvar=False,
              help="Where alerts go (env ALERT_WEBHOOK_URL, from a Kubernetes Secret; never printed). "
                   "Unset: no alert.")
def main(workflow_name: str, status: str, failures: str, job: str, ds: str, output_table: str, experiment: str,
         started_at: str | None, notify_on: list[str], tracking_uri: str | None, webhook_url: str | None) -> None:
    """Print a one-line summary and send the alert; never fails, so it never masks the workflow's own status."""
    summary = summarize(workflow_name, status, failures)
    click.echo(summary)
    if not webhook_url:
        return
    lineage = None
    if output_table and experiment and _is_date(ds):
        try:
            lineage = find_lineage(tracking_uri, experiment, output_table, ds, started_at)
        except Exception as error:  # noqa: BLE001  (an MLflow outage must not stop the alert itself)
            click.echo(f"lineage run not found ({type(error).__name__}); the alert goes without it")
    kind = kind_of(status, lineage)
    if kind not in notify_on:
        click.echo(f"no alert: a {kind} run, alerts are sent on {', '.join(notify_on)}")
        return
    alert = Alert(job=job, ds=ds, status=status, kind=kind, workflow=workflow_name, summary=summary,
                  failures=failed_steps(failures))
    if lineage is not None:
        alert.rows, alert.model_version, alert.mlflow_run = lineage.rows, lineage.model_version, lineage.link
        alert.drift_status, alert.drift_warnings = lineage.drift_status, lineage.drift_warnings
    click.echo(post(webhook_url, alert))


if __name__ == "__main__":
    main()
