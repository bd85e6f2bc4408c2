"""Helpers for e2e tests: run a generated workflow with the local runner, read a partition back from Hive."""

from __future__ import annotations

from pathlib import Path

import yaml
from pyhive import exc as hive_exc

from argo_toolset.runner import run_workflow
from jobs.common.hive import says_table_missing, server_message

OUTPUT_TABLE = "demo_scores.cancer_risk_daily"


def run(workflows_file: Path, template: str, parameters: dict[str, str], work_dir: Path, lock_dir: Path,
        env: dict[str, str] | None = None):
    """Run one template of the generated file; retries without backoff so failures surface quickly."""
    documents = list(yaml.safe_load_all(workflows_file.read_text()))
    return run_workflow(
        documents, template, parameters, env or {}, work_dir, lock_dir, backoff_scale=0, stream_logs=False,
        echo=None,
    )


def partition(cursor, ds: str) -> dict[int, tuple]:
    """patient_id -> (score, model_name, model_version, model_run_id, scored_at) for one output partition.

    {} while no run has created the output table yet (a test run alone reads it before its first run).
    """
    try:
        cursor.execute(f"REFRESH TABLE {OUTPUT_TABLE}")
    except hive_exc.OperationalError as error:
        if says_table_missing(server_message(error)):
            return {}
        raise
    cursor.execute(
        "SELECT patient_id, score, model_name, model_version, model_run_id, scored_at "
        f"FROM {OUTPUT_TABLE} WHERE dt = '{ds}'"
    )
    return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def partitions(cursor) -> list[str]:
    cursor.execute(f"SHOW PARTITIONS {OUTPUT_TABLE}")
    return sorted(row[0].split("=", 1)[1] for row in cursor.fetchall())
