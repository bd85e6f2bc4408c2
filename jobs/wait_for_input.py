"""`python -m jobs.wait_for_input`: a sensor that waits until an input partition exists in the metastore (and holds
at least --min-rows rows), polling through HiveServer2; fails naming the table and partition on timeout."""

from __future__ import annotations

import logging
import time

import click

from jobs.common.errors import SqlError, StepError, TransientError
from jobs.common.hive import HiveClient, says_table_missing
from jobs.common.logs import configure_logging
from jobs.common.options import ds_option, hive_options, hive_settings, retry_seconds_option
from jobs.common.params import check_identifier, check_table, parse_date

log = logging.getLogger("jobs.wait_for_input")


class InputNotReady(StepError):
    """The partition did not appear (or stayed under min_rows) within the timeout."""


def partition_rows(client: HiveClient, table: str, column: str, ds: str, count: bool) -> int | None:
    """None while the partition (or the table) is missing; else its row count (0 when `count` is off)."""
    try:
        listed = client.query(f"SHOW PARTITIONS {table} PARTITION ({column} = '{ds}')")
    except SqlError as error:
        if says_table_missing(error.server_message):
            log.info("%s does not exist yet", table)
            return None
        raise
    if not listed:
        return None
    if not count:
        return 0
    return int(client.query(f"SELECT COUNT(*) FROM {table} WHERE {column} = '{ds}'")[0][0] or 0)


def wait(client: HiveClient, table: str, column: str, ds: str, *, timeout: float, poll: float, min_rows: int,
         clock=time.monotonic, sleep=time.sleep) -> int | None:
    """Polls every `poll` seconds until the partition is ready; returns its rows (None when not counted)."""
    partition = f"{table} {column}={ds}"
    deadline = clock() + timeout
    while True:
        try:
            rows = partition_rows(client, table, column, ds, count=min_rows > 0)
        except TransientError as error:  # an outage or a failure on the server's side: one more poll without an answer
            log.warning("poll failed, will poll again: %s", error.message)
            rows = None
        if rows is not None and rows >= min_rows:
            return rows if min_rows > 0 else None
        state = "missing" if rows is None else f"{rows} rows, waiting for {min_rows}"
        left = deadline - clock()
        if left <= 0:
            what = "did not appear" if rows is None else f"holds {rows} rows, fewer than min_rows {min_rows},"
            raise InputNotReady(f"input partition {partition} {what} within {timeout:g}s (polled every {poll:g}s)")
        log.info("%s: %s; next poll in %gs", partition, state, min(poll, left))
        sleep(min(poll, left))


@click.command()
@ds_option
@click.option("--table", required=True, help="db.table to wait for.")
@click.option("--partition-column", required=True, help="Its partition column.")
@click.option("--timeout", type=click.FloatRange(0), required=True, help="Seconds to wait before failing.")
@click.option("--poll", type=click.FloatRange(1), default=300, show_default=True, help="Seconds between polls.")
@click.option("--min-rows", type=click.IntRange(0), default=0, show_default=True,
              help="Rows the partition must hold (0: existing is enough; more runs a COUNT per poll).")
@hive_options
@retry_seconds_option
def main(ds: str, table: str, partition_column: str, timeout: float, poll: float, min_rows: int, hive_host: str,
         hive_port: int, hive_auth: str, hive_user: str | None, hive_password: str | None,
         retry_seconds: float) -> None:
    """Wait until TABLE has partition PARTITION_COLUMN=DS (with at least MIN_ROWS rows); exit 2 on timeout."""
    configure_logging()
    parse_date(ds)
    check_table(table, "--table")
    check_identifier(partition_column, "--partition-column")
    # One poll's connection retries stay within a poll interval, so a long outage never overruns the deadline much.
    settings = hive_settings(hive_host, hive_port, hive_auth, hive_user, hive_password, min(retry_seconds, poll))
    started = time.monotonic()
    with HiveClient(settings) as client:
        rows = wait(client, table, partition_column, ds, timeout=timeout, poll=poll, min_rows=min_rows)
    counted = f" with {rows} rows" if rows is not None else ""
    click.echo(f"input partition {table} {partition_column}={ds} is there{counted} "
               f"(waited {time.monotonic() - started:.0f}s)")


if __name__ == "__main__":
    main()
