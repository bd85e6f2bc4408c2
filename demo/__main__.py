"""`make demo` / `python -m demo`: the whole pipeline on this machine, from a fresh checkout to scores in Hive."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

REPO = Path(__file__).resolve().parents[1]
DEMO_CONF = REPO / "demo" / "conf"
JOB = "cancer-risk-daily"
MODEL_NAME = "cancer_risk"


def _date(_ctx, _param, value: str | None) -> str | None:
    # ds reaches SQL below: only a real YYYY-MM-DD date gets through.
    if value is not None:
        try:
            if dt.date.fromisoformat(value).isoformat() != value:
                raise ValueError
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date; allowed: YYYY-MM-DD") from None
    return value


@click.command()
@click.option("--ds", default=None, callback=_date,
              help="Partition date to score, YYYY-MM-DD (default: yesterday, UTC).")
@click.option("--run-dir", type=click.Path(path_type=Path), default=REPO / ".run",
              show_default=True, help="Where the stack, the generated demo workflows and the run folders live.")
@click.option("--days", type=click.IntRange(1, 30), default=3, show_default=True,
              help="Score this many days ending at DS, one run each (the monitor compares each with the day before).")
@click.option("--metastore-port", type=click.IntRange(1, 65535), default=9083, show_default=True)
@click.option("--thrift-port", type=click.IntRange(1, 65535), default=10000, show_default=True)
@click.option("--mlflow-port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--cluster", "on_cluster", is_flag=True,
              help="Run the dates through Argo's own controller on the cluster built here (`generate-workflow "
                   "cluster up`, needs root), each step a pod of argo-batch-scoring:local, not the local runner.")
def main(ds: str | None, run_dir: Path, days: int, metastore_port: int, thrift_port: int, mlflow_port: int,
         on_cluster: bool) -> None:
    """Start the local stack, register the demo model, load demo data, generate and run the demo job."""
    from generator.localstack import LocalStack, StackPorts
    from generator.specs.render import planned_outputs, write_outputs

    ds = ds or (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    dates = [(dt.date.fromisoformat(ds) - dt.timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

    step("1/6 local stack (Hive metastore, Spark Thrift Server, MLflow)")
    ports = StackPorts(metastore_port, thrift_port, mlflow_port)
    endpoints = LocalStack(run_dir / "stack", ports, echo=click.echo).up()

    step(f"2/6 demo model {MODEL_NAME}@champion in MLflow ({endpoints.mlflow_uri})")
    click.echo(f"    {ensure_model(endpoints.mlflow_uri)}")

    step(f"3/6 demo input for {', '.join(dates)} into Hive (demo_raw.patients)")
    from demo.data import load_days

    rows = load_days(endpoints.hive_host, endpoints.hive_port, dates)
    click.echo(f"    {rows} patients loaded per day")

    step("4/6 generate and lint the demo workflows")
    conf_dir = DEMO_CONF
    if on_cluster:
        from demo.cluster_run import cluster_conf

        conf_dir = cluster_conf(DEMO_CONF, run_dir / "demo" / "cluster-conf", endpoints)
    out_dir = run_dir / "demo" / ("cluster-workflows" if on_cluster else "workflows")
    outputs = planned_outputs([conf_dir], out_dir)
    write_outputs(outputs)
    workflow_file = out_dir / f"{JOB}.yaml"
    click.echo(f"    {workflow_file}")
    lint(workflow_file)

    # The generated spec names the demo defaults' addresses; the stack may listen elsewhere (--*-port).
    env = {name: value for name, value in endpoints.step_env().items() if name != "SPARK_MASTER"}
    if on_cluster:
        from demo.cluster_run import run_on_cluster

        step(f"5/6 run {JOB} for {', '.join(dates)} on the cluster (Argo's controller, pods of the image)")
        if not run_on_cluster(workflow_file, JOB, dates, run_dir / "cluster", run_dir / "stack", endpoints):
            click.echo("demo: a workflow failed; see .run/cluster/logs and `generate-workflow cluster status`",
                       err=True)
            sys.exit(1)
        step("6/6 scores read back through PyHive")
        show_scores(endpoints.hive_host, endpoints.hive_port, dates)
        click.echo("\nThe cluster and the stack stay up; stop them with `make cluster-down stack-down`.")
        return
    step_logs: dict[str, Path] = {}
    for day in dates:
        step(f"5/6 run {JOB} for ds={day} with the local runner")
        result = run(workflow_file, day, run_dir, env)
        if not result.succeeded:
            click.echo(f"demo: the workflow failed; see the step logs under {result.work_dir}", err=True)
            sys.exit(1)
        step_logs[day] = result.work_dir

    step("6/6 scores read back through PyHive")
    show_scores(endpoints.hive_host, endpoints.hive_port, dates)
    click.echo(
        "\nWhere to look:\n"
        f"  MLflow UI:       {endpoints.mlflow_uri} (experiment 'demo-batch-scoring': one run per scored partition,\n"
        f"                   drift metrics and monitoring/*.png on each; model '{MODEL_NAME}' in the registry)\n"
        f"  History:         generate-workflow history {JOB} --conf-dir demo/conf "
        f"--tracking-uri {endpoints.mlflow_uri}\n"
        f"  Hive tables:     demo_features.cancer_risk_daily, demo_scores.cancer_risk_daily (partitions dt='{dates[0]}'"
        f" to '{ds}')\n"
        f"                   via PyHive on {endpoints.hive_host}:{endpoints.hive_port}\n"
        f"  Generated specs: {workflow_file}\n"
        "  Step logs:       " + "\n                   ".join(f"{day}: {folder}" for day, folder in step_logs.items())
        + "\n  The stack stays up for you; stop it with `make stack-down`."
    )


def step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


def ensure_model(tracking_uri: str) -> str:
    """Register the demo model once; a second demo run reuses the version the alias points at."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    from demo.model import DEFAULT_ALIAS, register_pyfunc_model

    try:
        version = MlflowClient(tracking_uri).get_model_version_by_alias(MODEL_NAME, DEFAULT_ALIAS)
        return f"reusing models:/{MODEL_NAME}/{version.version}"
    except MlflowException:
        registered = register_pyfunc_model(MODEL_NAME, tracking_uri=tracking_uri)
        return f"registered {registered.pinned_uri} (alias {DEFAULT_ALIAS})"


def lint(workflow_file: Path) -> None:
    from argo_toolset.lint import lint_paths
    from generator.crd_dir import default_crd_dir

    crd_dir = default_crd_dir()
    findings = lint_paths([workflow_file], crd_dir if crd_dir.is_dir() else None)
    for finding in findings:
        click.echo(f"    {finding}", err=True)
    if findings:
        sys.exit(1)
    click.echo(f"    lint clean ({'with Argo CRDs ' + str(crd_dir) if crd_dir.is_dir() else 'no CRD dir found'})")


def run(workflow_file: Path, ds: str, run_dir: Path, env: dict[str, str]):
    import yaml

    from argo_toolset.runner import run_workflow
    from generator.commands.run_local import STEP_SERVICES

    documents = list(yaml.safe_load_all(workflow_file.read_text()))
    return run_workflow(
        documents,
        template_name=JOB,
        parameters={"ds": ds},
        env_overrides=env,
        work_dir=run_dir / "runs" / f"demo-{JOB}-{ds}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}",
        lock_dir=run_dir / "locks",
        services=STEP_SERVICES,
    )


def show_scores(host: str, port: int, dates: list[str]) -> None:
    """Each scored date's rows and score range, then a sample of the last date's rows."""
    from pyhive import hive

    from jobs.common.hive import HiveSettings, close_session

    ds = dates[-1]
    connection = hive.connect(host=host, port=port, auth="NONE", username="demo")
    try:
        cursor = connection.cursor()
        # The dates are validated (see _date) or computed from one, so they may be inlined.
        listed = ", ".join(f"'{day}'" for day in dates)
        cursor.execute("SELECT dt, COUNT(*), MIN(score), AVG(score), MAX(score), MAX(model_version) "
                       f"FROM demo_scores.cancer_risk_daily WHERE dt IN ({listed}) GROUP BY dt ORDER BY dt")
        click.echo("    dt | rows | min score | mean score | max score | model version")
        for day, rows, low, mean, high, version in cursor.fetchall():
            click.echo(f"    {day} | {rows} | {low:.4f} | {mean:.4f} | {high:.4f} | {version}")
        cursor.execute(f"SELECT COUNT(*) FROM demo_scores.cancer_risk_daily WHERE dt = '{ds}'")
        click.echo(f"\n    {cursor.fetchone()[0]} rows in demo_scores.cancer_risk_daily, dt='{ds}'; a sample:")
        cursor.execute(
            "SELECT patient_id, score, model_name, model_version, model_run_id, scored_at "
            f"FROM demo_scores.cancer_risk_daily WHERE dt = '{ds}' ORDER BY patient_id LIMIT 5"
        )
        columns = [column[0].split(".")[-1] for column in cursor.description]
        click.echo("    " + " | ".join(columns))
        for row in cursor.fetchall():
            click.echo("    " + " | ".join(f"{value:.4f}" if isinstance(value, float) else str(value) for value in row))
    finally:
        close_session(connection, HiveSettings(host, port))


if __name__ == "__main__":
    main()
