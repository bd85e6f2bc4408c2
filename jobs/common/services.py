"""Bounded waits for a service (Hive metastore, MLflow) before a step uses it: errors name it and its address.

Why: MLflow's own HTTP client retries a refused connection 7 times with doubling backoff (about 4 minutes)
whatever the step's `--retry-seconds` says, and its final error names only a URL path. A step waits here
for the server with `jobs.common.retry.with_retry` instead, and caps MLflow's own retries to the same budget
for an outage that starts later, mid-step.
"""

from __future__ import annotations

import math
import os
import socket
from urllib.parse import urlparse

from jobs.common.errors import StepError
from jobs.common.retry import with_retry

DEFAULT_PORTS = {"http": 80, "https": 443}
# MLflow reads these at each request (mlflow.environment_variables); a value the operator set is kept.
MAX_RETRIES_VARIABLE = "MLFLOW_HTTP_REQUEST_MAX_RETRIES"
TIMEOUT_VARIABLE = "MLFLOW_HTTP_REQUEST_TIMEOUT"


def wait_for_port(host: str, port: int, service: str, budget_seconds: float) -> None:
    """Waits until `host:port` accepts a TCP connection, retrying refusals and timeouts for `budget_seconds`.

    Raises:
        ServiceUnavailable: naming `service` ("<name> at host:port") when it never answered.
    """
    def connect() -> None:
        socket.create_connection((host, port), timeout=5).close()

    with_retry(connect, service=f"{service} at {host}:{port}", transient=(OSError,), budget_seconds=budget_seconds)


def wait_for_metastore(uri: str, budget_seconds: float) -> None:
    """Fails clearly (naming the metastore) instead of deep inside Spark's Hive client when it is down.

    Raises:
        StepError: `uri` is not thrift://host:port.
        ServiceUnavailable: the metastore never answered within `budget_seconds`.
    """
    parsed = urlparse(uri)
    if parsed.scheme != "thrift" or not parsed.hostname or not parsed.port:
        raise StepError(f"--metastore-uri: {uri!r} must look like thrift://host:port")
    wait_for_port(parsed.hostname, parsed.port, "Hive metastore", budget_seconds)


def mlflow_retries_within(budget_seconds: float) -> int:
    """How many MLflow HTTP retries fit in the budget (its backoff sleeps about 2, 4, 8 ... seconds)."""
    if budget_seconds < 2:
        return 0
    return max(0, int(math.log2(budget_seconds + 2)) - 1)


def wait_for_mlflow(tracking_uri: str | None, budget_seconds: float) -> None:
    """Waits until the MLflow server at an http(s) `tracking_uri` accepts connections; bounds MLflow's retries.

    Args:
        tracking_uri: `http://host[:port]` or `https://...` (other schemes, e.g. a local `file:` store or
            None, have no server to wait for).
        budget_seconds: how long refused or timed-out connections are retried, with exponential backoff.

    Raises:
        ServiceUnavailable: naming "MLflow tracking server at host:port" when it never answered.
    """
    os.environ.setdefault(MAX_RETRIES_VARIABLE, str(mlflow_retries_within(budget_seconds)))
    os.environ.setdefault(TIMEOUT_VARIABLE, str(max(5, min(120, int(budget_seconds) or 5))))
    parsed = urlparse(tracking_uri or "")
    if parsed.scheme not in DEFAULT_PORTS or not parsed.hostname:
        return
    wait_for_port(parsed.hostname, parsed.port or DEFAULT_PORTS[parsed.scheme], "MLflow tracking server",
                  budget_seconds)
