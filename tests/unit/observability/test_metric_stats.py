"""The pure statistics of metrics: aggregates, percentiles, period roll-up, dimension matching."""

import pytest

from host.observability.metrics.names import function_dimensions, qualifier_of
from host.observability.metrics.stats import (
    MAX_DISTINCT,
    Aggregate,
    dimensions_key,
    is_statistic,
    matches_filters,
    minute_of,
    percentile_of,
    rollup,
)


def aggregate(*values):
    a = Aggregate()
    for value in values:
        a.add(value)
    return a


def test_an_aggregate_gives_the_five_basic_statistics():
    a = aggregate(10, 20, 30, 40)
    assert [a.statistic(s) for s in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")] == [4, 100, 25, 10, 40]


def test_percentiles_are_nearest_rank_over_the_samples():
    a = aggregate(*range(1, 101))
    assert a.statistic("p50") == 50
    assert a.statistic("p90") == 90
    assert a.statistic("p99") == 99
    assert a.statistic("p99.9") == 100
    assert a.statistic("p100") == 100
    assert a.statistic("p0") == 1
    assert aggregate(7).statistic("p99") == 7


def test_repeated_values_are_counted_not_stored_twice():
    a = Aggregate()
    for _ in range(1000):
        a.add(1.0)
    a.add(0.0)
    assert a.values == {1.0: 1000, 0.0: 1}
    assert a.statistic("Sum") == 1000 and a.statistic("SampleCount") == 1001
    assert a.statistic("p50") == 1.0


def test_an_empty_aggregate_has_no_statistics():
    assert Aggregate().statistic("Sum") is None
    assert Aggregate().statistic("p50") is None


def test_statistic_values_without_samples_have_no_percentiles():
    a = aggregate(5)
    a.add_statistics(count=3, total=30, minimum=1, maximum=20)
    assert a.statistic("SampleCount") == 4 and a.statistic("Sum") == 35 and a.statistic("Maximum") == 20
    assert a.statistic("p50") is None


def test_many_distinct_values_are_kept_to_three_significant_digits():
    a = aggregate(*(1000 + i / 100 for i in range(MAX_DISTINCT + 10)))
    assert len(a.values) <= MAX_DISTINCT
    assert a.statistic("SampleCount") == MAX_DISTINCT + 10
    assert abs(a.statistic("p50") - 1010.2) / 1010.2 < 0.005


def test_merging_minutes_adds_counts_and_samples():
    a, b = aggregate(1, 2), aggregate(3)
    a.merge(b)
    assert a.statistic("SampleCount") == 3 and a.statistic("Maximum") == 3 and a.statistic("p50") == 2


@pytest.mark.parametrize("name", ["SampleCount", "Average", "Sum", "Minimum", "Maximum", "p50", "p99", "p99.9", "p0"])
def test_statistic_names_that_cloudwatch_knows(name):
    assert is_statistic(name)


@pytest.mark.parametrize("name", ["avg", "P99", "p101", "p", "p-1", "tm99", ""])
def test_statistic_names_that_are_refused(name):
    assert not is_statistic(name)
    with pytest.raises(ValueError):
        percentile_of(name)


def test_a_period_rollup_merges_the_minutes_it_holds():
    minutes = [(0, aggregate(10, 20, 30, 40)), (60, aggregate(50)), (180, aggregate(1))]
    periods = rollup(minutes, start=0, end=240, period=120)
    assert [at for at, _ in periods] == [0, 120]
    first = periods[0][1]
    assert [first.statistic(s) for s in ("SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50")] == [
        5, 150, 30, 10, 50, 30,
    ]  # fmt: skip
    assert periods[1][1].statistic("Sum") == 1


def test_a_rollup_starts_at_the_minute_of_start_and_keeps_minutes_before_end():
    minutes = [(60, aggregate(1)), (120, aggregate(2)), (180, aggregate(4)), (240, aggregate(8))]
    periods = rollup(minutes, start=90, end=240, period=60)
    assert [(at, a.statistic("Sum")) for at, a in periods] == [(60, 1), (120, 2), (180, 4)]
    assert minute_of(119.9) == 60


def test_dimension_filters_need_each_name_and_value_when_given():
    dims = dimensions_key([("Resource", "f:live"), ("FunctionName", "f")])
    assert dims == (("FunctionName", "f"), ("Resource", "f:live"))
    assert matches_filters(dims, [("FunctionName", None)])
    assert matches_filters(dims, [("FunctionName", "f"), ("Resource", "f:live")])
    assert not matches_filters(dims, [("FunctionName", "g")])
    assert not matches_filters(dims, [("ExecutedVersion", None)])
    assert matches_filters((), [])


def test_function_metrics_use_the_dimension_sets_lambda_publishes():
    assert function_dimensions("f", None) == [(), (("FunctionName", "f"),)]
    assert function_dimensions("f", "3", "3")[2:] == [(("FunctionName", "f"), ("Resource", "f:3"))]
    alias = function_dimensions("f", "live", "2")
    assert alias[2:] == [
        (("FunctionName", "f"), ("Resource", "f:live")),
        (("ExecutedVersion", "2"), ("FunctionName", "f"), ("Resource", "f:live")),
    ]
    assert qualifier_of("arn:aws:lambda:us-east-1:123456789012:function:f:live") == "live"
    assert qualifier_of("arn:aws:lambda:us-east-1:123456789012:function:f") is None


def test_a_coarse_minute_stays_coarse_and_merging_keeps_the_coarser_precision():
    coarse = aggregate(*(1000 + i / 100 for i in range(MAX_DISTINCT + 10)))
    coarse.add(1234.5678)
    assert 1234.5678 not in coarse.values and 1230.0 in coarse.values
    exact = aggregate(5.4321)
    exact.merge(coarse)
    assert 5.43 in exact.values and 5.4321 not in exact.values
    assert exact.statistic("SampleCount") == MAX_DISTINCT + 12 and exact.statistic("Minimum") == 5.4321
