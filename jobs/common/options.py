"""Click options that several steps share, declared once: partition date, tables, columns, model, services, output.

Help texts quote contract/values.py's rules; the values themselves are checked by jobs/common/params.py, which
applies the same rules and names the option in its error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from contract import choices, step_env
from contract.values import DATE_RULE, IDENTIFIER_RULE, TABLE_RULE
from jobs.common.errors import StepError
from jobs.common.hive import HiveSettings

retry_seconds_option = click.option(
    "--retry-seconds", type=click.FloatRange(0), default=120.0, show_default=True, envvar=step_env.STEP_RETRY_SECONDS,
    help="How long connection failures to a service are retried (exponential backoff) before the step fails.",
)

out_dir_option = click.option(
    "--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("/tmp/outputs"),
    show_default=True, help="Folder for output-parameter files (one file per output).",
)

ds_option = click.option("--ds", required=True, help=f"Partition date: {DATE_RULE}.")

tracking_uri_option = click.option(
    "--tracking-uri", envvar=step_env.MLFLOW_TRACKING_URI, default=None,
    help="MLflow tracking server (env MLFLOW_TRACKING_URI).",
)

id_columns_option = click.option(
    "--id-column", "id_columns", multiple=True, required=True,
    help=f"Id column copied from input to output (repeatable); {IDENTIFIER_RULE}.",
)


def _stacked(options: list[Callable]) -> Callable[[Callable], Callable]:
    """One decorator applying `options` so that `--help` lists them in the given order."""
    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def table_options(role: str, help_table: str) -> Callable[[Callable], Callable]:
    """`--<role>-table` and `--<role>-partition-column`, both required (e.g. role `input` or `output`)."""
    return _stacked([
        click.option(f"--{role}-table", required=True, help=f"{help_table}: {TABLE_RULE}."),
        click.option(f"--{role}-partition-column", required=True,
                     help=f"Partition column of the {role} table: {IDENTIFIER_RULE}."),
    ])


score_column_option = click.option(
    "--score-column", default="score", show_default=True,
    help=f"Score column name ({IDENTIFIER_RULE}); a k-output model writes <score>_<output> columns.",
)


def reference_options(help_table: str) -> Callable[[Callable], Callable]:
    """`--reference-table` (optional), `--reference-score-column`, `--reference-partition-column`."""
    return _stacked([
        click.option("--reference-table", default=None, help=f"{help_table}: {TABLE_RULE}."),
        click.option("--reference-score-column", default="score", show_default=True,
                     help=f"Score column of the reference table: {IDENTIFIER_RULE}."),
        click.option("--reference-partition-column", default=None,
                     help="Partition column of the reference table (default: --output-partition-column; '' = none)."),
    ])


# Adds --spark-master, --spark-conf (repeatable KEY=VALUE, see parse_spark_conf) and --metastore-uri to a command.
spark_options = _stacked([
    click.option("--spark-master", envvar=step_env.SPARK_MASTER, default="local[*]", show_default=True,
                 help="Spark master (env SPARK_MASTER)."),
    click.option("--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE", help="Extra Spark setting."),
    click.option("--metastore-uri", envvar=step_env.HIVE_METASTORE_URI, required=True,
                 help="thrift://host:port of the Hive metastore (env HIVE_METASTORE_URI)."),
])


def parse_spark_conf(pairs: tuple[str, ...]) -> dict[str, str]:
    """The values of `--spark-conf` as a dict; StepError names a pair that is not KEY=VALUE."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise StepError(f"--spark-conf: {pair!r} must look like KEY=VALUE")
        conf[key.strip()] = value.strip()
    return conf


def model_lineage_options(required: bool) -> Callable[[Callable], Callable]:
    """`--model-name`, `--model-version`, `--model-run-id`: fetch-model's outputs, the lineage of the scores.

    Args:
        required: True where the step writes them into every row (score); else they default to "" (validate).
    """
    presence = {"required": True} if required else {"default": ""}
    return _stacked([
        click.option("--model-name", **presence, help="Registered model name (lineage)."),
        click.option("--model-version", **presence, help="Model version (lineage)."),
        click.option("--model-run-id", **presence, help="MLflow run id of the model (lineage)."),
    ])


# Adds --hive-host/--hive-port/--hive-auth/--hive-user/--hive-password (env HIVE_*) to a command.
hive_options = _stacked([
    click.option("--hive-host", envvar=step_env.HIVE_HOST, required=True, help="HiveServer2 host (env HIVE_HOST)."),
    click.option("--hive-port", envvar=step_env.HIVE_PORT, type=click.IntRange(1, 65535), default=10000,
                 show_default=True, help="HiveServer2 port (env HIVE_PORT)."),
    click.option("--hive-auth", envvar=step_env.HIVE_AUTH, type=click.Choice(choices.HIVE_AUTH_MODES), default="NONE",
                 show_default=True, help="PyHive auth mode; must match the server (env HIVE_AUTH)."),
    click.option("--hive-user", envvar=step_env.HIVE_USER, default=None, help="User name (env HIVE_USER)."),
    click.option("--hive-password", envvar=step_env.HIVE_PASSWORD, default=None, show_envvar=False,
                 help="Password for LDAP/CUSTOM auth (env HIVE_PASSWORD; never logged)."),
])


def hive_settings(hive_host: str, hive_port: int, hive_auth: str, hive_user: str | None,
                  hive_password: str | None, retry_seconds: float) -> HiveSettings:
    """Builds HiveSettings from the values of `hive_options` and `retry_seconds_option`."""
    return HiveSettings(hive_host, hive_port, hive_auth, hive_user, hive_password, retry_seconds)
