"""The model process: runs with the model environment's own interpreter, loads the model once, predicts batches.

Started by client.py as `<env>/bin/python -I server.py <model dir>`; imports only the standard library and the
environment's own pyarrow, pandas, numpy and MLflow (never this project's packages, which the environment lacks).
Protocol over its stdin/stdout, one frame each way per batch: a kind byte, an 8-byte big-endian length, payload.
  client -> server  B + Arrow IPC stream of the features
  server -> client  R (model loaded, sent once) | O + Arrow IPC stream of the prediction | E + error text
The prediction's table carries schema metadata `kind`: `array1`, `array2` or `frame`, so the client rebuilds what
`predict` returned (a 1-D array, a 2-D array, a DataFrame) for the step's output shaping.
"""

import os
import struct
import sys
import traceback

HEADER = struct.Struct(">cQ")


def _read_exactly(stream, size):
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _send(stream, kind, payload=b""):
    stream.write(HEADER.pack(kind, len(payload)) + payload)
    stream.flush()


def _to_table(prediction):
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(prediction, pd.DataFrame):
        frame, kind = prediction, "frame"
    elif isinstance(prediction, pd.Series):
        frame, kind = prediction.to_frame(), "frame"
    else:
        array = np.asarray(prediction)
        if array.ndim == 1:
            frame, kind = pd.DataFrame({"0": array}), "array1"
        elif array.ndim == 2:
            frame, kind = pd.DataFrame(array), "array2"
        else:
            raise ValueError(f"model output has {array.ndim} dimensions; only 1-D and 2-D outputs can be stored")
    frame = frame.reset_index(drop=True)
    frame.columns = [str(column) for column in frame.columns]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.replace_schema_metadata({"kind": kind})


def _ipc_bytes(table):
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def main(model_dir):
    # The protocol owns the original stdout; anything the model prints goes to stderr (the step's log) instead.
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    try:
        import mlflow.pyfunc
        import pyarrow as pa

        model = mlflow.pyfunc.load_model(model_dir)
    except BaseException:
        _send(protocol, b"E", f"loading the model failed:\n{traceback.format_exc()}".encode())
        return 2
    _send(protocol, b"R")
    while True:
        header = _read_exactly(requests, HEADER.size)
        if header is None:  # the client closed the pipe: the Spark worker is done
            return 0
        _, size = HEADER.unpack(header)
        payload = _read_exactly(requests, size)
        try:
            features = pa.ipc.open_stream(payload).read_all().to_pandas()
            _send(protocol, b"O", _ipc_bytes(_to_table(model.predict(features))))
        except Exception:
            _send(protocol, b"E", traceback.format_exc().encode())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
