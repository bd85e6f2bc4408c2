"""Peak resident memory of a process and all its descendants, sampled from /proc in a background thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _parent_map() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def descendants(root: int) -> set[int]:
    """`root` and every process below it (children, grandchildren...)."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_map().items():
        children.setdefault(parent, []).append(pid)
    found, pending = set(), [root]
    while pending:
        pid = pending.pop()
        if pid in found:
            continue
        found.add(pid)
        pending.extend(children.get(pid, []))
    return found


def rss_bytes(pids: set[int]) -> int:
    """Sum of resident set sizes of `pids` (shared pages count once per process: an upper bound)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total


class TreePeakSampler:
    """Samples the RSS of the process trees under `roots` every `interval` seconds; `peak` is the highest sum.

    Use as a context manager around the work to observe.
    """

    def __init__(self, roots: list[int], interval: float = 0.2):
        self.roots = roots
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> int:
        pids: set[int] = set()
        for root in self.roots:
            pids |= descendants(root)
        current = rss_bytes(pids)
        self.peak = max(self.peak, current)
        return current

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreePeakSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
