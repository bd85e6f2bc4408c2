"""The start-up wait and the shutdown loop that both local stacks (default and hadoop profile) share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from argo_toolset.processes import is_alive, log_tail, stop
from generator.localstack.errors import StackError
from generator.localstack.services import ServiceSpec
from generator.localstack.state import ServiceRecord, read_state, write_state

POLL_SECONDS = 0.3


def wait_until_ready(specs: Iterable[ServiceSpec], records: dict[str, ServiceRecord], echo: Callable[[str], None],
                     started_at: float | None = None) -> None:
    """Waits for every spec's readiness check; a service that exits or outlasts its timeout raises StackError.

    `started_at` is when the stack's start began (the figure each "up after" line gives); each service's timeout
    counts from this call, the start of its wave.
    """
    pending = list(specs)
    wave_started = time.monotonic()
    since = wave_started if started_at is None else started_at
    while pending:
        for spec in list(pending):
            if spec.is_ready():
                pending.remove(spec)
                echo(f"{spec.title}: up after {time.monotonic() - since:.1f}s")
            elif not is_alive(records[spec.name].pid, spec.marker):
                raise StackError(f"the {spec.title} exited while starting (port {spec.port}); last lines of "
                                 f"{spec.log_path}:\n{log_tail(spec.log_path)}")
            elif time.monotonic() - wave_started > spec.ready_timeout:
                raise StackError(f"the {spec.title} did not become ready on port {spec.port} within "
                                 f"{spec.ready_timeout:.0f}s; last lines of {spec.log_path}:\n"
                                 f"{log_tail(spec.log_path)}")
        time.sleep(POLL_SECONDS)


def stop_recorded(run_dir: Path, order: Iterable[str], title_of: Callable[[str], str],
                  echo: Callable[[str], None]) -> None:
    """Stops every service recorded in run_dir's state file, last started first (SIGTERM, then SIGKILL)."""
    records = read_state(run_dir)
    if not records:
        echo(f"no stack recorded in {run_dir}")
        return
    for name in reversed(list(order)):
        record = records.pop(name, None)
        if record is None:
            continue
        if is_alive(record.pid, str(run_dir)):
            stop(record.pid, str(run_dir))
            echo(f"{title_of(name)}: stopped (pid {record.pid})")
        else:
            echo(f"{title_of(name)}: was not running")
        write_state(run_dir, records)
