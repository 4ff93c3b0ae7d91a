"""What happens next to an Event invocation: AWS's retry policy, as a pure function.

AWS (invocation-async docs): after a function error, including a timeout or a crash,
Lambda runs the event at most twice more, one minute and then two minutes later. After
a throttle or a failure to start an environment it puts the event back with a back-off
from one second doubling to five minutes, without using up an attempt, for as long as
the event is younger than its maximum age (six hours unless configured). An event that
runs out of attempts fails with ``RetriesExhausted``; one that would outlive its maximum
age with ``EventAgeExceeded`` (decided ahead, as Lambda does: a retry that would start
too late is not waited for).

``AsyncTiming.scale`` multiplies every one of these times, so tests and demos can run
AWS's policy in milliseconds; 1.0 is AWS's timing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

FUNCTION_ERROR_DELAYS = (60.0, 120.0)  # seconds before the second and the third attempt
DEFAULT_RETRY_ATTEMPTS = 2
BACKOFF_FIRST = 1.0  # seconds, after the first throttle; doubles each time
BACKOFF_MAX = 300.0
DEFAULT_MAX_EVENT_AGE = 21600  # seconds: six hours

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
ZERO_RESERVED_CONCURRENCY = "ZeroReservedConcurrency"  # reserved concurrency 0: straight to failure handling


class Outcome(enum.Enum):
    SUCCEEDED = "succeeded"
    FUNCTION_ERROR = "function error"  # the function (or its runtime) failed: uses an attempt
    THROTTLED = "throttled"  # a concurrency limit: back off, no attempt used
    NOT_STARTED = "not started"  # no environment could be started: back off, no attempt used


@dataclass(frozen=True)
class AsyncTiming:
    scale: float = 1.0

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` (1 or 2) failed ones."""
        return FUNCTION_ERROR_DELAYS[min(attempts, len(FUNCTION_ERROR_DELAYS)) - 1] * self.scale

    def backoff(self, times: int) -> float:
        """Seconds to wait after the ``times``-th throttle or failed start in a row (1, 2, ...)."""
        return min(BACKOFF_FIRST * 2 ** max(times - 1, 0), BACKOFF_MAX) * self.scale

    def max_age(self, configured: int | None) -> float:
        return (configured or DEFAULT_MAX_EVENT_AGE) * self.scale


@dataclass(frozen=True)
class Step:
    """Either run again after ``delay`` seconds, or end with ``condition``."""

    delay: float | None = None
    condition: str | None = None

    @property
    def retry(self) -> bool:
        return self.delay is not None


def next_step(
    outcome: Outcome,
    *,
    attempts: int,
    setbacks: int,
    age: float,
    max_retries: int | None,
    max_age: float,
    timing: AsyncTiming,
) -> Step:
    """The step after ``outcome``.

    ``attempts`` counts the runs so far (this one included), ``setbacks`` the throttles or
    failed starts in a row (this one included), ``age`` the event's age in seconds now.
    """
    if outcome is Outcome.SUCCEEDED:
        return Step(condition=SUCCESS)
    if outcome is Outcome.FUNCTION_ERROR:
        allowed = DEFAULT_RETRY_ATTEMPTS if max_retries is None else max_retries
        if attempts > allowed:
            return Step(condition=RETRIES_EXHAUSTED)
        delay = timing.retry_delay(attempts)
    else:
        delay = timing.backoff(setbacks)
    if age + delay > max_age:
        return Step(condition=EVENT_AGE_EXCEEDED)
    return Step(delay=delay)
