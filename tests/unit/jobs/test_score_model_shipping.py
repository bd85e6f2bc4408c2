"""How the score step ships the pinned model: one zip archive per call, one loaded copy per process and model."""

from __future__ import annotations

import zipfile

import mlflow.pyfunc
import numpy as np
import pandas as pd
import pytest
from pyspark import SparkFiles

from jobs.score import worker
from jobs.score.bundle import fetch_bundle, model_key, pack_folder
from jobs.score.shaping import DOUBLE, ScoreColumn


class _Doubler:
    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return frame["x"].to_numpy() * 2


class _Counter:
    """Stands in for a Spark accumulator (only `add` is used by the scorer)."""

    def __init__(self) -> None:
        self.value = 0

    def add(self, amount: int) -> None:
        self.value += amount


@pytest.fixture()
def model_folder(tmp_path):
    folder = tmp_path / "model"
    (folder / "artifacts" / "nested").mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "artifacts" / "nested" / "weights.bin").write_bytes(bytes(range(256)))
    return folder


class _Loads:
    """Every real model load: its folder and whether MLflow's warnings were suppressed."""

    def __init__(self) -> None:
        self.folders: list[str] = []
        self.warnings_suppressed: list[bool] = []

    def load_model(self, location: str, suppress_warnings: bool = False) -> _Doubler:
        self.folders.append(location)
        self.warnings_suppressed.append(suppress_warnings)
        return _Doubler()


@pytest.fixture()
def loads(monkeypatch):
    """Records every real model load; the loaded 'model' doubles column x."""
    recorder = _Loads()
    monkeypatch.setattr(mlflow.pyfunc, "load_model", recorder.load_model)
    monkeypatch.setattr(worker, "_MODELS", {})
    return recorder


def test_pack_folder_keeps_relative_paths_and_bytes(model_folder, tmp_path):
    archive = tmp_path / "model.zip"
    pack_folder(model_folder, archive)
    with zipfile.ZipFile(archive) as packed:
        assert sorted(packed.namelist()) == ["MLmodel", "artifacts/nested/weights.bin"]
        assert packed.read("artifacts/nested/weights.bin") == bytes(range(256))


def test_fetch_bundle_gives_each_call_its_own_archive_but_one_model_key(model_folder, tmp_path):
    first = fetch_bundle(str(model_folder), "3", tmp_path / "work")
    second = fetch_bundle(str(model_folder), "3", tmp_path / "work")
    assert first.archive_name != second.archive_name
    assert first.archive.is_file() and (first.local_dir / "MLmodel").is_file()
    assert first.key == second.key == model_key(str(model_folder), "3")
    assert first.key != model_key(str(model_folder), "4")
    with zipfile.ZipFile(first.archive) as packed:
        assert "MLmodel" in packed.namelist()


def test_cached_model_loads_once_per_model_whatever_the_folder(loads):
    first = worker.cached_model("server|models:/m/1|1", "/ship/model-aaa.zip")
    again = worker.cached_model("server|models:/m/1|1", "/ship/model-bbb.zip")
    other = worker.cached_model("server|models:/m/2|2", "/ship/model-ccc.zip")
    assert first is again and other is not first
    assert loads.folders == ["/ship/model-aaa.zip", "/ship/model-ccc.zip"]


def test_batch_scorer_finds_the_shipped_archive_and_counts_rows(loads, monkeypatch, tmp_path):
    monkeypatch.setattr(SparkFiles, "_root_directory", str(tmp_path))
    monkeypatch.setattr(SparkFiles, "_is_running_on_worker", True)
    counter = _Counter()
    scorer = worker.make_batch_scorer("key", "model-abc.zip", ["x"], ["id"], [ScoreColumn("score", DOUBLE)],
                                      counter)
    batches = [pd.DataFrame({"id": [1, 2], "x": [0.5, 1.0]}), pd.DataFrame({"id": [3], "x": [2.0]})]
    scored = pd.concat(list(scorer(iter(batches))), ignore_index=True)
    assert scored.to_dict("list") == {"id": [1, 2, 3], "score": [1.0, 2.0, 4.0]}
    assert counter.value == 3
    assert loads.folders == [str(tmp_path / "model-abc.zip")]


def test_arrow_scorer_passes_ids_through_and_stores_unusable_scores_as_null(loads, monkeypatch, tmp_path):
    import pyarrow as pa

    monkeypatch.setattr(SparkFiles, "_root_directory", str(tmp_path))
    monkeypatch.setattr(SparkFiles, "_is_running_on_worker", True)
    counter, units = _Counter(), _Counter()
    scorer = worker.make_arrow_scorer("key", "model-abc.zip", ["x"], ["id"], [ScoreColumn("score", DOUBLE)],
                                      counter, units)
    batches = [pa.record_batch({"id": pa.array([7, 8], pa.int64()), "x": [0.5, float("inf")]}),
               pa.record_batch({"id": pa.array([9], pa.int64()), "x": [2.0]})]
    scored = pa.Table.from_batches(list(scorer(iter(batches))))
    assert scored.schema == pa.schema([("id", pa.int64()), ("score", pa.float64())])
    assert scored.to_pydict() == {"id": [7, 8, 9], "score": [1.0, None, 4.0]}
    assert (counter.value, units.value) == (3, 1)


def test_workers_skip_mlflows_mismatch_warnings_and_the_driver_keeps_them(loads):
    worker.cached_model("server|models:/m/1|1", "/ship/model-aaa.zip")
    worker.cached_model("server|models:/m/2|2", "/driver/model-bbb", warn=True)
    assert loads.warnings_suppressed == [True, False]


def test_model_loader_loads_the_shipped_model_once_and_names_its_worker(loads, monkeypatch, tmp_path):
    import os

    monkeypatch.setattr(SparkFiles, "_root_directory", str(tmp_path))
    monkeypatch.setattr(SparkFiles, "_is_running_on_worker", True)
    loader = worker.make_model_loader("key", "model-abc.zip")
    assert list(loader(iter([0]))) == [os.getpid()]
    assert list(loader(iter([1]))) == [os.getpid()]
    assert loads.folders == [str(tmp_path / "model-abc.zip")]
