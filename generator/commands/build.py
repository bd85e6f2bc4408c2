"""`generate-workflow build`: configs in, workflows YAML out (or, with --check, a drift report)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.config import load_jobs
from generator.errors import UserError, listed
from generator.specs.render import find_drift, planned_outputs, write_outputs


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("workflows"),
    show_default=True,
    help="Folder the workflows/<job>.yaml files are written to.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 listing every generated file that is missing, changed or orphaned.",
)
def build(paths: tuple[Path, ...], out_dir: Path, check: bool) -> None:
    """Validate job configs and generate their Argo Workflows specs.

    PATHS are job config files or folders of them (default: conf/). Each conf/<job>.yaml is merged over the
    defaults.yaml beside it and becomes <out-dir>/<job>.yaml holding the WorkflowTemplate <job>, the
    WorkflowTemplate <job>-retro and, when the job has a schedule, the CronWorkflow <job>; <out-dir>/<job>.rbac.yaml
    holds the Role and RoleBinding the job's service account needs. All configs are
    validated before anything is written; every error is reported at once.
    """
    sources = list(paths) or [Path("conf")]
    for source in sources:
        if not source.exists():
            raise UserError(f"{source}: no such file or folder; give job configs (conf/<job>.yaml) or their folder")
    jobs = load_jobs(sources)
    for job in jobs:
        for warning in job.warnings:
            click.echo(f"warning: {warning}", err=True)
    outputs = planned_outputs(sources, out_dir, jobs)
    if check:
        drift = find_drift(outputs, sources, out_dir)
        if drift:
            lines = [f"{item.path}: {item.reason}" for item in drift]
            raise UserError(listed(f"{len(drift)} generated file(s) out of date with the configs:", lines)
                            + "\nRun `generate-workflow build` and commit the result.")
        click.echo(f"ok: {len(outputs)} generated file(s) match their configs")
        return
    written = write_outputs(outputs)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"{len(outputs)} generated file(s), {len(written)} changed")
