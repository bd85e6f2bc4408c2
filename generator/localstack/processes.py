"""The local stack's port and JDK helpers: free ports, a listening check, a JDK program's path."""

from __future__ import annotations

import os
import random
import shutil
import socket
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


def jdk_program(name: str) -> str | None:
    """Path of a JDK program such as `java` or `javac` (JAVA_HOME first, then PATH), or None when missing."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / name).exists():
        return str(Path(java_home) / "bin" / name)
    return shutil.which(name)
