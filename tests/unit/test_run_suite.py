"""tests/run_suite.sh (`make test`) with a fake python: both pytest processes run, either's failure fails it, and an
interrupt reaches both as SIGTERM (which tests/conftest.py turns into pytest's interrupt)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "run_suite.sh"
# Records its arguments, then exits with $CLUSTER_RC or $OTHER_RC, or waits for SIGTERM and records it.
FAKE_PYTHON = """#!/usr/bin/env bash
case "$*" in *"pytest tests/cluster"*) name=cluster; rc=${CLUSTER_RC:-0};; *) name=other; rc=${OTHER_RC:-0};; esac
echo "$*" > "$RECORD_DIR/$name.args"
if [ -n "${WAIT_FOR_TERM:-}" ]; then
  sleep 60 &
  trap 'echo TERM > "$RECORD_DIR/$name.signal"; kill $!; exit 2' TERM
  wait
fi
echo "$name output"
exit "$rc"
"""


def _fake(tmp_path: Path) -> Path:
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    return fake


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), str(_fake(tmp_path))], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "RECORD_DIR": str(tmp_path), **env}, check=False)


def test_both_processes_run_and_the_cluster_log_is_printed(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cluster.args").read_text().split() == ["-m", "pytest", "tests/cluster"]
    assert (tmp_path / "other.args").read_text().split() == ["-m", "pytest", "--ignore=tests/cluster"]
    assert "cluster output" in result.stdout and "exited 0, tests/cluster exited 0" in result.stdout


def test_either_failure_fails_the_run(tmp_path):
    assert _run(tmp_path, CLUSTER_RC="1").returncode != 0
    assert _run(tmp_path, OTHER_RC="1").returncode != 0


def test_an_interrupt_reaches_both_as_sigterm(tmp_path):
    process = subprocess.Popen([str(SCRIPT), str(_fake(tmp_path))], stdout=subprocess.DEVNULL,
                               env={**os.environ, "RECORD_DIR": str(tmp_path), "WAIT_FOR_TERM": "1"})
    deadline = time.monotonic() + 10
    while not ((tmp_path / "cluster.args").exists() and (tmp_path / "other.args").exists()):
        assert time.monotonic() < deadline, "the fake pytest processes did not start"
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    assert (tmp_path / "cluster.signal").read_text().strip() == "TERM"
    assert (tmp_path / "other.signal").read_text().strip() == "TERM"
