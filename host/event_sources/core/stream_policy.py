"""What a stream poller does with one batch until it is done: retries, bisection, checkpoints.

A pure state machine over one batch of one shard (or one partition-key lane of it). The
poller asks ``next_step`` what to do, does it, and reports back. AWS's rules (§3.4):

1. Records older than ``MaximumRecordAgeInSeconds`` are discarded before an invocation
   (an OnFailure record, condition ``RecordAgeExceeded``); the rest go on.
2. Success: checkpoint at the sub-batch's last record.
3. A partial batch response: checkpoint just before the lowest failed record; the records
   from it on are retried. When that moved the checkpoint, they get a fresh retry budget
   (AWS-recorded: 6 records, the 6th always failing, 3 retries: it is invoked 1 + 4 times).
4. A function error (or an unusable partial response): with ``BisectBatchOnFunctionError``
   a sub-batch of more than one record is split in two halves, retried in order, each with
   a fresh budget; splitting is not a retry. Otherwise it is retried until
   ``MaximumRetryAttempts`` (-1: forever); then discarded with an OnFailure record,
   condition ``RetryAttemptsExhausted``, and the checkpoint moves past it.
5. Throttles and errors before the invocation cost no attempt: back off and try again.

Worked example, bisect on, retries 0, record 3 of [1..4] always failing: [1,2,3,4] fails
→ [1,2] ok, checkpoint 2 → [3,4] fails → [3] fails, retries exhausted, OnFailure for [3],
checkpoint 3 → [4] ok, checkpoint 4.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from host.event_sources.core.outcome import FAILURE, PARTIAL, SUCCESS, THROTTLED, Outcome
from host.event_sources.core.records import StreamRecord

INVOKE, EXPIRE, DISCARD, DONE = "invoke", "expire", "discard", "done"
RETRY_BASE, RETRY_CAP = 0.2, 5.0  # seconds between retries of a failing batch (doubling)
THROTTLE_BASE, THROTTLE_CAP = 0.1, 5.0


@dataclass
class SubBatch:
    records: list[StreamRecord]
    invocations: int = 0  # since its budget was last refreshed
    throttles: int = 0


@dataclass(frozen=True)
class Step:
    kind: str  # invoke, expire, discard or done
    records: list[StreamRecord] = field(default_factory=list)
    delay: float = 0.0  # wait this long first
    invoke_count: int = 0  # for expire/discard: the approximateInvokeCount to report


class BatchRun:
    def __init__(
        self, records: list[StreamRecord], max_retries: int = -1, max_age: int = -1, bisect: bool = False
    ) -> None:
        self.pending: deque[SubBatch] = deque([SubBatch(list(records))]) if records else deque()
        self.max_retries = max_retries
        self.max_age = max_age
        self.bisect = bisect
        self.delay = 0.0
        self.checkpoint: StreamRecord | None = None  # the last record that is done with (processed or discarded)
        self.last_response: dict | None = None

    def next_step(self, now: float) -> Step:
        """What to do now: expire some records, discard a sub-batch, invoke one, or nothing more."""
        while self.pending and not self.pending[0].records:
            self.pending.popleft()
        if not self.pending:
            return Step(DONE)
        current = self.pending[0]
        if self.max_age >= 0:
            expired = [r for r in current.records if now - r.arrival > self.max_age]
            if expired:
                current.records = [r for r in current.records if r not in expired]
                self._done_with(expired[-1])
                return Step(EXPIRE, expired, invoke_count=current.invocations + 1)
        delay, self.delay = self.delay, 0.0
        return Step(INVOKE, list(current.records), delay=delay)

    def _done_with(self, record: StreamRecord) -> None:
        """Move the checkpoint to ``record`` when nothing before it is still pending."""
        first_pending = min((r.number for s in self.pending for r in s.records), default=None)
        before_pending = first_pending is None or record.number < first_pending
        if before_pending and (self.checkpoint is None or record.number > self.checkpoint.number):
            self.checkpoint = record

    def report(self, outcome: Outcome, response: dict | None = None) -> Step | None:
        """The invocation of the current sub-batch ended; a DISCARD step when it must be given up."""
        current = self.pending[0]
        if outcome.kind == THROTTLED:
            current.throttles += 1
            self.delay = min(THROTTLE_CAP, THROTTLE_BASE * 2 ** (current.throttles - 1))
            return None
        current.invocations += 1
        current.throttles = 0
        self.last_response = response
        if outcome.kind == SUCCESS:
            self.pending.popleft()
            self._done_with(current.records[-1])
            return None
        if outcome.kind == PARTIAL:
            lowest = min(current.records.index(r) for r in current.records if r.sequence in outcome.failed)
            if lowest > 0:  # the checkpoint moves: the rest is a new sub-batch with a fresh budget
                done, rest = current.records[:lowest], current.records[lowest:]
                current.records = rest
                current.invocations = 0
                self._done_with(done[-1])
                return None
        elif outcome.kind == FAILURE and self.bisect and len(current.records) > 1:
            half = len(current.records) // 2
            self.pending.popleft()
            self.pending.extendleft([SubBatch(current.records[half:]), SubBatch(current.records[:half])])
            return None
        if self.max_retries >= 0 and current.invocations > self.max_retries:
            self.pending.popleft()
            self._done_with(current.records[-1])
            return Step(DISCARD, list(current.records), invoke_count=current.invocations)
        self.delay = min(RETRY_CAP, RETRY_BASE * 2 ** (current.invocations - 1))
        return None
