"""Process and port helpers: find a JDK program, spawn a detached service, tell whether it is alive, stop it by PID."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from generator.localstack.endpoints import LOOPBACK


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port` (we can bind it ourselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR, as the services themselves bind (Java and uvicorn set it): connections of a stopped
        # stack linger in TIME_WAIT for about a minute and must not count as a listener; on Linux a real
        # listener still makes the bind fail.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def port_accepts(port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to 127.0.0.1:`port` succeeds."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


# Ports free_port has handed out in this process: never handed out twice, even before their service binds them.
_HANDED_OUT: set[int] = set()
# How far below the kernel's ephemeral range free_port looks (Linux's default range starts at 32768).
FREE_PORT_SPAN = 12000


def ephemeral_port_range() -> tuple[int, int]:
    """The ports the kernel picks from for bind(0) and outgoing connections (Linux's default when unreadable)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A port free right now, below the kernel's ephemeral range (for tests that must not collide with each other).

    Not a port from bind(0): the kernel hands that port out again to the next bind(0) of any process (a DataNode,
    a Spark driver, an outgoing connection) as soon as the probe closes, so a service told to listen on it a few
    seconds later can find it taken (a MiniYARN ResourceManager failed so in CI). Below the ephemeral range only a
    process asking for that very port can take it.
    """
    low, _high = ephemeral_port_range()
    first = max(1024, low - FREE_PORT_SPAN)
    candidates = list(range(first, low))
    random.shuffle(candidates)
    for port in candidates:
        if port not in _HANDED_OUT and port_is_free(port):
            _HANDED_OUT.add(port)
            return port
    raise OSError(f"no free port on {LOOPBACK} between {first} and {low - 1}")


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


def jdk_program(name: str) -> str | None:
    """Path of a JDK program such as `java` or `javac` (JAVA_HOME first, then PATH), or None when missing."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / name).exists():
        return str(Path(java_home) / "bin" / name)
    return shutil.which(name)
