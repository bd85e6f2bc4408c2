"""`python -m bench`: the scoring benchmark (limit, ours, spark_udf, REST, row UDF; warm and cold; cluster, YARN)."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from bench import report
from bench.run import Benchmark, Services, start_stack
from bench.settings import BenchSettings, quick

REPO = Path(__file__).resolve().parents[1]


def build_settings(quick_mode: bool, rows: int | None = None, repeats: int | None = None,
                   warmup: int | None = None, cluster: bool | None = None, yarn: bool | None = None) -> BenchSettings:
    """The full-run settings (or the `--quick` preset) with the options given on the command line applied."""
    settings = quick() if quick_mode else BenchSettings()
    overrides = {"rows": rows, "repeats": repeats, "warmup": warmup, "cluster": cluster, "yarn": yarn}
    return replace(settings, **{name: value for name, value in overrides.items() if value is not None})


@click.command()
@click.option("--quick", "quick_mode", is_flag=True,
              help="Small data, one round, no warm-up, no cluster, no YARN: tests the harness (CI).")
@click.option("--rows", type=click.IntRange(1000), default=None, help="Rows of the main partition (default 2M).")
@click.option("--repeats", type=click.IntRange(1), default=None, help="Measured rounds (default 3).")
@click.option("--warmup", type=click.IntRange(0), default=None, help="Unmeasured rounds first (default 1).")
@click.option("--cluster/--no-cluster", default=None,
              help="Also score on a Spark standalone cluster with 1 and 2 workers (default: on, off with --quick).")
@click.option("--yarn/--no-yarn", default=None,
              help="Also score on YARN with 1 and 2 executors, the hadoop profile's stack (default: on, off with "
                   "--quick; needs Java, javac and Maven).")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path), default=REPO / "docs" / "BENCHMARKS.md",
              show_default=True, help="Markdown report to (re)write.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=REPO / "docs" / "benchmarks.json", show_default=True, help="JSON figures to (re)write.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for data, stack, logs (default: a new temp folder, deleted afterwards).")
@click.option("--keep-work-dir", is_flag=True, help="Keep the work folder (data, logs) after the run.")
@click.option("--metastore-uri", default=None,
              help="thrift://host:port of a running stack to use instead of starting a private one.")
@click.option("--tracking-uri", default=None, help="MLflow server of that stack (with --metastore-uri).")
@click.option("--warehouse-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Warehouse folder of that stack (with --metastore-uri).")
def main(quick_mode: bool, rows: int | None, repeats: int | None, warmup: int | None, cluster: bool | None,
         yarn: bool | None, markdown: Path, json_path: Path, work_dir: Path | None, keep_work_dir: bool,
         metastore_uri: str | None, tracking_uri: str | None, warehouse_dir: Path | None) -> None:
    """Score the same data with the same model on the same cores by every route; write the figures.

    Starts a private local stack (Hive metastore, Thrift server, MLflow server) on free ports unless one is
    given, and stops everything it started.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    load_before = os.getloadavg()[0]  # before the run's own stack starts and raises it
    given = [metastore_uri, tracking_uri, warehouse_dir]
    if any(given) and not all(given):
        raise click.UsageError("--metastore-uri, --tracking-uri and --warehouse-dir go together")
    settings = build_settings(quick_mode, rows, repeats, warmup, cluster, yarn)
    work = Path(work_dir or tempfile.mkdtemp(prefix="bench-")).resolve()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "-m", "bench", *sys.argv[1:]])
    stop_stack = None
    try:
        if all(given):
            services = Services(metastore_uri, tracking_uri, warehouse_dir.resolve())
        else:
            services, stop_stack = start_stack(work / "stack")
        results = Benchmark(settings, services, work, command, load_before).run()
    finally:
        if stop_stack is not None:
            stop_stack()
        if not keep_work_dir and work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    report.write(results, markdown, json_path)
    figures = report.to_json(results)["rows_per_s"]
    click.echo("median rows/s (warm): " + ", ".join(f"{path} {value:,.0f}" for path, value in figures.items()))
    click.echo(f"wrote {markdown} and {json_path}")


if __name__ == "__main__":
    main()
