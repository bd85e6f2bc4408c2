"""The main WorkflowTemplate for one ds: [wait-for-input,] prepare and fetch-model, score, validate, monitor."""

from __future__ import annotations

from hera.workflows import DAG, Parameter, Task, WorkflowTemplate
from hera.workflows import models as m

from contract import values
from generator.config.loader import LoadedJob
from generator.specs import names, steps, watch_steps, workflow_spec

DS_DESCRIPTION = f"Partition date to score (the input and output partition value): {values.DATE_RULE}"
MODEL_URI_DESCRIPTION = (
    f"MLflow model to score with: {values.MODEL_URI_FORMS} (MLflow registry only); "
    "an alias is pinned to one version for the whole run"
)


def _from_fetch(parameter: str) -> str:
    return f"{{{{tasks.{names.FETCH_MODEL}.outputs.parameters.{parameter}}}}}"


def _ds() -> str:
    return f"{{{{inputs.parameters.{names.DS}}}}}"


def build_main(job: LoadedJob) -> WorkflowTemplate:
    """Build the job's main WorkflowTemplate, submittable from the Argo UI with described parameters."""
    config = job.config
    with WorkflowTemplate(
        **workflow_spec.metadata(config, config.name),
        **workflow_spec.spec_settings(config),
        entrypoint=names.PIPELINE,
        arguments=[
            Parameter(name=names.DS, description=DS_DESCRIPTION),
            Parameter(name=names.MODEL_URI, value=config.model.uri, description=MODEL_URI_DESCRIPTION),
        ],
    ) as template:
        prepare = steps.prepare(config, job.prepare_sql) if job.prepare_sql is not None else None
        fetch_model = steps.fetch_model(config)
        score = steps.score(config)
        validate = steps.validate(config)
        monitor = watch_steps.monitor(config)
        sensor = watch_steps.wait_for_input(config) if config.input.wait_for is not None else None
        watch_steps.on_exit(config, f"{{{{workflow.parameters.{names.DS}}}}}")
        with DAG(
            name=names.PIPELINE,
            inputs=[Parameter(name=names.DS), Parameter(name=names.MODEL_URI)],
            # One run per job and partition at a time: a UI submission never races the cron run (or a
            # backfill) writing the same ds. Template-level, so the retro template's calls take it too.
            synchronization=m.Synchronization(mutexes=[m.Mutex(name=f"{config.name}-{_ds()}")]),
        ):
            ready = [names.FETCH_MODEL]
            if sensor is not None:
                Task(name=names.WAIT_FOR_INPUT, template=sensor, arguments={names.DS: _ds()})
            if prepare is not None:
                Task(name=names.PREPARE, template=prepare, arguments={names.DS: _ds()},
                     depends=names.WAIT_FOR_INPUT if sensor is not None else None)
                ready.insert(0, names.PREPARE)
            elif sensor is not None:
                ready.insert(0, names.WAIT_FOR_INPUT)
            Task(
                name=names.FETCH_MODEL,
                template=fetch_model,
                arguments={names.MODEL_URI: f"{{{{inputs.parameters.{names.MODEL_URI}}}}}"},
            )
            lineage = {name: _from_fetch(name) for name in ("model-name", "model-version", "model-run-id")}
            Task(
                name=names.SCORE,
                template=score,
                depends=" && ".join(ready),
                arguments={
                    names.DS: _ds(),
                    **lineage,
                    "pinned-uri": _from_fetch("pinned-uri"),
                    "requirements": _from_fetch("requirements"),
                },
            )
            Task(
                name=names.VALIDATE,
                template=validate,
                depends=names.SCORE,
                arguments={names.DS: _ds(), **lineage,
                           names.ENVIRONMENT: f"{{{{tasks.{names.SCORE}.outputs.parameters.{names.ENVIRONMENT}}}}}"},
            )
            Task(
                name=names.MONITOR,
                template=monitor,
                depends=names.VALIDATE,
                arguments={
                    names.DS: _ds(),
                    names.LINEAGE_RUN_ID: f"{{{{tasks.{names.VALIDATE}.outputs.parameters.{names.LINEAGE_RUN_ID}}}}}",
                },
            )
    return template
