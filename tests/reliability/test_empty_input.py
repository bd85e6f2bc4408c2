"""An input partition that became empty after its scores were published, through `python -m jobs.score`: the
default `--on-empty fail` exits 1 and `--on-empty skip` exits 0, and either way the output partition keeps its
old rows, scores, `scored_at` and location."""

from __future__ import annotations

import pandas as pd
import pytest

from contract import exit_codes
from tests.integration.helpers import load_partition, output_files, run_step
from tests.reliability.conftest import INPUT_DS
from tests.reliability.helpers import partition_folder, partition_snapshot, score_args

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_empty_input_fails_by_default_and_skip_succeeds_and_both_leave_the_old_scores(
        rel_model, rel_frame, test_database, local_stack, hive_cursor, step_env, tmp_path):
    table, output = f"{test_database}.emptied_features", f"{test_database}.emptied_scores"
    load_partition(hive_cursor, local_stack, table, rel_frame.head(50), INPUT_DS)
    first = run_step("score", score_args(rel_model, table, output, INPUT_DS, tmp_path / "first"), step_env)
    assert first.returncode == 0, first.stderr[-3000:]
    before = partition_snapshot(hive_cursor, output, INPUT_DS)
    folder = partition_folder(hive_cursor, output, INPUT_DS)
    assert len(before) == 50 and before["scored_at"].nunique() == 1

    # prepare re-ran for the same day and found nothing: the input partition exists and holds no rows
    load_partition(hive_cursor, local_stack, table, rel_frame.head(0), INPUT_DS)
    hive_cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE dt = '{INPUT_DS}'")
    assert hive_cursor.fetchone()[0] == 0

    failed = run_step("score", score_args(rel_model, table, output, INPUT_DS, tmp_path / "failed"), step_env)
    assert failed.returncode == exit_codes.PERMANENT
    assert f"input partition dt={INPUT_DS} of {table} is empty; nothing was written" in failed.stderr
    pd.testing.assert_frame_equal(partition_snapshot(hive_cursor, output, INPUT_DS), before)

    skipped = run_step("score", score_args(rel_model, table, output, INPUT_DS, tmp_path / "skipped",
                                           "--on-empty", "skip"), step_env)
    assert skipped.returncode == 0, skipped.stderr[-3000:]
    assert f"score: input partition {INPUT_DS} empty; skipped, output table untouched" in skipped.stdout
    outputs = output_files(tmp_path / "skipped" / "out")
    assert outputs["rows-written"] == "0" and set(outputs) == {"rows-written", "model-environment"}
    after = partition_snapshot(hive_cursor, output, INPUT_DS)
    pd.testing.assert_frame_equal(after, before)  # same ids, same scores, same model version, same scored_at
    assert partition_folder(hive_cursor, output, INPUT_DS) == folder and folder.is_dir()
