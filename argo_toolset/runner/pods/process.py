"""Run one container step as a local process group: stream its output, enforce its deadline, kill on request."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# A killed step gets this long to exit after SIGTERM before SIGKILL (a pod's grace period, shortened).
TERMINATION_GRACE_SECONDS = 5.0


@dataclass
class ProcessOutcome:
    """How a step process ended.

    Attributes:
        exit_code: The exit status (negative: killed by that signal); None when it could not start.
        stdout: Everything the process wrote to stdout (Argo's `outputs.result` source).
        timed_out: True when the deadline expired and the process was killed.
        start_error: Why the process could not start (e.g. command not found).
    """

    exit_code: int | None
    stdout: str
    timed_out: bool = False
    cancelled: bool = False
    start_error: str | None = None


class ProcessRegistry:
    """The process groups alive right now, so that an interrupted run kills all of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen] = set()
        self.cancelled = threading.Event()

    def add(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.add(process)

    def discard(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.discard(process)

    def kill_all(self) -> None:
        """Stop every running step (SIGTERM, then SIGKILL after the grace period) and refuse new ones."""
        self.cancelled.set()
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            terminate_group(process)


def terminate_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL it if it outlives the grace period."""
    for sig, wait in ((signal.SIGTERM, TERMINATION_GRACE_SECONDS), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        if wait is None:
            break
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_process(argv: list[str], env: dict[str, str], cwd: Path, log_path: Path,
                on_line: Callable[[str], None], timeout: float | None,
                registry: ProcessRegistry) -> ProcessOutcome:
    """Run argv to completion, writing stdout and stderr to log_path and to on_line as they come.

    Args:
        timeout: Seconds before the process group is killed (activeDeadlineSeconds); None waits forever.
    """
    if registry.cancelled.is_set():
        return ProcessOutcome(exit_code=None, stdout="", cancelled=True, start_error="run was interrupted")
    try:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as error:
        return ProcessOutcome(exit_code=None, stdout="", start_error=f"cannot start {argv[0]!r}: {error}")
    registry.add(process)
    stdout_chunks: list[str] = []
    log_lock = threading.Lock()
    with open(log_path, "a", encoding="utf-8") as log:

        def pump(stream, keep: list[str] | None) -> None:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace")
                if keep is not None:
                    keep.append(line)
                with log_lock:
                    log.write(line)
                    log.flush()
                on_line(line.rstrip("\n"))
            stream.close()

        pumps = [threading.Thread(target=pump, args=(process.stdout, stdout_chunks), daemon=True),
                 threading.Thread(target=pump, args=(process.stderr, None), daemon=True)]
        for thread in pumps:
            thread.start()
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            terminate_group(process)
            process.wait()
        for thread in pumps:
            thread.join()
    registry.discard(process)
    return ProcessOutcome(exit_code=process.returncode, stdout="".join(stdout_chunks), timed_out=timed_out,
                          cancelled=registry.cancelled.is_set() and not timed_out and process.returncode != 0)
