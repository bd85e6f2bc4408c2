"""Click options that several steps share (HiveServer2 connection, retry budget, output folder, table names)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from jobs.common.hive import AUTH_MODES, HiveSettings

retry_seconds_option = click.option(
    "--retry-seconds", type=click.FloatRange(0), default=120.0, show_default=True, envvar="STEP_RETRY_SECONDS",
    help="How long connection failures to a service are retried (exponential backoff) before the step fails.",
)

out_dir_option = click.option(
    "--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("/tmp/outputs"),
    show_default=True, help="Folder for output-parameter files (one file per output).",
)


def hive_options(command: Callable) -> Callable:
    """Adds --hive-host/--hive-port/--hive-auth/--hive-user/--hive-password (env HIVE_*) to a command."""
    for option in reversed([
        click.option("--hive-host", envvar="HIVE_HOST", required=True, help="HiveServer2 host (env HIVE_HOST)."),
        click.option("--hive-port", envvar="HIVE_PORT", type=click.IntRange(1, 65535), default=10000,
                     show_default=True, help="HiveServer2 port (env HIVE_PORT)."),
        click.option("--hive-auth", envvar="HIVE_AUTH", type=click.Choice(AUTH_MODES), default="NONE",
                     show_default=True, help="PyHive auth mode; must match the server (env HIVE_AUTH)."),
        click.option("--hive-user", envvar="HIVE_USER", default=None, help="User name (env HIVE_USER)."),
        click.option("--hive-password", envvar="HIVE_PASSWORD", default=None, show_envvar=False,
                     help="Password for LDAP/CUSTOM auth (env HIVE_PASSWORD; never logged)."),
    ]):
        command = option(command)
    return command


def hive_settings(hive_host: str, hive_port: int, hive_auth: str, hive_user: str | None,
                  hive_password: str | None, retry_seconds: float) -> HiveSettings:
    """Builds HiveSettings from the values of `hive_options` and `retry_seconds_option`."""
    return HiveSettings(hive_host, hive_port, hive_auth, hive_user, hive_password, retry_seconds)
