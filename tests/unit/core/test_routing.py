"""Alias routing: one draw per invocation picks the additional version below its weight, else the primary."""

import random
from collections import Counter

import pytest

from host.core.model import Alias
from host.core.routing import route


def alias(version: str = "1", weights: tuple[tuple[str, float], ...] = ()) -> Alias:
    return Alias(
        function_name="my-fn",
        name="live",
        arn="arn:aws:lambda:us-east-1:123456789012:function:my-fn:live",
        function_version=version,
        additional_weights=weights,
    )


def fixed(value: float):
    return lambda: value


def never():
    raise AssertionError("an alias without weights must not draw")


def test_an_alias_without_weights_runs_its_version_without_drawing():
    assert route(alias("3"), never) == "3"
    assert route(alias("$LATEST"), never) == "$LATEST"


def test_the_default_draw_is_used_when_none_is_given():
    assert route(alias("1", (("2", 1.0),))) == "2"
    assert route(alias("1", (("2", 0.0),))) == "1"


@pytest.mark.parametrize(
    ("draw", "expected"),
    [(0.0, "2"), (0.1, "2"), (0.1999, "2"), (0.2, "1"), (0.5, "1"), (0.9999, "1")],
)
def test_a_draw_under_the_weight_runs_the_additional_version(draw: float, expected: str):
    assert route(alias("1", (("2", 0.2),)), fixed(draw)) == expected


def test_a_weight_of_zero_never_runs_the_additional_version():
    assert route(alias("1", (("2", 0.0),)), fixed(0.0)) == "1"


def test_a_weight_of_one_always_runs_the_additional_version():
    assert route(alias("1", (("2", 1.0),)), fixed(0.0)) == "2"
    assert route(alias("1", (("2", 1.0),)), fixed(0.999999)) == "2"


def test_several_weights_take_consecutive_shares_of_the_draw():
    routed = alias("1", (("2", 0.25), ("3", 0.25)))
    assert route(routed, fixed(0.1)) == "2"
    assert route(routed, fixed(0.3)) == "3"
    assert route(routed, fixed(0.6)) == "1"


def test_each_invocation_draws_exactly_once():
    draws = iter([0.9, 0.05, 0.5])
    calls = []

    def draw() -> float:
        value = next(draws)
        calls.append(value)
        return value

    routed = alias("1", (("2", 0.1),))
    assert [route(routed, draw) for _ in range(3)] == ["1", "2", "1"]
    assert calls == [0.9, 0.05, 0.5]


@pytest.mark.parametrize("weight", [0.05, 0.3, 0.5, 0.8])
def test_the_share_of_invocations_follows_the_weight(weight: float):
    rng = random.Random(1234)
    runs = 20_000
    counts = Counter(route(alias("1", (("2", weight),)), rng.random) for _ in range(runs))
    assert set(counts) == {"1", "2"}
    # 20,000 draws: the standard deviation of the share is at most 0.0036, so 0.015 is > 4 sigma.
    assert counts["2"] / runs == pytest.approx(weight, abs=0.015)
    assert counts["1"] + counts["2"] == runs
