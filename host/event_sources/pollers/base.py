"""What every mapping's pollers share: their context, invoking a batch, waiting politely.

A ``Runner`` is one running mapping (its threads); ``Context`` is everything it may touch.
Threads are started when a mapping starts and end when it stops: never one per batch.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from host.aws.endpoint import AwsEndpoint
from host.core.metrics import NO_METRICS, MetricsRecorder
from host.event_sources.core.config import MappingConfig
from host.event_sources.lambda_side import InvokeOutcome, LambdaSide

log = logging.getLogger("lambda_host.event_sources")
MAX_PAYLOAD = 6 * 1024 * 1024 - 1024  # a synchronous invocation's limit, less room for the envelope
ENDPOINT_BACKOFF_CAP = 30.0


@dataclass
class Context:
    mapping: MappingConfig
    lam: LambdaSide
    endpoint: AwsEndpoint
    report: Callable[[str, str], None]  # (mapping uuid, LastProcessingResult)
    stop: threading.Event
    invoke_timeout: float = 905.0
    metrics: MetricsRecorder = NO_METRICS  # IteratorAge of stream batches
    batches: int = 0  # invocations made, and the CPU the pollers' threads spent around them (benchmarks)
    cpu: float = 0.0

    def invoke(self, records: list[dict]) -> InvokeOutcome:
        """One synchronous invocation with ``{"Records": [...]}``; blocks this thread."""
        payload = json.dumps({"Records": records}, separators=(",", ":")).encode()
        mapping = self.mapping
        future = self.lam.invoke(mapping.function_name, mapping.qualifier, payload)
        return future.result(timeout=self.invoke_timeout)

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopped; True when the mapping was stopped meanwhile."""
        return self.stop.wait(seconds) if seconds > 0 else self.stop.is_set()


class Backoff:
    """1 s doubling to a cap, reset by ``ok``; for an endpoint that cannot be reached."""

    def __init__(self, base: float = 1.0, cap: float = ENDPOINT_BACKOFF_CAP) -> None:
        self.base, self.cap, self.failures = base, cap, 0

    def next(self) -> float:
        self.failures += 1
        return min(self.cap, self.base * 2 ** (self.failures - 1))

    def ok(self) -> None:
        self.failures = 0


def split_by_size(records: list[dict], limit: int = MAX_PAYLOAD) -> list[list[dict]]:
    """Consecutive groups of records whose JSON stays under Lambda's 6 MB payload limit."""
    groups: list[list[dict]] = [[]]
    size = 0
    for record in records:
        length = len(json.dumps(record, separators=(",", ":"))) + 1
        if groups[-1] and size + length > limit:
            groups.append([])
            size = 0
        groups[-1].append(record)
        size += length
    return groups
