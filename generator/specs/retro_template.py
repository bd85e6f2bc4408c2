"""The retro WorkflowTemplate: backfill a date range through the main pipeline with bounded parallelism."""

from __future__ import annotations

from hera.workflows import DAG, Parameter, Step, Steps, Task, WorkflowTemplate
from hera.workflows import models as m

from generator.config.loader import LoadedJob
from generator.specs import names, steps, watch_steps, workflow_spec
from generator.specs.main_template import MODEL_URI_DESCRIPTION


def _param(name: str, scope: str = "inputs") -> str:
    return f"{{{{{scope}.parameters.{name}}}}}"


def build_retro(job: LoadedJob) -> WorkflowTemplate:
    """Build `<job>-retro`: dates start..end, split into `parallelism` lanes that each run one date at a time.

    Argo's `parallelism` fields take only integers, so a UI parameter cannot set them; instead plan-dates
    deals the dates round-robin into at most `parallelism` lanes, the lanes fan out in parallel, and each lane
    (a steps template with parallelism 1) runs its dates one after another through the main pipeline.
    """
    config = job.config
    retro = config.retro
    with WorkflowTemplate(
        **workflow_spec.metadata(config, names.retro_name(config.name)),
        **workflow_spec.spec_settings(config),
        entrypoint=names.RETRO,
        arguments=[
            Parameter(name=names.START, description="First date to score, YYYY-MM-DD (inclusive)"),
            Parameter(name=names.END, description=f"Last date to score, YYYY-MM-DD (inclusive; at most "
                                                  f"{retro.max_days} days after start)"),
            Parameter(
                name=names.PARALLELISM,
                value=str(retro.parallelism),
                enum=[str(n) for n in range(1, retro.max_parallelism + 1)],
                description="How many dates are scored at the same time",
            ),
            Parameter(name=names.MODEL_URI, value=config.model.uri, description=MODEL_URI_DESCRIPTION),
        ],
    ) as template:
        plan = steps.plan_dates(config)
        watch_steps.on_exit(config, f"{_param(names.START, 'workflow')}..{_param(names.END, 'workflow')}")
        with Steps(
            name=names.BACKFILL_LANE,
            inputs=[Parameter(name=names.DATES), Parameter(name=names.MODEL_URI)],
            parallelism=1,
        ) as lane:
            Step(
                name="score-date",
                template_ref=m.TemplateRef(name=config.name, template=names.PIPELINE),
                with_param=_param(names.DATES),
                arguments={names.DS: "{{item}}", names.MODEL_URI: _param(names.MODEL_URI)},
            )
        with DAG(name=names.RETRO):
            Task(
                name="plan",
                template=plan,
                arguments={name: _param(name, "workflow") for name in (names.START, names.END, names.PARALLELISM)},
            )
            Task(
                name="backfill",
                template=lane,
                depends="plan",
                with_param=f"{{{{tasks.plan.outputs.parameters.{names.LANES}}}}}",
                arguments={names.DATES: "{{item}}", names.MODEL_URI: _param(names.MODEL_URI, "workflow")},
            )
    return template
