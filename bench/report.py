"""Writes a run's results: docs/benchmarks.json (figures) and docs/BENCHMARKS.md (tables + notes kept by hand)."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict
from pathlib import Path

from bench.results import DIAGNOSTICS, PATHS, BenchResults

MIB = 1024 * 1024
# Everything below this line in BENCHMARKS.md is written by people and kept when the tables are regenerated.
NOTES_MARKER = "<!-- Hand-written notes below this line are kept when `python -m bench` rewrites the file. -->"
TARGET_OURS_VS_LIMIT = 0.9
TARGET_OURS_VS_SPARK_UDF = 1.5
TARGET_FIXED_SECONDS = 15.0

PATH_TITLES = {
    "limit": "limit: pyfunc `predict`, one process, in-memory pandas",
    "ours": "ours: `jobs.score` `score_partition`, Hive in/out",
    "spark_udf": "MLflow `spark_udf(env_manager=\"local\")`, Hive in/out",
    "rest": "REST: `mlflow models serve`, batched JSON",
    "row_udf": "row-at-a-time Python UDF, Hive in/out",
}


def fixed_overhead_fit(results: BenchResults) -> tuple[float, float] | None:
    """Least-squares line `wall = fixed + rows / rate` over the memory series: (fixed seconds, rows/s).

    None when there are fewer than two points or the wall time does not grow with the rows (noise swamps
    tiny sizes, e.g. in `--quick`).
    """
    points = [(point.rows, point.wall_seconds) for point in results.memory]
    if len(points) < 2:
        return None
    slope, intercept = statistics.linear_regression([rows for rows, _ in points], [wall for _, wall in points])
    return (intercept, 1.0 / slope) if slope > 0 else None


def to_json(results: BenchResults) -> dict:
    """The JSON document: `rows_per_s` (best round per path) first, then everything else measured."""
    measured = [path for path in PATHS if path in results.paths]
    fit = fixed_overhead_fit(results)
    return {
        "rows_per_s": {path: round(results.paths[path].best_rows_per_s, 1) for path in measured},
        "rows_per_s_median": {path: round(results.paths[path].median_rows_per_s, 1) for path in measured},
        "ratio_to_limit": {path: round(results.ratio_to_limit(path), 3) for path in measured},
        "ratio_to_limit_median": {path: round(results.ratio_to_limit(path, median=True), 3) for path in measured},
        "rows_per_round": {path: results.paths[path].rows for path in measured},
        "seconds_per_round": {path: [round(s, 3) for s in results.paths[path].seconds] for path in measured},
        "peak_rss_mib": {path: round(results.paths[path].peak_rss_bytes / MIB) for path in measured
                         if results.paths[path].peak_rss_bytes},
        "notes": {path: results.paths[path].note for path in measured if results.paths[path].note},
        "diagnostics": {
            name: {"rows_per_s": round(t.best_rows_per_s, 1), "rows_per_s_median": round(t.median_rows_per_s, 1),
                   "ratio_to_limit": round(t.best_rows_per_s / results.paths["limit"].best_rows_per_s, 3),
                   "seconds_per_round": [round(s, 3) for s in t.seconds], "what": DIAGNOSTICS[name]}
            for name, t in results.diagnostics.items()
        },
        "fixed_costs_s": {name: round(seconds, 3) for name, seconds in results.fixed_costs.items()},
        "ours_phases_median_s": {name: round(seconds, 3) for name, seconds in results.ours_phases.items()},
        "score_step_cli_fit": None if fit is None else {"fixed_s": round(fit[0], 2), "rows_per_s": round(fit[1])},
        "memory": [
            {"scale": p.scale, "rows": p.rows, "peak_rss_mib": round(p.peak_rss_bytes / MIB),
             "wall_s": round(p.wall_seconds, 2)} for p in results.memory
        ],
        "fresh_step_1x_without_jvm_archive_wall_s": (
            None if results.memory_without_archive is None else round(results.memory_without_archive.wall_seconds, 2)),
        "cluster": [
            {"workers": c.workers, "error": c.error} if c.error else
            {"workers": c.workers, "rows": c.timings.rows, "rows_per_s": round(c.timings.best_rows_per_s, 1),
             "rows_per_s_median": round(c.timings.median_rows_per_s, 1),
             "seconds_per_round": [round(s, 3) for s in c.timings.seconds], "startup_s": round(c.startup_seconds, 1)}
            for c in results.cluster
        ],
        "setup_s": {name: round(seconds, 1) for name, seconds in results.setup_seconds.items()},
        "total_s": round(results.total_seconds, 1),
        "machine": asdict(results.machine),
        "settings": results.settings,
        "command": results.command,
        "date": results.machine.date,
    }


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _targets(results: BenchResults) -> list[str]:
    lines = ["| target | measured | met |", "|---|---|---|"]
    if {"ours", "limit"} <= results.paths.keys():
        ratio, median = results.ratio_to_limit("ours"), results.ratio_to_limit("ours", median=True)
        lines.append(f"| ours >= {TARGET_OURS_VS_LIMIT}x limit | {ratio:.2f}x (median {median:.2f}x)"
                     f" | {'yes' if ratio >= TARGET_OURS_VS_LIMIT else 'no'} |")
    if {"ours", "spark_udf"} <= results.paths.keys():
        ratio = results.paths["ours"].best_rows_per_s / results.paths["spark_udf"].best_rows_per_s
        median = results.paths["ours"].median_rows_per_s / results.paths["spark_udf"].median_rows_per_s
        lines.append(f"| ours >= {TARGET_OURS_VS_SPARK_UDF}x spark_udf | {ratio:.2f}x (median {median:.2f}x) | "
                     f"{'yes' if ratio >= TARGET_OURS_VS_SPARK_UDF else 'no'} |")
    if len(results.memory) >= 2:
        first, last = results.memory[0], results.memory[-1]
        data_growth = last.rows / first.rows
        memory_growth = last.peak_rss_bytes / first.peak_rss_bytes
        lines.append(f"| peak memory grows far slower than data | data x{data_growth:.0f}, peak RSS "
                     f"x{memory_growth:.2f} | {'yes' if memory_growth < data_growth / 4 else 'no'} |")
    fit = fixed_overhead_fit(results)
    if fit is not None:
        lines.append(f"| fixed overhead < {TARGET_FIXED_SECONDS:.0f} s | {fit[0]:.1f} s (intercept of wall vs rows, "
                     f"`python -m jobs.score`) | {'yes' if fit[0] < TARGET_FIXED_SECONDS else 'no'} |")
    return lines


def to_markdown(results: BenchResults, notes: str) -> str:
    """BENCHMARKS.md: how it was run, the side-by-side table, targets, fixed costs, memory, cluster, notes."""
    machine = results.machine
    settings = results.settings
    out = [
        "# Scoring benchmark",
        "",
        "Generated by `python -m bench` from one real run; the same figures are in `docs/benchmarks.json`.",
        "",
        f"- Command: `{results.command}`",
        f"- Date (UTC): {machine.date}; whole run {results.total_seconds / 60:.1f} min",
        f"- Machine: `nproc` {machine.cpus}, {machine.memory_gib} GiB RAM (`free -g`), {machine.cpu_model}; "
        f"1-min load average at start {machine.load_before:.2f} (the machine is shared: other work ran "
        "during the run, so absolute figures are noisy; ratios within this run are what counts)",
        f"- Software: Python {machine.python}, " + ", ".join(f"{k} {v}" for k, v in machine.packages.items()),
        f"- Data: {settings['rows']:,} rows x 30 double features (synthetic, seed {settings['seed']}), Hive table "
        f"`bench.features` (Parquet) in a real metastore; model: HistGradientBoosting "
        f"({settings['model_iterations']} iterations) behind a pyfunc with log1p/clip/standardize "
        "preprocessing, registered in a real `mlflow server`",
        f"- Same cores for every path: Spark `{settings['master']}`, REST `--workers {settings['cores']}` with "
        f"{settings['cores']} client threads, limit on all {machine.cpus} cores. {settings['warmup']} warm-up "
        f"round(s), then {settings['repeats']} measured rounds; each round runs every path once, order rotated.",
        "",
        "## Rows per second, side by side",
        "",
        "| path | rows/round | best rows/s | median rows/s | x limit (best) | x limit (median) | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for path in PATHS:
        if path not in results.paths:
            continue
        timings = results.paths[path]
        rss = f"{timings.peak_rss_bytes / MIB:,.0f}" if timings.peak_rss_bytes else "-"
        out.append(f"| {PATH_TITLES[path]} | {timings.rows:,} | {_rate(timings.best_rows_per_s)} | "
                   f"{_rate(timings.median_rows_per_s)} | {results.ratio_to_limit(path):.2f} | "
                   f"{results.ratio_to_limit(path, median=True):.2f} | {rss} |")
    path_notes = [f"- {path}: {results.paths[path].note}" for path in PATHS
                  if path in results.paths and results.paths[path].note]
    out += ["", *path_notes, "", "## Targets", "", *_targets(results), ""]
    if results.diagnostics:
        limit = results.paths["limit"]
        out += ["## Diagnostics (same rounds, same data)", "",
                "| variant | best rows/s | median rows/s | x limit (best) |", "|---|---:|---:|---:|"]
        out += [f"| {DIAGNOSTICS[name]} | {_rate(t.best_rows_per_s)} | {_rate(t.median_rows_per_s)} | "
                f"{t.best_rows_per_s / limit.best_rows_per_s:.2f} |" for name, t in results.diagnostics.items()]
        out.append("")
    if results.fixed_costs or results.ours_phases:
        out += ["## Fixed costs of the score step", "", "| cost | seconds |", "|---|---:|"]
        out += [f"| {name} | {seconds:.2f} |" for name, seconds in results.fixed_costs.items()]
        out += [f"| per run, inside `score_partition`: {name} (median) | {seconds:.2f} |"
                for name, seconds in results.ours_phases.items()]
        out.append("")
    if results.memory:
        out += ["## Peak memory of the score step (`python -m jobs.score`, whole process tree)", "",
                f"Base (1x) = {results.memory[0].rows:,} rows, chosen so 16x fits this machine's time and "
                "memory. RSS summed over the step's process tree (driver Python, JVM, Python workers), sampled "
                "every 0.2 s; shared pages count per process, so this is an upper bound.", "",
                "| scale | rows | peak RSS MiB | wall s |", "|---:|---:|---:|---:|"]
        out += [f"| {p.scale}x | {p.rows:,} | {p.peak_rss_bytes / MIB:,.0f} | {p.wall_seconds:.1f} |"
                for p in results.memory]
        fit = fixed_overhead_fit(results)
        if fit is not None:
            out += ["", f"Line fit over the series: wall = {fit[0]:.1f} s fixed + rows / {fit[1]:,.0f} rows/s."]
        without = results.memory_without_archive
        if without is not None:
            out += ["", "The series ran with the JVM class-data archive the image ships (`SPARK_CDS_ARCHIVE`, "
                    f"`jobs/common/jvm_archive.py`). The 1x step again without it: {without.wall_seconds:.1f} s "
                    f"wall against {results.memory[0].wall_seconds:.1f} s with it."]
        out.append("")
    if results.cluster:
        out += ["## Scale-out: Spark standalone cluster (master + workers on 127.0.0.1, 1 core and 1g each)", "",
                "| workers | rows/round | best rows/s | median rows/s | cluster start s |",
                "|---:|---:|---:|---:|---:|"]
        out += [f"| {c.workers} | failed: {c.error} | - | - | {c.startup_seconds:.0f} |" if c.error else
                f"| {c.workers} | {c.timings.rows:,} | {_rate(c.timings.best_rows_per_s)} | "
                f"{_rate(c.timings.median_rows_per_s)} | {c.startup_seconds:.0f} |" for c in results.cluster]
        out += ["", "Executors run the project's virtualenv Python (`PYSPARK_PYTHON` / `spark.pyspark.python`), "
                "standing in for the image's environment on every node; the model travels as one zip archive "
                "(`SparkContext.addArchive`, unpacked once per executor). See `bench/cluster.py` for the packed-venv "
                "(`spark.archives`) alternative.",
                ""]
    out += [NOTES_MARKER, notes.rstrip() + "\n" if notes.strip() else ""]
    return "\n".join(out)


def existing_notes(markdown_path: Path) -> str:
    """The hand-written part of an existing BENCHMARKS.md (after NOTES_MARKER), or ''."""
    if not markdown_path.exists():
        return ""
    text = markdown_path.read_text()
    return text.split(NOTES_MARKER, 1)[1].lstrip("\n") if NOTES_MARKER in text else ""


def write(results: BenchResults, markdown_path: Path, json_path: Path) -> None:
    """Writes both files (the Markdown keeps its hand-written notes)."""
    notes = existing_notes(markdown_path)
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(to_json(results), indent=2) + "\n")
    markdown_path.write_text(to_markdown(results, notes))
