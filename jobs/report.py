"""`python -m jobs.report`: the exit handler's one-line summary of a workflow run; always exits 0."""

from __future__ import annotations

import json

import click


def summarize(workflow_name: str, status: str, failures: str) -> str:
    """One line: workflow, status and the failed steps (from Argo's `workflow.failures` JSON, if any)."""
    try:
        parsed = json.loads(failures) if failures.strip() else []
    except json.JSONDecodeError:
        parsed = [{"message": failures.strip()}]
    if not isinstance(parsed, list):
        parsed = [parsed]
    failed = [
        f"{item.get('displayName') or item.get('name') or '?'}: {item.get('message', '').strip()}"
        if isinstance(item, dict) else str(item)
        for item in parsed
    ]
    line = f"workflow {workflow_name} finished: {status}"
    return f"{line}; failed: {'; '.join(failed)}" if failed else line


@click.command()
@click.option("--workflow-name", required=True, help="Name of the workflow run.")
@click.option("--status", required=True, help="Argo's workflow.status (Succeeded, Failed, Error).")
@click.option("--failures", default="", help="Argo's workflow.failures JSON (empty when none).")
def main(workflow_name: str, status: str, failures: str) -> None:
    """Print a one-line summary; never fails, so the exit handler never masks the workflow's own status."""
    click.echo(summarize(workflow_name, status, failures))


if __name__ == "__main__":
    main()
