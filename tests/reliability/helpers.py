"""Helpers for reliability tests: score-step arguments, partition snapshots, table locations, free ports, a
TCP forwarder that brings a "stopped" service back, retry-log parsing and a search for planted values."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import yaml

from demo.model import RegisteredModel
from generator.config.loader import deep_merge
from generator.localstack.processes import free_port
from tests.e2e.relay import relay_both_ways
from tests.integration.helpers import REPO_ROOT, read_frame

PIPELINE_REQUIREMENTS = "scikit-learn\nmlflow>=3\n"
DEMO_JOB = "cancer-risk-daily"


def closed_port() -> int:
    """A loopback port nobody listens on: a service that is "stopped" without touching the shared stack."""
    return free_port()


def score_args(model: RegisteredModel, input_table: str, output_table: str, ds: str, tmp: Path,
               *extra: str, requirements: str = PIPELINE_REQUIREMENTS) -> list[str]:
    """Arguments of `python -m jobs.score` as the generated template passes them (pinned model, one id column)."""
    return ["--ds", ds, "--model-uri", model.pinned_uri, "--model-name", model.name,
            "--model-version", model.version, "--model-run-id", model.run_id,
            "--requirements", requirements, "--input-table", input_table,
            "--input-partition-column", "dt", "--id-column", "id", "--output-table", output_table,
            "--output-partition-column", "dt", "--score-column", "score", "--out-dir", str(tmp / "out"),
            "--work-dir", str(tmp / "work"), *extra]  # fmt: skip


def start_step(step: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Starts `python -m jobs.<step>` in its own process group (so the Spark JVM and workers die with it)."""
    handle = log.open("w")
    return subprocess.Popen([sys.executable, "-m", f"jobs.{step}", *args], env=env, cwd=REPO_ROOT,
                            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def partition_snapshot(cursor, table: str, ds: str) -> pd.DataFrame:
    """Every row of one output partition (id, score, lineage, scored_at), sorted by id."""
    cursor.execute(f"REFRESH TABLE {table}")
    frame = read_frame(cursor, f"SELECT id, score, model_version, scored_at FROM {table} WHERE dt = '{ds}'")
    return frame.sort_values("id").reset_index(drop=True)


def partition_folder(cursor, table: str, ds: str) -> Path:
    """The local folder the metastore says partition `dt=ds` of `table` lives in."""
    cursor.execute(f"DESCRIBE FORMATTED {table} PARTITION (dt='{ds}')")
    for row in cursor.fetchall():
        if (row[0] or "").strip() == "Location":
            return Path(urlparse(row[1].strip()).path)
    raise AssertionError(f"no Location for {table} dt={ds}")


def table_exists(cursor, table: str) -> bool:
    database, name = table.split(".")
    cursor.execute(f"SHOW TABLES IN {database} LIKE '{name}'")
    return bool(cursor.fetchall())


def files_under(folder: Path) -> list[Path]:
    return [Path(root) / name for root, _, names in os.walk(folder) for name in names]


RETRY_LINE = re.compile(r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) WARNING jobs\.common\.retry: "
                        r"(?P<service>.+?) unreachable \(attempt (?P<attempt>\d+): .*\); retrying in "
                        r"(?P<wait>[\d.]+)s$", re.MULTILINE)


@dataclass(frozen=True)
class RetryAttempt:
    """One `with_retry` warning of a step's log: when it was logged, which attempt failed, the wait announced."""

    at: dt.datetime
    attempt: int
    wait: float


def retry_attempts(log: str, service: str) -> list[RetryAttempt]:
    """The retry warnings for `service` (e.g. "HiveServer2 at 127.0.0.1:123") in a step's stderr, in order."""
    return [RetryAttempt(dt.datetime.strptime(m["time"], "%Y-%m-%d %H:%M:%S,%f"), int(m["attempt"]), float(m["wait"]))
            for m in RETRY_LINE.finditer(log) if m["service"] == service]


class DelayedForwarder:
    """A stopped service that comes back: nothing listens on `port` until `opens_when()` turns true (polled every
    0.1 s), then every connection is relayed to the real service at 127.0.0.1:`target` (one thread per direction)."""

    def __init__(self, port: int, target: int, opens_when: Callable[[], bool]):
        self.port, self.target, self.opens_when = port, target, opens_when
        self._stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> DelayedForwarder:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        for sock in list(self._sockets):
            try:
                sock.close()
            except OSError:
                pass
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        while not self.opens_when():
            if self._stopped.wait(0.1):
                return
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.2)
        self._sockets.append(listener)
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, upstream]
            relay_both_ways(client, upstream)


def files_holding(folders: list[Path], values: list[str], max_bytes: int = 512 * 2**20) -> list[tuple[str, str]]:
    """(file, value) for every file in or under `folders` whose raw bytes contain one of `values` (text or binary
    files, e.g. SQLite and Derby databases; files over `max_bytes` are skipped)."""
    needles = [(value, value.encode()) for value in values]
    found = []
    for folder in folders:
        for path in [folder] if folder.is_file() else files_under(folder):
            try:
                if path.stat().st_size > max_bytes:
                    continue
                data = path.read_bytes()
            except OSError:  # vanished (a service's temp file) or unreadable: nothing to search
                continue
            found += [(str(path), value) for value, needle in needles if needle in data]
    return found


def write_demo_conf(dest: Path, stack, tracking_uri: str, model_uri: str, output_table: str, experiment: str) -> Path:
    """demo/conf aimed at the test stack's Hive (with the auth mode its Thrift server expects) and at `tracking_uri`,
    naming credential Secrets (their values only ever come from the environment)."""
    shutil.copytree(REPO_ROOT / "demo" / "conf", dest)
    defaults = yaml.safe_load((dest / "defaults.yaml").read_text())
    defaults = deep_merge(defaults, {
        "mlflow": {"tracking_uri": tracking_uri, "experiment": experiment, "credentials_secret": "mlflow-credentials"},
        "hive": {"host": stack.hive_host, "port": stack.hive_port, "auth": stack.hive_auth,
                 "metastore_uri": stack.metastore_uri, "credentials_secret": "hive-credentials"},
    })
    (dest / "defaults.yaml").write_text(yaml.safe_dump(defaults, sort_keys=False))
    job = yaml.safe_load((dest / f"{DEMO_JOB}.yaml").read_text())
    job["model"] = {"uri": model_uri}
    job["output"]["table"] = output_table
    (dest / f"{DEMO_JOB}.yaml").write_text(yaml.safe_dump(job, sort_keys=False))
    return dest
