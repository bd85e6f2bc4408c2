"""A class-data-sharing (CDS) archive for the steps' Spark driver JVM: built once, mapped by every step.

Why: a fresh score step spends much of its driver JVM start and of its first metastore lookup loading and
verifying classes. A dynamic CDS archive (Java 13+) of the classes such a run loads shortens both
(figures: docs/BENCHMARKS.md).

`python -m jobs.common.jvm_archive PATH` runs a representative local session (Hive catalog on a throwaway
embedded Derby, a Parquet write and read, a Python task) in a JVM started with `-XX:ArchiveClassesAtExit=PATH`.
The image builds it (Dockerfile) and so does `make setup` (.run/jvm/); steps use it when `SPARK_CDS_ARCHIVE` names
the file. A missing archive is skipped; one that does not match the JVM or class path (another JDK, other jars)
is ignored by the JVM itself, so a stale archive costs the speed-up, never a run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ARCHIVE_ENV = "SPARK_CDS_ARCHIVE"


def archive_java_options() -> str:
    """`-XX:SharedArchiveFile=...` when SPARK_CDS_ARCHIVE names an existing file, else an empty string."""
    path = os.environ.get(ARCHIVE_ENV, "").strip()
    if not path or not Path(path).is_file() or " " in path:  # a space would split the JVM option
        return ""
    return f"-XX:SharedArchiveFile={path}"


def build_archive(path: Path) -> Path:
    """Writes the archive to `path` (replaced) by running a representative session; returns the path."""
    from pyspark.sql import SparkSession

    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory(prefix="jvm-archive-") as scratch:
        work = Path(scratch)
        spark = (
            SparkSession.builder.appName("jvm-archive").master("local[2]").enableHiveSupport()
            # derby.system.home: the throwaway Derby writes its derby.log there, not into the caller's folder.
            .config("spark.driver.extraJavaOptions",
                    f"-XX:ArchiveClassesAtExit={path} -Djava.io.tmpdir={work} -Dderby.system.home={work}")
            .config("spark.sql.warehouse.dir", (work / "warehouse").as_uri())
            .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                    f"jdbc:derby:;databaseName={work / 'metastore_db'};create=true")
            .config("spark.local.dir", str(work / "local"))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        try:
            spark.sql("CREATE TABLE archive_probe (id BIGINT, x DOUBLE) PARTITIONED BY (dt STRING) STORED AS PARQUET")
            spark.sql("INSERT INTO archive_probe PARTITION (dt='2024-01-01') VALUES (1, 0.5), (2, 1.5)")
            spark.sql("DESCRIBE TABLE EXTENDED archive_probe").collect()
            frame = spark.table("archive_probe").where("dt = '2024-01-01'")
            frame.inputFiles()
            frame.mapInPandas(lambda batches: batches, frame.schema).write.parquet(str(work / "out"))
            spark.sparkContext.parallelize(range(2), 2).map(lambda value: value).collect()
        finally:
            spark.stop()
            # The JVM writes the archive when it exits, and it exits when its stdin (from this process) closes.
            from pyspark import SparkContext

            jvm_process = SparkContext._gateway.proc
            jvm_process.stdin.close()
            try:
                jvm_process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                # A JVM left behind keeps its whole heap after this build has given up (seen on a loaded machine).
                jvm_process.kill()
                jvm_process.wait()
                raise
    if not path.is_file():
        raise RuntimeError(f"the JVM wrote no class-data archive at {path}")
    return path


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m jobs.common.jvm_archive PATH")
    print(f"wrote {build_archive(Path(sys.argv[1]))}")


if __name__ == "__main__":
    main()
