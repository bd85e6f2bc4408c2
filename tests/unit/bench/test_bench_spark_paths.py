"""Bench Spark paths: a folder given as a path becomes a file URI, one that names its file system stays as it is."""

from pathlib import Path

from bench.spark_paths import location_uri


def test_local_paths_become_file_uris_and_hdfs_uris_stay(tmp_path):
    assert location_uri(tmp_path) == tmp_path.resolve().as_uri()
    assert location_uri(str(tmp_path / "x")) == (tmp_path / "x").as_uri()
    assert location_uri(Path("relative")).startswith("file:///")
    assert location_uri("hdfs://127.0.0.1:8020/bench/input/2024-02-04") == "hdfs://127.0.0.1:8020/bench/input/2024-02-04"
