"""The `generate-workflow` command line: a thin click layer over the library functions."""

from __future__ import annotations

import click

from generator.commands.build import build
from generator.commands.cluster import cluster
from generator.commands.controller_config import controller_config
from generator.commands.history import history
from generator.commands.lint import lint
from generator.commands.run_local import run_local
from generator.commands.stack import stack
from generator.commands.submit import submit


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="argo-batch-scoring")
def main() -> None:
    """Generate, lint and run Argo Workflows specs for batch-scoring jobs.

    One YAML file per job in conf/ (merged over conf/defaults.yaml) becomes workflows/<job>.yaml:
    a WorkflowTemplate, a retro (backfill) WorkflowTemplate and, when scheduled, a CronWorkflow.
    """


main.add_command(build)
main.add_command(cluster)
main.add_command(controller_config)
main.add_command(history)
main.add_command(lint)
main.add_command(run_local)
main.add_command(stack)
main.add_command(submit)
