"""`generate-workflow controller-config`: print the workflow-controller-configmap setting the generated pods need."""

from __future__ import annotations

import click

from generator.specs.controller_config import render_controller_config


@click.command("controller-config")
def controller_config() -> None:
    """Print the Argo controller setting that gives Argo's own init and wait containers the restricted security
    context, as a ConfigMap merge patch (it sets only `data.executor`):

    generate-workflow controller-config > executor.yaml && kubectl -n argo patch configmap
    workflow-controller-configmap --type merge --patch-file executor.yaml
    """
    click.echo(render_controller_config(), nl=False)
