"""`generate-workflow history JOB`: per partition, what the job's lineage runs in MLflow recorded."""

from __future__ import annotations

from pathlib import Path

import click

from generator.config import load_jobs
from generator.errors import UserError
from generator.history import mlflow_rest
from generator.history.partitions import latest_per_partition, table
from generator.specs.steps import lineage_experiment


@click.command()
@click.argument("job")
@click.option("--conf-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("conf"),
              show_default=True, help="Folder of the job configs (JOB is conf/<JOB>.yaml there).")
@click.option("--tracking-uri", envvar="MLFLOW_TRACKING_URI", default=None,
              help="MLflow server to read (env MLFLOW_TRACKING_URI; default: the job's mlflow.tracking_uri).")
@click.option("--limit", type=click.IntRange(1, 3660), default=30, show_default=True,
              help="How many of the latest partitions to show.")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the history as a PNG picture to this file (needs matplotlib).")
def history(job: str, conf_dir: Path, tracking_uri: str | None, limit: int, plot_file: Path | None) -> None:
    """Print, per partition of JOB: model version, rows, score quantiles, PSI and status, from MLflow only."""
    path = conf_dir / f"{job}.yaml"
    if not path.is_file():
        raise UserError(f"{path}: no such job config; JOB is the name of a config in --conf-dir")
    [loaded] = load_jobs([path])
    config = loaded.config
    uri = tracking_uri or config.mlflow.tracking_uri
    experiment = lineage_experiment(config)
    found = mlflow_rest.experiment_id(uri, experiment)
    if found is None:
        raise UserError(f"MLflow at {uri} has no experiment {experiment!r}: the job has not run there yet")
    runs = mlflow_rest.search_runs(uri, found, f"params.output_table = '{config.output.table}'", limit=20 * limit)
    rows = latest_per_partition(runs, limit)
    if not rows:
        raise UserError(f"no lineage runs for {config.output.table} in experiment {experiment!r} at {uri}")
    click.echo(f"{config.name}: {config.output.table}, experiment {experiment!r}, {len(rows)} partition(s)")
    click.echo(table(rows))
    if plot_file is not None:
        from generator.history.plot import plot

        plot(rows, f"{config.name}: {config.output.table}", plot_file)
        click.echo(f"wrote {plot_file}")
