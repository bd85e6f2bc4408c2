"""Shared state of one local run: where nodes write, the locks, the parallelism bound, the deadline."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from argo_toolset.runner.documents import RunnableWorkflow, TemplateScope
from argo_toolset.runner.execution.locks import hold_mutexes
from argo_toolset.runner.pods.in_image import InImage
from argo_toolset.runner.pods.process import ProcessRegistry
from argo_toolset.runner.report import Reporter
from argo_toolset.runner.results import NodeResult

# Signature of engine.execute, handed to the DAG and steps modules so that they can run child nodes.
ExecuteFn = Callable[["RunContext", dict, TemplateScope, dict, NodeResult], None]


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunContext:
    """Everything the nodes of one run share.

    Attributes:
        globals: `workflow.*` variables (name, namespace, uid, parameters, ...).
        backoff_scale: Multiplies every retry backoff delay (1.0 = as written, 0 = retry at once).
        pod_slots: Bounds concurrently running step processes (workflow-level `parallelism`).
        deadline: time.monotonic() at which the workflow's activeDeadlineSeconds runs out.
        in_image: Run container steps as containers of this image (pods/container.py), else as local processes
            (pods/local.py).
    """

    workflow: RunnableWorkflow
    workflow_name: str
    globals: dict[str, str]
    work_dir: Path
    lock_dir: Path
    env_overrides: dict[str, str]
    backoff_scale: float
    reporter: Reporter
    execute: ExecuteFn
    registry: ProcessRegistry = field(default_factory=ProcessRegistry)
    pod_slots: threading.Semaphore | None = None
    deadline: float | None = None
    in_image: InImage | None = None
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _counter_lock: threading.Lock = field(default_factory=threading.Lock)

    def node_folder(self, node: NodeResult) -> Path:
        """A fresh private folder for one pod node: `<work dir>/nodes/<NNN>-<display name>`."""
        with self._counter_lock:
            number = next(self._counter)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", node.display_name).strip("_")[:80] or "node"
        folder = self.work_dir / "nodes" / f"{number:03d}-{safe}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def seconds_left(self) -> float | None:
        """Seconds until the workflow deadline; None when the workflow has none."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def pod_slot(self):
        return self.pod_slots if self.pod_slots is not None else nullcontext()

    @contextmanager
    def mutexes(self, names: list[str]) -> Iterator[None]:
        """Hold the named mutexes (file locks shared by every local run on this machine)."""
        if not names:
            yield
            return
        with hold_mutexes(self.lock_dir, self.workflow.namespace, names, self.workflow_name, self.reporter.line):
            yield
