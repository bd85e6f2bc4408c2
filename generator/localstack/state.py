"""The stack's state file (`<run-dir>/stack.json`): which PID serves which service on which port."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_FILE = "stack.json"


@dataclass(frozen=True)
class ServiceRecord:
    """One started service.

    Attributes:
        name: `metastore`, `thrift` or `mlflow`.
        pid: process id (also its process group id).
        port: TCP port on 127.0.0.1.
        log_path: its log file.
        hive_auth: the Thrift server's `hive.server2.authentication` (NONE or CUSTOM); None for the other services.
    """

    name: str
    pid: int
    port: int
    log_path: str
    hive_auth: str | None = None


def read_state(run_dir: Path) -> dict[str, ServiceRecord]:
    """Records of the services started from `run_dir` (empty when none were)."""
    path = run_dir / STATE_FILE
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    return {name: ServiceRecord(**record) for name, record in raw.get("services", {}).items()}


def write_state(run_dir: Path, records: dict[str, ServiceRecord]) -> None:
    """Replaces the state file atomically (write then rename), so a reader never sees half a file."""
    path = run_dir / STATE_FILE
    tmp = path.with_suffix(".json.tmp")
    payload = {"services": {name: asdict(record) for name, record in sorted(records.items())}}
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
