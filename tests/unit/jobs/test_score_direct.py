"""The direct Parquet path's pure parts: type mapping, work units, URIs, and the worker writing real Parquet files
with a fake model (no Spark, no MLflow)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import fs as arrow_fs
from pyspark import SparkFiles

from jobs.common.errors import StepError
from jobs.score import worker
from jobs.score.arrow_types import arrow_type, can_store, is_feature_type
from jobs.score.catalog import parse_description
from jobs.score.direct import DirectInput, InputColumn, WorkUnit, _units, open_file, read_sample, sweep_temporaries
from jobs.score.shaping import DOUBLE, STRING, ScoreColumn


@pytest.mark.parametrize("spark_type, expected", [
    ("bigint", pa.int64()), ("INT", pa.int32()), ("double", pa.float64()), ("string", pa.string()),
    ("date", pa.date32()), ("decimal(12,3)", pa.decimal128(12, 3)), ("boolean", pa.bool_()),
    ("timestamp", None), ("array<double>", None), ("binary", None),
])
def test_arrow_type_maps_only_types_with_an_exact_parquet_form(spark_type, expected):
    assert arrow_type(spark_type) == expected


def test_ids_are_stored_only_without_a_lossy_conversion():
    assert can_store(pa.int32(), pa.int64()) and can_store(pa.large_string(), pa.string())
    assert not can_store(pa.int64(), pa.int32())
    assert not can_store(pa.float64(), pa.int64())
    assert not can_store(pa.uint32(), pa.int64())
    assert is_feature_type(pa.float32()) and is_feature_type(pa.decimal128(5, 2)) and is_feature_type(pa.bool_())
    assert not is_feature_type(pa.string()) and not is_feature_type(pa.timestamp("us"))


def test_units_split_row_groups_for_every_core_and_never_span_files():
    groups = [("a", 0, 100), ("a", 1, 100), ("a", 2, 100), ("a", 3, 0), ("b", 0, 100), ("b", 1, 100)]
    units = _units(groups, parallelism=2)  # 500 rows, target 125 per unit
    assert [(u.uri, u.row_groups, u.rows) for u in units] == [
        ("a", (0,), 100), ("a", (1,), 100), ("a", (2,), 100), ("b", (0,), 100), ("b", (1,), 100)]
    assert [u.index for u in units] == list(range(5))
    merged = _units(groups, parallelism=1)  # target 250: two groups of a file per unit
    assert [(u.uri, u.row_groups) for u in merged] == [("a", (0, 1)), ("a", (2,)), ("b", (0, 1))]
    assert sum(u.rows for u in merged) == 500
    assert _units([("a", 0, 0)], parallelism=2) == []


def test_open_file_reads_hadoop_style_local_uris(tmp_path):
    folder = tmp_path / "with space"
    filesystem, path = open_file(f"file:{folder}/part-0.parquet")
    assert isinstance(filesystem, arrow_fs.LocalFileSystem) and path == f"{folder}/part-0.parquet"
    assert open_file(f"file://{folder}/x")[1] == f"{folder}/x"
    assert open_file(str(folder))[1] == str(folder)


class _FakeModel:
    """Doubles `x`; NaN in, NaN out (shaping stores it as NULL)."""

    def predict(self, frame):
        return frame["x"].to_numpy() * 2.0


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    monkeypatch.setattr(SparkFiles, "_root_directory", str(tmp_path / "files"))
    monkeypatch.setattr(SparkFiles, "_is_running_on_worker", True)
    monkeypatch.setitem(worker._MODELS, "fake-key", _FakeModel())


def _input(tmp_path) -> DirectInput:
    source = tmp_path / "in" / "part-0.parquet"
    source.parent.mkdir()
    table = pa.table({"ID": pa.array([1, 2, 3, 4, 5], pa.int32()), "x": [0.5, None, 2.0, float("nan"), 4.0],
                      "unused": ["a", "b", "c", "d", "e"]})
    pq.write_table(table, source, row_group_size=2)  # 3 row groups
    return DirectInput([WorkUnit(0, f"file:{source}", (0, 1), 4), WorkUnit(1, f"file:{source}", (2,), 1)],
                       ids=[InputColumn("id", "ID", pa.int64())], features=[InputColumn("x", "x", pa.float64())])


def _output(folder, schema_columns) -> worker.FileOutput:
    schema = pa.schema([("id", pa.int64()), *schema_columns, ("model_name", pa.string()),
                        ("scored_at", pa.timestamp("us", tz="UTC"))])
    scored_at = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.UTC)
    return worker.FileOutput(f"file:{folder}", "run1", schema, {"model_name": "m", "scored_at": scored_at}, 2)


def test_file_scorer_writes_one_complete_file_per_unit_with_lineage_and_null_for_nan(fake_model, tmp_path):
    direct = _input(tmp_path)
    output = _output(tmp_path / "out", [("score", pa.float64())])
    scorer = worker.make_file_scorer("fake-key", "model.zip", direct, [ScoreColumn("score", DOUBLE)], output)

    assert list(scorer(iter(direct.units))) == [4, 1]
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["part-00000-run1.snappy.parquet", "part-00001-run1.snappy.parquet"]  # no temporary left
    written = pq.read_table(tmp_path / "out").sort_by("id")
    # scored_at is stored as INT96 for Hive 2/3 (hive_format.py): a UTC instant without a zone, read back in ns.
    assert written.schema == output.schema.set(output.schema.get_field_index("scored_at"),
                                               pa.field("scored_at", pa.timestamp("ns")))
    assert written.column("id").to_pylist() == [1, 2, 3, 4, 5]
    assert written.column("score").to_pylist() == [1.0, None, 4.0, None, 8.0]
    assert set(written.column("model_name").to_pylist()) == {"m"}
    assert set(written.column("scored_at").to_pylist()) == {dt.datetime(2024, 3, 1, 12, 30)}


def test_a_retried_unit_replaces_its_own_file(fake_model, tmp_path):
    direct = _input(tmp_path)
    output = _output(tmp_path / "out", [("score", pa.float64())])
    scorer = worker.make_file_scorer("fake-key", "model.zip", direct, [ScoreColumn("score", DOUBLE)], output)
    list(scorer(iter(direct.units[:1])))
    list(scorer(iter(direct.units[:1])))  # the same unit again, as a retried task would
    assert pq.read_table(tmp_path / "out").num_rows == 4


def test_a_model_output_of_the_wrong_shape_fails_the_unit_without_a_part_file(monkeypatch, fake_model, tmp_path):
    direct = _input(tmp_path)
    output = _output(tmp_path / "out", [("score_a", pa.float64()), ("score_b", pa.string())])
    columns = [ScoreColumn("score_a", DOUBLE), ScoreColumn("score_b", STRING)]  # planned 2, the model gives 1
    scorer = worker.make_file_scorer("fake-key", "model.zip", direct, columns, output)
    with pytest.raises(StepError, match="expected"):
        list(scorer(iter(direct.units)))
    assert list((tmp_path / "out").iterdir()) == []  # no part file, and the failed attempt's file deleted


def test_sweep_deletes_what_killed_attempts_left_and_keeps_part_files(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "_attempt-abc-part-00000-run1.snappy.parquet").write_bytes(b"half")
    (folder / "part-00000-run1.snappy.parquet").write_bytes(b"whole")
    sweep_temporaries(f"file:{folder}")
    assert [p.name for p in folder.iterdir()] == ["part-00000-run1.snappy.parquet"]


def test_read_sample_gives_the_model_its_features_under_table_names(tmp_path):
    sample = read_sample(_input(tmp_path), rows=3)
    assert list(sample.columns) == ["x"] and len(sample) == 3
    assert sample["x"].dtype == np.float64 and np.isnan(sample["x"].iloc[1])


def test_describe_rows_parse_into_data_columns_partitions_and_details():
    rows = [("id", "bigint", None), ("f1", "decimal(10,2)", None), ("dt", "string", None),
            ("# Partition Information", "", ""), ("# col_name", "data_type", "comment"), ("dt", "string", None),
            ("", "", ""), ("# Detailed Table Information", "", ""), ("Type", "MANAGED", ""),
            ("Provider", "hive", ""), ("Location", "file:/w/t", ""), ("Serde Library", "x.ParquetHiveSerDe", "")]
    description = parse_description(rows)
    assert description.columns == {"id": "bigint", "f1": "decimal(10,2)"}
    assert description.partition_columns == ["dt"]
    assert description.details["Location"] == "file:/w/t" and description.details["Type"] == "MANAGED"
    assert parse_description([("id", "bigint", None)]).partition_columns == []


def test_hdfs_without_libhdfs_is_refused_before_pyarrow_tries_it(monkeypatch):
    from jobs.score import direct

    monkeypatch.delenv("ARROW_LIBHDFS_DIR", raising=False)
    monkeypatch.delenv("HADOOP_HOME", raising=False)
    monkeypatch.setattr(direct.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(direct.NotDirect, match="hdfs:// only through libhdfs"):
        direct.refuse_unopenable("hdfs://namenode:8020/warehouse/t/dt=2026-04-01/part-0.parquet")
    direct.refuse_unopenable("file:/tmp/part-0.parquet")  # local and object-store files are not refused
    direct.refuse_unopenable("s3a://bucket/t/part-0.parquet")


def test_hdfs_with_libhdfs_in_arrow_libhdfs_dir_is_tried(monkeypatch, tmp_path):
    from jobs.score import direct

    (tmp_path / "libhdfs.so").write_bytes(b"")
    monkeypatch.setenv("ARROW_LIBHDFS_DIR", str(tmp_path))
    direct.refuse_unopenable("hdfs://namenode:8020/warehouse/t/part-0.parquet")
