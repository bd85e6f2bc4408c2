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


def test_write_parquet_round_trips(tmp_path):
    import pandas as pd

    folder = data.write_parquet(tmp_path / "stream", seed=5, rows=data.BLOCK_ROWS + 7)
    assert len(list(folder.glob("*.parquet"))) == 2
    read = pd.read_parquet(folder).sort_values(data.ID_COLUMN, ignore_index=True)
    assert read.equals(data.frame(5, data.BLOCK_ROWS + 7))
