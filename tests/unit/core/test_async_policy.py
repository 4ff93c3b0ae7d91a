"""AWS's retry policy for Event invocations, decided without a clock or a container."""

import pytest

from host.core.async_policy import (
    EVENT_AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    SUCCESS,
    AsyncTiming,
    Outcome,
    next_step,
)

AWS = AsyncTiming()


def step(outcome, attempts=1, setbacks=0, age=0.0, max_retries=None, max_age=21600.0, timing=AWS):
    return next_step(
        outcome,
        attempts=attempts,
        setbacks=setbacks,
        age=age,
        max_retries=max_retries,
        max_age=max_age,
        timing=timing,
    )


def test_success_ends_the_event():
    assert step(Outcome.SUCCEEDED).condition == SUCCESS


def test_a_function_error_is_retried_after_one_then_two_minutes_then_given_up():
    assert step(Outcome.FUNCTION_ERROR, attempts=1).delay == 60.0
    assert step(Outcome.FUNCTION_ERROR, attempts=2).delay == 120.0
    assert step(Outcome.FUNCTION_ERROR, attempts=3).condition == RETRIES_EXHAUSTED


@pytest.mark.parametrize(("max_retries", "runs"), [(0, 1), (1, 2), (2, 3)])
def test_maximum_retry_attempts_bounds_the_runs(max_retries, runs):
    assert step(Outcome.FUNCTION_ERROR, attempts=runs, max_retries=max_retries).condition == RETRIES_EXHAUSTED
    if runs > 1:
        assert step(Outcome.FUNCTION_ERROR, attempts=runs - 1, max_retries=max_retries).retry


def test_a_retry_that_would_start_after_the_maximum_age_ends_the_event_now():
    assert step(Outcome.FUNCTION_ERROR, attempts=1, age=5.0, max_age=60.0).condition == EVENT_AGE_EXCEEDED
    assert step(Outcome.FUNCTION_ERROR, attempts=1, age=5.0, max_age=70.0).delay == 60.0


@pytest.mark.parametrize("outcome", [Outcome.THROTTLED, Outcome.NOT_STARTED])
def test_throttles_and_failed_starts_back_off_from_one_second_to_five_minutes_without_an_attempt(outcome):
    delays = [step(outcome, attempts=0, setbacks=n).delay for n in range(1, 12)]
    assert delays[:5] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert max(delays) == 300.0
    assert step(outcome, attempts=3, setbacks=1).retry  # attempts do not count against a throttle


def test_throttled_until_the_maximum_age_ends_with_event_age_exceeded():
    assert step(Outcome.THROTTLED, attempts=0, setbacks=9, age=21500.0).condition == EVENT_AGE_EXCEEDED


def test_the_time_scale_shrinks_every_time_alike():
    fast = AsyncTiming(0.001)
    assert fast.retry_delay(1) == pytest.approx(0.06)
    assert fast.retry_delay(2) == pytest.approx(0.12)
    assert fast.backoff(20) == pytest.approx(0.3)
    assert fast.max_age(None) == pytest.approx(21.6)
    assert fast.max_age(60) == pytest.approx(0.06)
