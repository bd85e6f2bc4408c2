"""`python -m jobs.fetch_model`: pin the model URI to one registered version and fetch its requirements."""

from __future__ import annotations

from pathlib import Path

import click

from contract import step_outputs
from contract.values import MODEL_URI_RULE
from jobs.common.logs import configure_logging
from jobs.common.options import out_dir_option, retry_seconds_option, tracking_uri_option
from jobs.common.outputs import write_outputs
from jobs.common.registry import ModelRegistry
from jobs.common.services import wait_for_mlflow


@click.command()
@click.option("--model-uri", required=True,
              help=f"The model to pin: {MODEL_URI_RULE}.")
@tracking_uri_option
@retry_seconds_option
@out_dir_option
def main(model_uri: str, tracking_uri: str | None, retry_seconds: float, out_dir: Path) -> None:
    """Resolve the model once, so every later step scores with the same version even if the alias moves.

    Writes model-name, model-version, model-run-id, pinned-uri and requirements into OUT_DIR.
    """
    configure_logging()
    registry = ModelRegistry(tracking_uri)
    registry.check_uri(model_uri)  # a malformed URI fails at once, without waiting for the server
    wait_for_mlflow(registry.client.tracking_uri, retry_seconds)
    model = registry.resolve(model_uri)
    requirements = registry.requirements(model.pinned_uri)
    write_outputs(out_dir, {
        step_outputs.MODEL_NAME: model.name,
        step_outputs.MODEL_VERSION: model.version,
        step_outputs.MODEL_RUN_ID: model.run_id,
        step_outputs.PINNED_URI: model.pinned_uri,
        step_outputs.REQUIREMENTS: requirements,
    })
    click.echo(f"fetch-model: {model_uri} -> {model.pinned_uri} (run {model.run_id})")


if __name__ == "__main__":
    main()
