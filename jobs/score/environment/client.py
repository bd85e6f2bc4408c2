"""The Spark side of the model process: starts server.py in the model's environment, trades Arrow batches with it.

Loaded in place of the pyfunc model (worker.cached_model), one per Python worker: `predict(frame)` returns what
the model's `predict` returned, rebuilt from Arrow, and the image's interpreter never imports the model's
libraries.
"""

from __future__ import annotations

import atexit
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa

SERVER = Path(__file__).with_name("server.py")
_HEADER_SIZE = 9


class ModelProcessError(RuntimeError):
    """The model process failed to load the model, failed on a batch, or died; the message carries its words."""


class EnvironmentModel:
    """A pyfunc-like model whose `predict` runs in a long-lived process of the model's environment."""

    def __init__(self, interpreter: Path, model_dir: str):
        # -I: isolated (implies -E -s -P): the Spark worker's PYTHONPATH and the script's folder never reach the
        # model's interpreter, so it imports only what its environment holds.
        self._process = subprocess.Popen([str(interpreter), "-I", str(SERVER), model_dir],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._lock = threading.Lock()
        atexit.register(self.close)
        self._receive()  # R once the model is loaded, or the reason it is not

    def predict(self, features: pd.DataFrame):
        table = pa.Table.from_pandas(features, preserve_index=False)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        payload = sink.getvalue().to_pybytes()
        with self._lock:
            self._process.stdin.write(b"B" + len(payload).to_bytes(8, "big") + payload)
            self._process.stdin.flush()
            result = self._receive()
        return _rebuild(pa.ipc.open_stream(result).read_all())

    def _receive(self) -> bytes:
        header = self._process.stdout.read(_HEADER_SIZE)
        if len(header) < _HEADER_SIZE:
            raise ModelProcessError(f"the model process ended (exit code {self._process.wait()}); see its log above")
        kind, size = header[:1], int.from_bytes(header[1:], "big")
        payload = self._process.stdout.read(size) if size else b""
        if kind == b"E":
            raise ModelProcessError(payload.decode(errors="replace").strip().splitlines()[-1][:2000] + "\n"
                                    + payload.decode(errors="replace")[-4000:])
        return payload

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


def _rebuild(table: pa.Table):
    kind = (table.schema.metadata or {}).get(b"kind", b"frame")
    frame = table.to_pandas()
    if kind == b"array1":
        return frame.iloc[:, 0].to_numpy()
    if kind == b"array2":
        return frame.to_numpy()
    return frame
