"""The statistics of CloudWatch metrics, on plain values: no I/O, no clock.

A metric's data is kept per minute (AWS's finest standard period) as an ``Aggregate``: the
sample count, sum, minimum, maximum and the samples themselves as a value -> count table,
which is what percentiles need. A period of N minutes merges N minutes' aggregates.

Worked example: Duration samples 10, 20, 30, 40 ms in minute 0 and 50 ms in minute 1, asked
with Period=120: one datapoint at minute 0 with SampleCount 5, Sum 150, Average 30,
Minimum 10, Maximum 50, p50 30 (nearest rank: the ceil(0.5 * 5) = 3rd smallest).

Caveats:
1. Percentiles are nearest-rank over the exact samples; CloudWatch's own are approximate,
   so on large sets the two may differ by a sample's width.
2. A minute with more than ``MAX_DISTINCT`` distinct values keeps them, from then on, to three
   significant digits (under 0.5 % error), then two, so memory and time stay bounded.
3. Data sent as StatisticValues (no samples) has no percentiles: a period that holds any is
   answered without them, as CloudWatch does for such data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

MINUTE = 60
MAX_DISTINCT = 2048
BASIC_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$")

Dimensions = tuple[tuple[str, str], ...]  # sorted (name, value) pairs: a metric's identity with its name


class Aggregate:
    """One minute (or period) of one metric."""

    __slots__ = ("count", "digits", "exact", "maximum", "minimum", "total", "values")

    def __init__(self) -> None:
        self.count = 0.0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.values: dict[float, float] = {}
        self.exact = True  # ``values`` holds every sample (False once StatisticValues were added)
        self.digits = 0  # significant digits samples are kept to (0: exact)

    def add(self, value: float, count: float = 1.0) -> None:
        self.count += count
        self.total += value * count
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value
        if self.digits:
            value = _round(value, self.digits)
        values = self.values
        values[value] = values.get(value, 0.0) + count
        if len(values) > MAX_DISTINCT:
            self._coarsen()

    def _coarsen(self) -> None:
        self.digits = 3 if not self.digits else max(1, self.digits - 1)
        self.values = _rounded(self.values, self.digits)

    def add_statistics(self, count: float, total: float, minimum: float, maximum: float) -> None:
        """Pre-aggregated data (PutMetricData's StatisticValues): no samples, so no percentiles."""
        self.count += count
        self.total += total
        self.minimum = min(self.minimum, minimum)
        self.maximum = max(self.maximum, maximum)
        self.exact = False

    def merge(self, other: Aggregate) -> None:
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        self.exact = self.exact and other.exact
        digits = min((d for d in (self.digits, other.digits) if d), default=0)  # the coarser of the two
        if digits != self.digits:
            self.digits = digits
            self.values = _rounded(self.values, digits)
        values = self.values
        for value, count in other.values.items():
            if digits:
                value = _round(value, digits)
            values[value] = values.get(value, 0.0) + count
        while len(self.values) > MAX_DISTINCT and self.digits != 1:
            self._coarsen()

    def percentile(self, p: float) -> float | None:
        """Nearest rank: the smallest sample with at least ``p`` % of the samples at or below it."""
        if not self.exact or not self.values or self.count <= 0:
            return None
        rank = max(1.0, math.ceil(p / 100.0 * self.count - 1e-9))
        seen = 0.0
        for value in sorted(self.values):
            seen += self.values[value]
            if seen >= rank - 1e-9:
                return value
        return self.maximum

    def statistic(self, name: str) -> float | None:
        """``name`` is one of ``BASIC_STATISTICS`` or a percentile such as ``p99`` or ``p99.9``."""
        if self.count <= 0:
            return None
        if name == "SampleCount":
            return self.count
        if name == "Sum":
            return self.total
        if name == "Average":
            return self.total / self.count
        if name == "Minimum":
            return self.minimum
        if name == "Maximum":
            return self.maximum
        return self.percentile(percentile_of(name))


def _round(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


def _rounded(values: dict[float, float], digits: int) -> dict[float, float]:
    coarse: dict[float, float] = {}
    for value, count in values.items():
        key = _round(value, digits)
        coarse[key] = coarse.get(key, 0.0) + count
    return coarse


def percentile_of(name: str) -> float:
    """The percentile a statistic such as ``p99.9`` names; ValueError for anything else."""
    match = _PERCENTILE.match(name)
    if match is None:
        raise ValueError(name)
    return float(match.group(1))


def is_statistic(name: str) -> bool:
    if name in BASIC_STATISTICS:
        return True
    try:
        percentile_of(name)
    except ValueError:
        return False
    return True


def minute_of(timestamp: float) -> int:
    """The start (epoch seconds) of the minute holding ``timestamp``."""
    return int(timestamp // MINUTE) * MINUTE


def rollup(
    minutes: Iterable[tuple[int, Aggregate]], start: float, end: float, period: int
) -> list[tuple[int, Aggregate]]:
    """Merge minute aggregates into periods of ``period`` seconds starting at ``start`` (rounded
    down to its minute), keeping minutes in [start, end); only periods holding data, oldest first."""
    origin = minute_of(start)
    periods: dict[int, Aggregate] = {}
    for minute, aggregate in minutes:
        if minute < origin or minute >= end:
            continue
        at = origin + (minute - origin) // period * period
        into = periods.get(at)
        if into is None:
            into = periods[at] = Aggregate()
        into.merge(aggregate)
    return sorted(periods.items())


def dimensions_key(pairs: Iterable[tuple[str, str]]) -> Dimensions:
    return tuple(sorted(pairs))


def matches_filters(dimensions: Dimensions, filters: Iterable[tuple[str, str | None]]) -> bool:
    """ListMetrics: the metric has every filter's dimension (with its value, when one is given)."""
    own = dict(dimensions)
    return all(name in own and (value is None or own[name] == value) for name, value in filters)
