"""Argo `synchronization.mutexes` on one machine: an exclusive OS file lock per mutex in the lock folder."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path


def lock_file(lock_dir: Path, namespace: str, mutex_name: str) -> Path:
    """The lock file for one mutex; Argo scopes mutex names by namespace, and so does this."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", f"{namespace}__{mutex_name}")
    return lock_dir / f"{safe}.lock"


@contextmanager
def hold_mutex(lock_dir: Path, namespace: str, mutex_name: str, holder: str,
               announce: Callable[[str], None]) -> Iterator[None]:
    """Hold one mutex for the duration of the block, waiting (and saying so) while another run holds it.

    Args:
        holder: Written into the lock file so that a waiting run can say who holds it.
        announce: Receives the "waiting for lock" and "acquired lock" lines.
    """
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_file(lock_dir, namespace, mutex_name)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            current = handle.read().strip() or "another run"
            announce(f"waiting for lock {mutex_name} (held by {current}; lock file {path})")
            fcntl.flock(handle, fcntl.LOCK_EX)
            announce(f"acquired lock {mutex_name}")
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{holder} (pid {os.getpid()})")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def mutex_names(synchronization: dict | None) -> list[str]:
    """The mutex names of a `synchronization` block (Argo v4 `mutexes`, or v3's single `mutex`)."""
    if not synchronization:
        return []
    names = [entry["name"] for entry in synchronization.get("mutexes") or []]
    if synchronization.get("mutex"):
        names.append(synchronization["mutex"]["name"])
    return names


@contextmanager
def hold_mutexes(lock_dir: Path, namespace: str, names: list[str], holder: str,
                 announce: Callable[[str], None]) -> Iterator[None]:
    """Hold several mutexes, taken in sorted order so that two runs never deadlock on each other."""
    with ExitStack() as stack:
        for name in sorted(set(names)):
            stack.enter_context(hold_mutex(lock_dir, namespace, name, holder, announce))
        yield
