"""The wait-for-input sensor against the real metastore through HiveServer2: a partition that appears while the
step waits lets it through; one that never does fails it on timeout, naming the table and partition."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from contract import exit_codes
from tests.integration.helpers import REPO_ROOT, create_partitioned_table, load_partition, run_step

pytestmark = [pytest.mark.slow, pytest.mark.integration]
FRAME = pd.DataFrame({"id": [1, 2, 3], "x": [0.1, 0.2, 0.3]})


def test_partition_that_appears_while_the_step_waits(hive_cursor, local_stack, test_database, step_env):
    table = f"{test_database}.sensor_late"
    create_partitioned_table(hive_cursor, table, FRAME)
    step = subprocess.Popen(
        [sys.executable, "-m", "jobs.wait_for_input", "--ds", "2024-06-02", "--table", table, "--partition-column",
         "dt", "--timeout", "240", "--poll", "2", "--min-rows", "3"],
        env=step_env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(8)  # the step has polled a few times and found nothing
    assert step.poll() is None, step.communicate()
    started = time.monotonic()
    threading.Thread(target=load_partition, args=(hive_cursor, local_stack, table, FRAME, "2024-06-02")).start()
    stdout, stderr = step.communicate(timeout=240)
    assert step.returncode == 0, stderr[-3000:]
    assert time.monotonic() - started < 60
    assert f"input partition {table} dt=2024-06-02 is there with 3 rows" in stdout
    assert f"{table} dt=2024-06-02: missing; next poll in 2s" in stderr


def test_partition_that_never_appears_fails_on_timeout(hive_cursor, test_database, step_env):
    table = f"{test_database}.sensor_never"
    create_partitioned_table(hive_cursor, table, FRAME)
    started = time.monotonic()
    result = run_step("wait_for_input", ["--ds", "2024-06-03", "--table", table, "--partition-column", "dt",
                                         "--timeout", "6", "--poll", "2"], step_env, timeout=120)
    assert result.returncode == exit_codes.PERMANENT
    assert f"input partition {table} dt=2024-06-03 did not appear within 6s (polled every 2s)" in result.stderr
    assert "Traceback" not in result.stderr and time.monotonic() - started < 60
