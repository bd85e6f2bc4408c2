"""`generate-workflow stack up|down|status`: the local Hive metastore, Spark Thrift Server and MLflow server."""

from __future__ import annotations

from pathlib import Path

import click

from generator.localstack import LocalStack, StackPorts

_run_dir = click.option(
    "--run-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".run/stack"), show_default=True,
    help="Folder holding all state, data and logs of the stack (Derby metastore, warehouse, MLflow db, PIDs).",
)


def _ports_options(command):
    command = click.option("--mlflow-port", type=click.IntRange(1, 65535), default=5000, show_default=True,
                           help="MLflow server port on 127.0.0.1.")(command)
    command = click.option("--thrift-port", type=click.IntRange(1, 65535), default=10000, show_default=True,
                           help="Spark Thrift Server (HiveServer2) port on 127.0.0.1.")(command)
    command = click.option("--metastore-port", type=click.IntRange(1, 65535), default=9083, show_default=True,
                           help="Hive metastore port on 127.0.0.1.")(command)
    return command


@click.group()
def stack() -> None:
    """Start, stop and inspect the local stack the jobs, tests and demo run against.

    Three services on 127.0.0.1, no Docker: the Hive metastore (Derby database in the run dir), the Spark
    Thrift Server (HiveServer2, for PyHive) and an MLflow tracking server with proxied artifacts.
    """


@stack.command()
@_run_dir
@_ports_options
@click.option("--hive-password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Opt-in password check: the Spark Thrift Server accepts only the user and password in this file "
                   "(one line user:password; a 0600 copy is kept in the run dir until `stack down`). Clients then "
                   "connect with hive auth CUSTOM. Needs javac (a JDK). Default: no check (auth NONE).")
def up(run_dir: Path, metastore_port: int, thrift_port: int, mlflow_port: int, hive_password_file: Path | None) -> None:
    """Start the stack; services already running from RUN_DIR are reused (idempotent)."""
    local = LocalStack(run_dir, StackPorts(metastore_port, thrift_port, mlflow_port), echo=click.echo,
                       hive_password_file=hive_password_file)
    endpoints = local.up()
    click.echo(
        f"stack up in {local.run_dir}\n"
        f"  HiveServer2: {endpoints.hive_host}:{endpoints.hive_port} (auth {endpoints.hive_auth})\n"
        f"  metastore:   {endpoints.metastore_uri}\n"
        f"  MLflow:      {endpoints.mlflow_uri}\n"
        f"  warehouse:   {endpoints.warehouse_dir}"
    )


@stack.command()
@_run_dir
def down(run_dir: Path) -> None:
    """Stop every service recorded in RUN_DIR (SIGTERM, then SIGKILL); data stays for the next `up`."""
    LocalStack(run_dir, echo=click.echo).down()


@stack.command()
@_run_dir
def status(run_dir: Path) -> None:
    """Print each service with its address, PID and whether it is up; exit 1 when any is down."""
    services = LocalStack(run_dir).status()
    for service in services:
        state = "up" if service.up else "down"
        pid = service.pid if service.pid is not None else "-"
        click.echo(f"{service.title:<36} {service.address:<24} pid {pid!s:<8} {state}")
    if not all(service.up for service in services):
        raise SystemExit(1)
