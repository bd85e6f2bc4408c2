"""The synthetic stream is deterministic and nests: any prefix of a bigger draw equals a smaller draw."""

import numpy as np

from bench import data


def test_prefix_of_a_bigger_draw_is_the_smaller_draw():
    small = data.frame(seed=3, rows=1_500)
    big = data.frame(seed=3, rows=data.BLOCK_ROWS + 10)
    assert small.equals(big.iloc[:1_500].reset_index(drop=True))


def test_shape_ids_and_skewed_features():
    frame = data.frame(seed=1, rows=2_000)
    assert list(frame.columns) == [data.ID_COLUMN, *data.feature_names()]
    assert len(data.feature_names()) == 30
    assert frame[data.ID_COLUMN].tolist() == list(range(2_000))
    skewed = frame[data.feature_names()[0]]
    assert (skewed > 0).all()  # log-normal
    assert (frame[data.feature_names()[1]] < 0).any()


def test_other_seed_other_values():
    assert not np.allclose(data.frame(1, 100)["f01"], data.frame(2, 100)["f01"])


def test_write_partition_splits_rows_into_equal_contiguous_files(tmp_path):
    import pandas as pd

    rows = data.BLOCK_ROWS + 7
    folder = data.write_partition(tmp_path / "part", seed=5, rows=rows, files=4)
    files = sorted(folder.glob("*.parquet"))
    sizes = [len(pd.read_parquet(path)) for path in files]
    assert len(files) == 4 and sum(sizes) == rows and max(sizes) - min(sizes) <= 1
    first = pd.read_parquet(files[0])
    assert first[data.ID_COLUMN].tolist() == list(range(sizes[0]))
    read = pd.concat([pd.read_parquet(path) for path in files], ignore_index=True)
    assert read.equals(data.frame(5, rows))
