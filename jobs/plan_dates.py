"""`python -m jobs.plan_dates`: expand a retro range into lanes of dates for a bounded-parallel fan-out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from contract import step_outputs
from jobs.common.errors import StepError
from jobs.common.options import out_dir_option
from jobs.common.outputs import write_outputs
from jobs.common.params import parse_date


def plan_lanes(start: str, end: str, lanes: int, max_days: int) -> list[list[str]]:
    """Dates start..end inclusive dealt round-robin into at most `lanes` lists.

    Raises:
        StepError: a bad date, start after end, or more than `max_days` dates.
    """
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    if first > last:
        raise StepError(f"--start {start} is after --end {end}")
    days = (last - first).days + 1
    if days > max_days:
        raise StepError(f"{start}..{end} spans {days} days; at most {max_days} are allowed (--max-days)")
    dates = [(first + dt.timedelta(days=offset)).isoformat() for offset in range(days)]
    planned = [dates[lane::lanes] for lane in range(lanes)]
    return [lane for lane in planned if lane]


@click.command()
@click.option("--start", required=True, help="First date, YYYY-MM-DD (inclusive).")
@click.option("--end", required=True, help="Last date, YYYY-MM-DD (inclusive).")
@click.option("--lanes", type=click.IntRange(1), default=1, show_default=True,
              help="Number of lanes = the backfill's parallelism.")
@click.option("--max-days", type=click.IntRange(1), default=366, show_default=True,
              help="Largest number of dates one retro run may cover.")
@out_dir_option
def main(start: str, end: str, lanes: int, max_days: int, out_dir: Path) -> None:
    """Write OUT_DIR/lanes: a JSON list of lanes, each a list of dates scored one after another."""
    planned = plan_lanes(start, end, lanes, max_days)
    write_outputs(out_dir, {step_outputs.LANES: json.dumps(planned)})
    click.echo(f"plan-dates: {sum(map(len, planned))} date(s) in {len(planned)} lane(s)")


if __name__ == "__main__":
    main()
