"""Detached processes: start one in its own session, tell whether it is alive, stop it by PID, read its log's end."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def is_alive(pid: int, marker: str) -> bool:
    """True when `pid` runs: our own child until it exits, any other process while its command line has `marker`.

    Our own child is reaped when it has exited (a zombie never counts as alive) and is otherwise alive without a
    look at its command line: its PID cannot be recycled before we reap it, and while `spark-submit` execs its
    way from script to script to `java` the command line can briefly lack the marker or read empty, which made a
    healthy service starting under load count as "exited while starting". Any other PID (read back from a
    stack's state file) needs the marker to guard against a recycled PID.
    """
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # not our child (or already reaped elsewhere): only /proc can tell
    else:
        return reaped != pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return state != "Z" and marker in cmdline


def spawn(command: list[str], env: dict[str, str], cwd: Path, log_path: Path) -> int:
    """Starts `command` in its own session (so it outlives us and can be stopped as a group); returns its PID."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process.pid


def stop(pid: int, marker: str, grace_seconds: float = 15.0) -> None:
    """Stops the process group led by `pid`: SIGTERM, then SIGKILL after `grace_seconds`."""
    if not is_alive(pid, marker):
        return
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        if not is_alive(pid, marker):
            _signal_group(pid, signal.SIGKILL)  # leftover children of the group (e.g. uvicorn workers)
            return
        time.sleep(0.2)
    _signal_group(pid, signal.SIGKILL)
    while is_alive(pid, marker) and time.monotonic() < deadline + 5:
        time.sleep(0.1)


def _signal_group(pid: int, signum: int) -> None:
    # The service was started with start_new_session, so its PID is also its process group id.
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def log_tail(path: Path, lines: int = 15) -> str:
    """The last `lines` lines of a log file, for error messages."""
    if not path.exists():
        return "(no log written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
