"""The same figures as Prometheus text (exposition format 0.0.4), for people who scrape.

Counters (``_total``) and millisecond histograms (``_bucket``/``_sum``/``_count``) add up
everything reported since the host started, as a Prometheus counter does; gauges (concurrent
executions, utilisation) hold their last value. Names are ``<namespace>_<metric>`` in snake
case (``aws_lambda_invocations_total``, ``aws_lambda_duration_milliseconds``); a CloudWatch
dimension becomes a snake-case label. Each dimension set is its own series, as CloudWatch
keeps them: the series without labels is the account-wide figure, so sum over
``function_name`` with ``resource=""`` to avoid counting an invocation twice.
"""

from __future__ import annotations

import bisect
import math
import re
import threading

from host.observability.metrics.stats import Aggregate, Dimensions

GAUGES = {
    "ConcurrentExecutions",
    "UnreservedConcurrentExecutions",
    "ProvisionedConcurrentExecutions",
    "ProvisionedConcurrencyUtilization",
}
BUCKETS_MS = (1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 900000)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_INVALID = re.compile(r"[^a-zA-Z0-9_]")


def snake(name: str) -> str:
    return _INVALID.sub("_", _CAMEL.sub("_", name)).lower()


class Series:
    __slots__ = ("buckets", "count", "last", "total")

    def __init__(self) -> None:
        self.count = 0.0
        self.total = 0.0
        self.last = 0.0
        self.buckets = [0.0] * len(BUCKETS_MS)


class Cumulative:
    """Totals since the host started, per (namespace, metric, dimensions); fed by the flusher."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.series: dict[tuple[str, str, Dimensions], tuple[str, Series]] = {}

    def _series(self, ns: str, metric: str, dims: Dimensions, unit: str) -> Series:
        found = self.series.get((ns, metric, dims))
        if found is None:
            found = self.series[(ns, metric, dims)] = (unit, Series())
        return found[1]

    def add_value(self, ns: str, metric: str, dims: Dimensions, unit: str, value: float, count: float = 1.0) -> None:
        series = self._series(ns, metric, dims, unit)
        series.count += count
        series.total += value * count
        series.last = value
        if unit == "Milliseconds":  # counted in its own bucket; render makes them cumulative
            index = bisect.bisect_left(BUCKETS_MS, value)
            if index < len(BUCKETS_MS):
                series.buckets[index] += count

    def set_gauge(self, ns: str, metric: str, dims: Dimensions, value: float) -> None:
        """A gauge's value now, without a sample (concurrency going down as invocations end)."""
        found = self.series.get((ns, metric, dims))
        if found is not None:
            found[1].last = value

    def add(self, ns: str, metric: str, dims: Dimensions, unit: str, data: Aggregate) -> None:
        if data.values and data.exact:
            for value, count in data.values.items():
                self.add_value(ns, metric, dims, unit, value, count)
        else:
            series = self._series(ns, metric, dims, unit)
            series.count += data.count
            series.total += data.total
            series.last = data.maximum

    def render(self) -> str:
        families: dict[str, tuple[str, list[str]]] = {}
        with self.lock:
            items = sorted(self.series.items())
        for (ns, metric, dims), (unit, series) in items:
            base = f"{snake(ns)}_{snake(metric)}"
            labels = [(snake(name), value) for name, value in dims]
            if metric in GAUGES:
                family = families.setdefault(base, ("gauge", []))
                family[1].append(_line(base, labels, series.last))
            elif unit == "Milliseconds":
                base += "_milliseconds"
                family = families.setdefault(base, ("histogram", []))
                running = 0.0
                for bound, count in zip(BUCKETS_MS, series.buckets, strict=True):
                    running += count
                    family[1].append(_line(f"{base}_bucket", [*labels, ("le", _number(bound))], running))
                family[1].append(_line(f"{base}_bucket", [*labels, ("le", "+Inf")], series.count))
                family[1].append(_line(f"{base}_sum", labels, series.total))
                family[1].append(_line(f"{base}_count", labels, series.count))
            else:
                base += "_total"
                family = families.setdefault(base, ("counter", []))
                family[1].append(_line(base, labels, series.total))
        out = []
        for name, (kind, lines) in families.items():
            out.append(f"# TYPE {name} {kind}\n")
            out.extend(lines)
        return "".join(out)


def _line(name: str, labels: list[tuple[str, str]], value: float) -> str:
    if labels:
        inner = ",".join(f'{key}="{_escape(val)}"' for key, val in labels)
        return f"{name}{{{inner}}} {_number(value)}\n"
    return f"{name} {_number(value)}\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))
