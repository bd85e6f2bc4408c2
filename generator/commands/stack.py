"""`generate-workflow stack up|down|status`: the local Hive metastore, Spark Thrift Server and MLflow server."""

from __future__ import annotations

from pathlib import Path

import click

from generator.localstack import LocalStack, StackPorts
from generator.localstack.hadoop.ports import HadoopPorts
from generator.localstack.hadoop.stack import PROFILE as HADOOP
from generator.localstack.hadoop.stack import HadoopStack

DEFAULT_RUN_DIRS = {"default": Path(".run/stack"), HADOOP: Path(".run/hadoop")}
_run_dir = click.option(
    "--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder holding all state, data and logs of the stack (metastore db, warehouse, MLflow db, PIDs). "
         "Default: .run/stack, or .run/hadoop with --profile hadoop.",
)
_profile = click.option(
    "--profile", type=click.Choice(["default", HADOOP]), default="default", show_default=True,
    help="default: Hive metastore 2.3 + Spark Thrift Server + MLflow, warehouse in a local folder. hadoop: HDFS and "
         "YARN (Hadoop minicluster 3.5.0), Hive metastore and HiveServer2 4.0.1, MLflow; jars from Maven Central "
         "(needs mvn and a JDK; docs/HADOOP.md).",
)


def _hadoop_ports(command):
    for name, default, what in (("namenode", 8020, "HDFS NameNode RPC"), ("namenode-http", 9870, "NameNode HTTP"),
                                ("resourcemanager", 8032, "YARN ResourceManager"),
                                ("hiveserver2", 10100, "HiveServer2 4")):
        command = click.option(f"--{name}-port", type=click.IntRange(1, 65535), default=default,
                               show_default=True, help=f"With --profile hadoop: {what} port on 127.0.0.1.")(command)
    return command


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
@_profile
@_ports_options
@_hadoop_ports
@click.option("--hive-password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Opt-in password check: the Spark Thrift Server accepts only the user and password in this file "
                   "(one line user:password; a 0600 copy is kept in the run dir until `stack down`). Clients then "
                   "connect with hive auth CUSTOM. Needs javac (a JDK). Default: no check (auth NONE).")
def up(run_dir: Path | None, profile: str, metastore_port: int, thrift_port: int, mlflow_port: int,
       namenode_port: int, namenode_http_port: int, resourcemanager_port: int, hiveserver2_port: int,
       hive_password_file: Path | None) -> None:
    """Start the stack; services already running from RUN_DIR are reused (idempotent).

    With --profile hadoop the metastore and MLflow ports default to 9183 and 5100 unless given.
    """
    run_dir = run_dir or DEFAULT_RUN_DIRS[profile]
    if profile == HADOOP:
        if hive_password_file is not None:
            raise click.UsageError("--hive-password-file applies to the default profile only")
        source = click.get_current_context().get_parameter_source
        ports = HadoopPorts(
            namenode=namenode_port, namenode_http=namenode_http_port, resourcemanager=resourcemanager_port,
            hiveserver2=hiveserver2_port,
            metastore=metastore_port if source("metastore_port").name != "DEFAULT" else HadoopPorts.metastore,
            mlflow=mlflow_port if source("mlflow_port").name != "DEFAULT" else HadoopPorts.mlflow,
        )
        hadoop = HadoopStack(run_dir, ports, echo=click.echo)
        endpoints = hadoop.up()
        click.echo(f"stack up in {hadoop.run_dir} (profile hadoop)")
        for service in hadoop.status():
            click.echo(f"  {service.title:<46} {service.address}")
        click.echo("environment of a step against it (run-local passes it on to each step):")
        for name, value in endpoints.step_env().items():
            click.echo(f"  export {name}={value}")
        return
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


def _stack(run_dir: Path | None, profile: str) -> LocalStack | HadoopStack:
    run_dir = run_dir or DEFAULT_RUN_DIRS[profile]
    return HadoopStack(run_dir, echo=click.echo) if profile == HADOOP else LocalStack(run_dir, echo=click.echo)


@stack.command()
@_run_dir
@_profile
def down(run_dir: Path | None, profile: str) -> None:
    """Stop every service recorded in RUN_DIR (SIGTERM, then SIGKILL); data stays for the next `up`."""
    _stack(run_dir, profile).down()


@stack.command()
@_run_dir
@_profile
def status(run_dir: Path | None, profile: str) -> None:
    """Print each service with its address, PID and whether it is up; exit 1 when any is down."""
    services = _stack(run_dir, profile).status()
    for service in services:
        state = "up" if service.up else "down"
        pid = service.pid if service.pid is not None else "-"
        click.echo(f"{service.title:<46} {service.address:<28} pid {pid!s:<8} {state}")
    if not all(service.up for service in services):
        raise SystemExit(1)
