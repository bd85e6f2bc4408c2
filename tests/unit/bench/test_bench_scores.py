"""Score check: a path passes only with exactly the reference ids, each once, and scores within the tolerance."""

import numpy as np
import pytest

from bench import scores
from bench.scores import ScoreMismatch, compare, compare_in_order, require_equal

REFERENCE = np.array([0.1, 0.2, 0.3, 0.4])


def test_equal_scores_in_any_order_pass():
    check = compare(np.array([3, 1, 0, 2]), np.array([0.4, 0.2, 0.1, 0.3]), REFERENCE)
    assert check.equal and check.max_abs_diff == 0.0 and check.rows == 4
    assert require_equal(check, "ours") is check


def test_rounding_below_the_tolerance_passes_and_a_real_difference_fails():
    assert compare_in_order(REFERENCE + 1e-12, REFERENCE).equal
    check = compare_in_order(REFERENCE + np.array([0, 0, 2e-9, 0]), REFERENCE)
    assert not check.equal and check.max_abs_diff == pytest.approx(2e-9)
    with pytest.raises(ScoreMismatch, match=r"spark_udf: scores differ .* max abs diff 2e-09"):
        require_equal(check, "spark_udf")


def test_row_counts_alone_do_not_pass_missing_repeated_or_foreign_ids():
    repeated = compare(np.array([0, 1, 2, 2]), np.array([0.1, 0.2, 0.3, 0.3]), REFERENCE)
    assert (repeated.missing, repeated.unexpected, repeated.equal) == (1, 1, False)
    foreign = compare(np.array([0, 1, 2, 9]), np.array([0.1, 0.2, 0.3, 0.4]), REFERENCE)
    assert (foreign.missing, foreign.unexpected, foreign.equal) == (1, 1, False)
    short = compare(np.array([0, 1]), np.array([0.1, 0.2]), REFERENCE)
    assert (short.missing, short.equal) == (2, False)


def test_nan_never_passes():
    check = compare_in_order(np.array([0.1, np.nan, 0.3, 0.4]), REFERENCE)
    assert np.isnan(check.max_abs_diff) and not check.equal
    assert np.isnan(scores.worst([compare_in_order(REFERENCE, REFERENCE), check]))


def test_worst_of_checks():
    small = compare_in_order(REFERENCE + 1e-13, REFERENCE)
    assert scores.worst([compare_in_order(REFERENCE, REFERENCE), small]) == pytest.approx(1e-13)
    assert scores.worst([]) == 0.0


def test_reference_round_trip_and_bad_ids(tmp_path):
    path = scores.write_reference(tmp_path / "ref.parquet", REFERENCE)
    assert np.array_equal(scores.read_reference(path), REFERENCE)
    import pandas as pd

    pd.DataFrame({"row_id": [0, 2], "score": [0.1, 0.2]}).to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(ValueError, match="bad.parquet: reference ids must be 0 .. 1"):
        scores.read_reference(tmp_path / "bad.parquet")
