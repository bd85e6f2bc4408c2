"""The REST route: `mlflow models serve` (env-manager local) on a free loopback port, posted in batches."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from bench.cluster import LOOPBACK, free_port


class RestServer:
    """`mlflow models serve -m MODEL_URI --env-manager local --workers N` started in its own process group.

    Args:
        model_uri: the registered model version to serve.
        tracking_uri: MLflow server the model is downloaded from.
        workers: uvicorn workers (one per core is the fair setting here).
        log_path: where the server's output goes.
    """

    def __init__(self, model_uri: str, tracking_uri: str, workers: int, log_path: Path):
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri, MLFLOW_DISABLE_TELEMETRY="true")
        # The server execs `uvicorn` by name: the virtualenv's bin folder must be on PATH.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_uri, "--env-manager", "local",
                 "-h", LOOPBACK, "-p", str(self.port), "--workers", str(workers)],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.log_path = log_path

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Waits for `/ping` to answer 200; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow models serve exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/ping", timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"mlflow models serve not ready within {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM then SIGKILL to the server's process group (uvicorn workers included)."""
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue


def _post(session: requests.Session, url: str, batch: pd.DataFrame) -> list[float]:
    body = json.dumps({"dataframe_split": batch.to_dict(orient="split", index=False)})
    response = session.post(f"{url}/invocations", data=body, headers={"Content-Type": "application/json"},
                            timeout=300)
    response.raise_for_status()
    return response.json()["predictions"]


def run_rest(url: str, features: pd.DataFrame, batch_rows: int, clients: int) -> tuple[float, np.ndarray]:
    """Seconds to score all rows of `features` in batches of `batch_rows`, `clients` requests in flight, and the
    predictions in row order.

    JSON encoding on the client is part of the route's cost, as it is for anyone calling it.

    Raises:
        RuntimeError: the server returned another number of predictions than rows sent.
    """
    batches = [features.iloc[start:start + batch_rows] for start in range(0, len(features), batch_rows)]
    sessions = [requests.Session() for _ in range(clients)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(lambda item: _post(sessions[item[0] % clients], url, item[1]), enumerate(batches)))
    seconds = time.monotonic() - started
    predictions = np.asarray([value for answer in answers for value in answer], dtype="float64")
    if len(predictions) != len(features):
        raise RuntimeError(f"REST server returned {len(predictions)} predictions for {len(features)} rows")
    return seconds, predictions
