"""Direct Parquet path on HDFS: hdfs-native (Rust, no JVM) and WebHDFS against Spark's own reader and writer.

Same data for each: DATA_ROWS rows of one bigint id and 30 double features in one Parquet file (Snappy), written
to HDFS and read back in full. Run once per engine, each in an interpreter that has it:
    python bench/hdfs_paths.py --engine spark   --namenode hdfs://127.0.0.1:8020     (project venv)
    python bench/hdfs_paths.py --engine native  --namenode hdfs://127.0.0.1:8020     (a venv with hdfs-native)
    python bench/hdfs_paths.py --engine webhdfs --http 127.0.0.1:9870                 (any venv with pyarrow)
Each prints one JSON line: seconds to write and to read (best of --repeat), MB moved. Figures: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import time
import urllib.request

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DATA_ROWS = 1_000_000
FEATURES = 30
FOLDER = "/bench/hdfs-paths"


def table() -> pa.Table:
    generator = np.random.default_rng(7)
    columns = {"id": pa.array(np.arange(DATA_ROWS, dtype=np.int64))}
    columns.update({f"f{i}": pa.array(generator.normal(size=DATA_ROWS)) for i in range(FEATURES)})
    return pa.table(columns)


def parquet_bytes(data: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(data, sink, compression="snappy")
    return sink.getvalue()


def native(namenode: str, repeat: int) -> dict:
    from hdfs_native import Client, WriteOptions

    client = Client(namenode)
    data = table()
    path = f"{FOLDER}/native.parquet"
    client.mkdirs(FOLDER)

    def write() -> None:
        options = WriteOptions()
        options.overwrite = True
        with client.create(path, options) as handle:
            handle.write(parquet_bytes(data))

    def read() -> int:
        with client.read(path) as handle:
            return pq.read_table(io.BytesIO(handle.read())).num_rows

    return measure(write, read, repeat, len(parquet_bytes(data)))


def webhdfs(http: str, repeat: int) -> dict:
    data = table()
    path = f"{FOLDER}/webhdfs.parquet"

    def write() -> None:
        body = parquet_bytes(data)
        request = urllib.request.Request(f"http://{http}/webhdfs/v1{path}?op=CREATE&overwrite=true&user.name=root",
                                         method="PUT")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(request)
        except urllib.error.HTTPError as redirect:
            location = redirect.headers["Location"]
        urllib.request.urlopen(urllib.request.Request(location, data=body, method="PUT")).read()

    def read() -> int:
        with urllib.request.urlopen(f"http://{http}/webhdfs/v1{path}?op=OPEN&user.name=root") as response:
            return pq.read_table(io.BytesIO(response.read())).num_rows

    return measure(write, read, repeat, len(parquet_bytes(data)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def spark(namenode: str, repeat: int) -> dict:
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
               .config("spark.driver.memory", "2g")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    frame = session.createDataFrame(table().to_pandas()).coalesce(1).cache()
    frame.count()
    path = f"{namenode}{FOLDER}/spark"

    def write() -> None:
        frame.write.mode("overwrite").option("compression", "snappy").parquet(path)

    def read() -> int:
        return len(session.read.parquet(path).toArrow())

    return measure(write, read, repeat, None)


def measure(write, read, repeat: int, size: int | None) -> dict:
    writes, reads = [], []
    for _ in range(repeat):
        began = time.perf_counter()
        write()
        writes.append(time.perf_counter() - began)
        began = time.perf_counter()
        rows = read()
        reads.append(time.perf_counter() - began)
        assert rows == DATA_ROWS, rows
    return {"write_s": round(min(writes), 2), "read_s": round(min(reads), 2), "rows": DATA_ROWS,
            "mb": round(size / 1e6, 1) if size else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["native", "webhdfs", "spark"], required=True)
    parser.add_argument("--namenode", default="hdfs://127.0.0.1:8020")
    parser.add_argument("--http", default="127.0.0.1:9870")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.engine == "native":
        result = native(args.namenode, args.repeat)
    elif args.engine == "webhdfs":
        result = webhdfs(args.http, args.repeat)
    else:
        result = spark(args.namenode, args.repeat)
    print(json.dumps({"engine": args.engine, **result}))


if __name__ == "__main__":
    main()
