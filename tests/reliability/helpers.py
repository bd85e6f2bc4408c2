"""Helpers for reliability tests: score-step arguments, partition snapshots, table locations, free ports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from demo.model import RegisteredModel
from generator.localstack.processes import free_port
from tests.integration.helpers import REPO_ROOT, read_frame

PIPELINE_REQUIREMENTS = "scikit-learn\nmlflow>=3\n"


def closed_port() -> int:
    """A loopback port nobody listens on: a service that is "stopped" without touching the shared stack."""
    return free_port()


def score_args(model: RegisteredModel, input_table: str, output_table: str, ds: str, tmp: Path,
               *extra: str, requirements: str = PIPELINE_REQUIREMENTS) -> list[str]:
    """Arguments of `python -m jobs.score` as the generated template passes them (pinned model, one id column)."""
    return ["--ds", ds, "--model-uri", model.pinned_uri, "--model-name", model.name,
            "--model-version", model.version, "--model-run-id", model.run_id,
            "--requirements", requirements, "--input-table", input_table,
            "--input-partition-column", "dt", "--id-column", "id", "--output-table", output_table,
            "--output-partition-column", "dt", "--score-column", "score", "--out-dir", str(tmp / "out"),
            "--work-dir", str(tmp / "work"), *extra]  # fmt: skip


def start_step(step: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Starts `python -m jobs.<step>` in its own process group (so the Spark JVM and workers die with it)."""
    handle = log.open("w")
    return subprocess.Popen([sys.executable, "-m", f"jobs.{step}", *args], env=env, cwd=REPO_ROOT,
                            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def partition_snapshot(cursor, table: str, ds: str) -> pd.DataFrame:
    """Every row of one output partition (id, score, lineage, scored_at), sorted by id."""
    cursor.execute(f"REFRESH TABLE {table}")
    frame = read_frame(cursor, f"SELECT id, score, model_version, scored_at FROM {table} WHERE dt = '{ds}'")
    return frame.sort_values("id").reset_index(drop=True)


def partition_folder(cursor, table: str, ds: str) -> Path:
    """The local folder the metastore says partition `dt=ds` of `table` lives in."""
    cursor.execute(f"DESCRIBE FORMATTED {table} PARTITION (dt='{ds}')")
    for row in cursor.fetchall():
        if (row[0] or "").strip() == "Location":
            return Path(urlparse(row[1].strip()).path)
    raise AssertionError(f"no Location for {table} dt={ds}")


def table_exists(cursor, table: str) -> bool:
    database, name = table.split(".")
    cursor.execute(f"SHOW TABLES IN {database} LIKE '{name}'")
    return bool(cursor.fetchall())


def files_under(folder: Path) -> list[Path]:
    return [Path(root) / name for root, _, names in os.walk(folder) for name in names]
