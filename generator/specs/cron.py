"""The CronWorkflow: runs the main WorkflowTemplate on the job's schedule for the date the schedule implies."""

from __future__ import annotations

from hera.workflows import CronWorkflow
from hera.workflows import models as m

from generator.config.models import JobConfig, Schedule
from generator.specs import names, workflow_spec

# Keep a few finished runs visible in the UI; failures longer, they are the ones people open.
SUCCESSFUL_HISTORY = 3
FAILED_HISTORY = 5
# Go time layouts: how sprig reads `workflow.scheduledTime` and writes ds (YYYY-MM-DD, contract/values.py DATE).
RFC3339 = "2006-01-02T15:04:05Z07:00"
DATE_LAYOUT = "2006-01-02"


def ds_expression(schedule: Schedule) -> str:
    """An Argo expression for ds: the scheduled date in the schedule's zone, minus the offset in calendar days.

    Days are counted on the calendar, never as 24-hour spans in the zone: across a daylight-saving change a day
    lasts 23 or 25 hours, and `scheduled - 24h` in the first hour after midnight lands two dates back. Argo's
    expressions (expr-lang with sprig) have no calendar arithmetic in a zone, so the expression takes the local
    date as text, reads it back as midnight UTC (a zone without daylight saving, where every day is 24 hours) and
    subtracts there. Every zone is named explicitly: sprig's `toDate` and `date` would use the controller's zone.
    `workflow.scheduledTime` is RFC 3339 (set by the cron controller or `argo submit --scheduled-time`).
    """
    scheduled = f"sprig.toDate('{RFC3339}', workflow.scheduledTime)"
    local_date = f"sprig.dateInZone('{DATE_LAYOUT}', {scheduled}, '{schedule.timezone}')"
    if not schedule.ds_offset_days:
        return f"{{{{={local_date}}}}}"
    midnight_utc = f"sprig.toDate('{DATE_LAYOUT} -0700', {local_date} + ' +0000')"
    shifted = f"sprig.dateModify('-{24 * schedule.ds_offset_days}h', {midnight_utc})"
    return f"{{{{=sprig.dateInZone('{DATE_LAYOUT}', {shifted}, 'UTC')}}}}"


def build_cron(config: JobConfig) -> CronWorkflow | None:
    """Build the CronWorkflow when the job has a schedule (Argo v4: `schedules`, never `schedule`)."""
    schedule = config.schedule
    if schedule is None:
        return None
    return CronWorkflow(
        **workflow_spec.metadata(config, config.name),
        schedules=[schedule.cron],
        timezone=schedule.timezone,
        # Every scheduled time gets its Workflow, even while the previous run still goes: `Forbid` would make the
        # cron controller skip it with a log line only (no Workflow, so no exit handler, no alert: a date lost in
        # silence; workflow/cron/operator.go). Two writers of one partition never meet anyway: the pipeline
        # template holds the `<job>-<ds>` mutex (main_template.py).
        concurrency_policy="Allow",
        starting_deadline_seconds=schedule.starting_deadline_seconds,
        successful_jobs_history_limit=SUCCESSFUL_HISTORY,
        failed_jobs_history_limit=FAILED_HISTORY,
        cron_suspend=schedule.suspend or None,
        workflow_metadata=m.WorkflowMetadata(labels=workflow_spec.labels(config)),
        workflow_template_ref=m.WorkflowTemplateRef(name=config.name),
        arguments={names.DS: ds_expression(schedule)},
    )
