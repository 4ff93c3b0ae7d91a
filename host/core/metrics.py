"""What the Lambda side tells metrics: the narrow interface between invocations and CloudWatch metrics.

The scheduler, the Invoke service, the async dispatcher, the delivery worker, the stream
pollers and Step Functions call a ``MetricsRecorder`` with plain values at the moments AWS
counts something; ``host.observability.metrics`` implements it. Nothing here does I/O, and a
call must cost well under a microsecond or two: it sits on the warm invoke path.

1. ``began`` and ``ended`` bracket every invocation that reaches the scheduler (sync, async,
   event source mappings, Step Functions tasks, function URLs); ``ended`` gets the result with
   its handler duration, init duration (cold starts) and whether a provisioned environment ran it.
2. ``throttled`` is an invocation refused for concurrency (sync 429s, async setbacks).
3. The async path reports its events (received, age when tried, dropped), the delivery
   worker its failures (dead-letter, destination), the stream pollers each batch's iterator age.
4. Step Functions reports executions starting and ending, with their status.
"""

from __future__ import annotations

from typing import Protocol

from host.core.invocation import InvokeRequest, InvokeResult


class MetricsRecorder(Protocol):
    def began(self, request: InvokeRequest) -> None: ...

    def ended(self, request: InvokeRequest, result: InvokeResult) -> None: ...

    def throttled(self, function_name: str, qualifier: str | None) -> None: ...

    def async_received(self, function_name: str, qualifier: str | None) -> None: ...

    def async_event_age(self, function_name: str, qualifier: str | None, age_ms: float) -> None: ...

    def async_dropped(self, function_name: str, qualifier: str | None) -> None: ...

    def dead_letter_error(self, function_name: str, qualifier: str | None) -> None: ...

    def destination_failure(self, function_name: str, qualifier: str | None) -> None: ...

    def iterator_age(self, function_name: str, qualifier: str | None, age_ms: float) -> None: ...

    def execution_started(self, state_machine_arn: str) -> None: ...

    def execution_ended(self, state_machine_arn: str, status: str, duration_ms: float) -> None: ...


class NoMetrics:
    """Metrics switched off: every report is dropped."""

    def began(self, request: InvokeRequest) -> None:
        pass

    def ended(self, request: InvokeRequest, result: InvokeResult) -> None:
        pass

    def throttled(self, function_name: str, qualifier: str | None) -> None:
        pass

    def async_received(self, function_name: str, qualifier: str | None) -> None:
        pass

    def async_event_age(self, function_name: str, qualifier: str | None, age_ms: float) -> None:
        pass

    def async_dropped(self, function_name: str, qualifier: str | None) -> None:
        pass

    def dead_letter_error(self, function_name: str, qualifier: str | None) -> None:
        pass

    def destination_failure(self, function_name: str, qualifier: str | None) -> None:
        pass

    def iterator_age(self, function_name: str, qualifier: str | None, age_ms: float) -> None:
        pass

    def execution_started(self, state_machine_arn: str) -> None:
        pass

    def execution_ended(self, state_machine_arn: str, status: str, duration_ms: float) -> None:
        pass


NO_METRICS = NoMetrics()
