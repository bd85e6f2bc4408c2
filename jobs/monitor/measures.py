"""Pure drift arithmetic: fixed-width bins, PSI with an epsilon for empty bins, threshold verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass

# An empty bin's share is replaced by this, so ln(a/e) stays finite; small enough that a bin holding 1% of the
# rows on one side and none on the other still adds about 0.05 to the PSI.
EPSILON = 1e-4
LEVELS = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Bins:
    """`count` equal-width bins over [low, high]; values outside are clipped into the first or last bin."""

    low: float
    high: float
    count: int

    @property
    def edges(self) -> list[float]:
        width = (self.high - self.low) / self.count
        return [self.low + width * index for index in range(self.count)] + [self.high]


# Half the width of the range given to a constant column, so its one value sits in a middle bin and a value
# below or above it (or -inf / +inf) lands in another bin.
CONSTANT_HALF_WIDTH = 0.5


def common_bins(ranges: list[tuple[float | None, float | None]], count: int) -> Bins | None:
    """Bins covering every finite (min, max) given (partitions without a finite value are skipped); None when none
    has one. A single value (min == max everywhere) gets the range value +/- CONSTANT_HALF_WIDTH."""
    lows = [low for low, _ in ranges if low is not None and math.isfinite(low)]
    highs = [high for _, high in ranges if high is not None and math.isfinite(high)]
    if not lows or not highs:
        return None
    low, high = float(min(lows)), float(max(highs))
    if high <= low:
        low, high = low - CONSTANT_HALF_WIDTH, high + CONSTANT_HALF_WIDTH
    return Bins(low, high, count)


def shares(counts: list[int]) -> list[float]:
    """Each bin's share of the total (all zeros when the total is zero)."""
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]


def psi(expected: list[int], actual: list[int]) -> float | None:
    """Population stability index of `actual` against `expected` bin counts; None when either side is empty.

    PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i), where a_i and e_i are the bins' shares and an empty bin's
    share is EPSILON.
    """
    if len(expected) != len(actual):
        raise ValueError(f"bin counts differ in length: {len(expected)} vs {len(actual)}")
    if not sum(expected) or not sum(actual):
        return None
    total = 0.0
    for e, a in zip(shares(expected), shares(actual), strict=True):
        e, a = max(e, EPSILON), max(a, EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def relative_change(current: int, previous: int | None) -> float | None:
    """|current - previous| / previous; None without a previous count (or a previous of zero)."""
    if not previous:
        return None
    return abs(current - previous) / previous


@dataclass(frozen=True)
class Line:
    """Warn and fail lines of one measure (None: that line never triggers)."""

    warn: float | None = None
    fail: float | None = None

    def level(self, value: float | None) -> str:
        if value is None:
            return "ok"
        if self.fail is not None and value > self.fail:
            return "fail"
        if self.warn is not None and value > self.warn:
            return "warn"
        return "ok"


@dataclass(frozen=True)
class Finding:
    """A measure over its warn or fail line."""

    measure: str
    value: float
    level: str
    line: float

    def describe(self) -> str:
        return f"{self.measure} = {self.value:.4f} is over the {self.level} line {self.line}"


def judge(measures: dict[str, float | None], line: Line) -> list[Finding]:
    """Findings for every measure over a line of `line`, worst first, then by name."""
    findings = []
    for name, value in measures.items():
        level = line.level(value)
        if level != "ok":
            assert value is not None
            findings.append(Finding(name, value, level, line.fail if level == "fail" else line.warn))
    return sorted(findings, key=lambda f: (-LEVELS.index(f.level), f.measure))


def overall(findings: list[Finding]) -> str:
    """ok, warn or fail: the worst level among the findings."""
    return max((f.level for f in findings), key=LEVELS.index, default="ok")
