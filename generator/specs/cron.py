"""The CronWorkflow: runs the main WorkflowTemplate on the job's schedule for the date the schedule implies."""

from __future__ import annotations

from hera.workflows import CronWorkflow
from hera.workflows import models as m

from generator.config.models import JobConfig, Schedule
from generator.specs import names, workflow_spec

# Keep a few finished runs visible in the UI; failures longer, they are the ones people open.
SUCCESSFUL_HISTORY = 3
FAILED_HISTORY = 5


def ds_expression(schedule: Schedule) -> str:
    """An Argo expression for ds: the scheduled time, minus the offset, as a date in the schedule's zone.

    `workflow.scheduledTime` is RFC 3339; sprig's dateModify takes Go durations, so days become hours.
    """
    scheduled = "sprig.toDate('2006-01-02T15:04:05Z07:00', workflow.scheduledTime)"
    if schedule.ds_offset_days:
        scheduled = f"sprig.dateModify('-{24 * schedule.ds_offset_days}h', {scheduled})"
    return f"{{{{=sprig.dateInZone('2006-01-02', {scheduled}, '{schedule.timezone}')}}}}"


def build_cron(config: JobConfig) -> CronWorkflow | None:
    """Build the CronWorkflow when the job has a schedule (Argo v4: `schedules`, never `schedule`)."""
    schedule = config.schedule
    if schedule is None:
        return None
    return CronWorkflow(
        **workflow_spec.metadata(config, config.name),
        schedules=[schedule.cron],
        timezone=schedule.timezone,
        # A run still going when the next is due (a slow night) must not start a second writer.
        concurrency_policy="Forbid",
        starting_deadline_seconds=schedule.starting_deadline_seconds,
        successful_jobs_history_limit=SUCCESSFUL_HISTORY,
        failed_jobs_history_limit=FAILED_HISTORY,
        cron_suspend=schedule.suspend or None,
        workflow_metadata=m.WorkflowMetadata(labels=workflow_spec.labels(config)),
        workflow_template_ref=m.WorkflowTemplateRef(name=config.name),
        arguments={names.DS: ds_expression(schedule)},
    )
