"""Fixed-overhead fit: a line through each scale's median, so one noisy run cannot move the intercept much."""

import pytest

from bench.fit import fit_fixed_overhead, medians_by_rows


def test_exact_line_through_medians():
    runs = [(rows, 10.0 + rows / 1000) for rows in (1000, 4000, 16000) for _ in range(3)]
    fit = fit_fixed_overhead(runs)
    assert fit.fixed_seconds == pytest.approx(10.0) and fit.rows_per_s == pytest.approx(1000.0)
    assert fit.runs_per_scale == 3


def test_one_slow_run_per_scale_does_not_move_the_median_fit():
    runs = [(1000, 11.0), (1000, 11.0), (1000, 40.0), (4000, 14.0), (4000, 14.0), (4000, 14.0),
            (16000, 26.0), (16000, 90.0), (16000, 26.0)]
    assert medians_by_rows(runs) == {1000: 11.0, 4000: 14.0, 16000: 26.0}
    fit = fit_fixed_overhead(runs)
    assert fit.fixed_seconds == pytest.approx(10.0)


def test_no_fit_from_one_scale_or_a_falling_line():
    assert fit_fixed_overhead([(1000, 5.0), (1000, 6.0)]) is None
    assert fit_fixed_overhead([(1000, 9.0), (4000, 8.0)]) is None


def test_runs_per_scale_is_the_fewest():
    fit = fit_fixed_overhead([(1000, 11.0), (1000, 11.0), (4000, 14.0)])
    assert fit.runs_per_scale == 1
