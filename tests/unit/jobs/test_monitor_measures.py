"""Drift arithmetic without Spark: bins, PSI (with the epsilon for empty bins), lines and verdicts."""

from __future__ import annotations

import math

import pytest

from jobs.monitor.measures import EPSILON, Bins, Line, common_bins, judge, overall, psi, relative_change


def test_psi_of_identical_distributions_is_zero():
    assert psi([10, 20, 30, 40], [1, 2, 3, 4]) == pytest.approx(0.0)


def test_psi_matches_the_formula_by_hand():
    expected, actual = [50, 50], [20, 80]
    by_hand = (0.2 - 0.5) * math.log(0.2 / 0.5) + (0.8 - 0.5) * math.log(0.8 / 0.5)
    assert psi(expected, actual) == pytest.approx(by_hand)


def test_empty_bin_uses_epsilon_and_stays_finite():
    value = psi([100, 0], [50, 50])
    assert value == pytest.approx((0.5 - 1.0) * math.log(0.5 / 1.0) + (0.5 - EPSILON) * math.log(0.5 / EPSILON))


def test_psi_without_rows_on_one_side_is_none():
    assert psi([0, 0], [1, 2]) is None


def test_bins_cover_every_range_and_skip_missing():
    assert common_bins([(0.2, 0.5), (None, None), (0.1, 0.9)], 4) == Bins(0.1, 0.9, 4)
    assert Bins(0.0, 1.0, 4).edges == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert common_bins([(None, None)], 4) is None


def test_lines_and_verdict():
    line = Line(warn=0.1, fail=0.25)
    findings = judge({"a": 0.05, "b": 0.2, "c": 0.3, "d": None}, line)
    assert [(f.measure, f.level, f.line) for f in findings] == [("c", "fail", 0.25), ("b", "warn", 0.1)]
    assert overall(findings) == "fail" and overall(findings[1:]) == "warn" and overall([]) == "ok"
    assert findings[0].describe() == "c = 0.3000 is over the fail line 0.25"


def test_relative_change():
    assert relative_change(130, 100) == pytest.approx(0.3)
    assert relative_change(5, None) is None and relative_change(5, 0) is None


def test_bins_ignore_infinite_and_nan_ends_and_widen_a_constant():
    assert common_bins([(0.0, math.inf), (-math.inf, 5.0), (math.nan, math.nan)], 5) == Bins(0.0, 5.0, 5)
    assert common_bins([(math.inf, math.inf)], 5) is None  # only infinities: nothing finite to bin over
    assert common_bins([(3.0, 3.0), (3.0, 3.0)], 4) == Bins(2.5, 3.5, 4)  # a constant sits inside its range
