"""Polling an SQS queue for a mapping, as Lambda's SQS pollers do (§2.2-§2.5).

1. Pollers long-poll (``WaitTimeSeconds`` 20, at most 10 messages a receive) on kept-alive
   connections. A mapping starts 5 of them (fewer under ``MaximumConcurrency``) and adds
   more while every poller comes back with a full batch, up to ``MaximumConcurrency``, the
   function's reserved concurrency, or 1,000; pollers above the first 5 leave after an
   empty receive.
2. A batch is one receive with a window of 0, else receives merged until ``BatchSize``,
   the window, or 6 MB.
3. Messages that no filter matches are deleted without an invocation.
4. Success: the batch is deleted (``DeleteMessageBatch``, 10 at a time, failures ignored).
   A function error, timeout or crash: nothing is deleted and nothing is made visible; the
   messages come back when the queue's visibility timeout ends, and the queue's
   ``RedrivePolicy`` moves them to its dead-letter queue (SQS's work). A partial batch
   response: the messages it does not name are deleted.
5. A throttled invocation (429) is tried again with a back-off, with the same batch, until
   the batch's visibility timeout is nearly over; then the messages are left to come back.
6. FIFO queues: SQS hands out a message group only while none of its messages is in
   flight, so each group has at most one batch in flight and groups run in parallel.
"""

from __future__ import annotations

import math
import threading
import time

from host.aws.wire import AwsCallError, WireClient
from host.event_sources.core.filters import matches_any, parse_patterns
from host.event_sources.core.outcome import FAILURE, PARTIAL, read_answer
from host.event_sources.core.records import filter_view, sqs_record
from host.event_sources.pollers.base import MAX_PAYLOAD, Backoff, Context, log, split_by_size

BASE_POLLERS = 5
DEFAULT_CEILING = 1000
LONG_POLL = 20
SCALE_UP_EVERY = 0.2  # seconds between added pollers: AWS adds up to 300 a minute


class SqsRunner:
    def __init__(self, context: Context, ceiling: int | None = None) -> None:
        self.context = context
        mapping = context.mapping
        self.sqs = WireClient(context.endpoint, "sqs", mapping.source.region)
        self.patterns = parse_patterns(mapping.filters)
        self.ceiling = max(1, mapping.maximum_concurrency or ceiling or DEFAULT_CEILING)
        self.base = min(BASE_POLLERS, self.ceiling)
        self.lock = threading.Lock()
        self.pollers = 0
        self.busy = 0
        self.last_added = 0.0
        self.queue_url: str | None = None
        self.visibility = 30
        self.timeout = 3  # the function's, for Lambda's effective visibility timeout
        self.backoff = Backoff()
        self.ready = threading.Event()  # the queue is found and the pollers are polling
        # One poller collects at a time (invocations still run side by side) for a FIFO queue, so an endpoint
        # whose receive is not atomic (moto's is not) never hands two pollers messages of one group, and with
        # a batching window, so a window fills one batch instead of five thin ones.
        self.receiving = threading.Lock() if mapping.source.fifo or mapping.window > 0 else None
        # moto leaves a group that was in flight when a long poll began out of that whole poll: poll FIFO
        # queues a second at a time.
        self.long_poll = 1 if mapping.source.fifo else LONG_POLL

    def start(self) -> None:
        threading.Thread(target=self._first, name=f"esm-sqs-{self.context.mapping.uuid[:8]}", daemon=True).start()

    def _first(self) -> None:
        """Find the queue, then start the pollers."""
        context = self.context
        while not context.stop.is_set():
            try:
                self._find_queue()
                break
            except AwsCallError as exc:
                self._unreachable(exc)
        for _ in range(self.base):
            self._add_poller()
        self.ready.set()

    def _find_queue(self) -> None:
        source = self.context.mapping.source
        found = self.sqs.call("GetQueueUrl", {"QueueName": source.name, "QueueOwnerAWSAccountId": source.account})
        self.queue_url = found["QueueUrl"]
        attributes = self.sqs.call(
            "GetQueueAttributes", {"QueueUrl": self.queue_url, "AttributeNames": ["VisibilityTimeout"]}
        ).get("Attributes", {})
        self.visibility = int(attributes.get("VisibilityTimeout", 30))
        facts = self.context.lam.resolve(self.context.mapping.function_arn)
        self.timeout = facts.timeout if facts is not None else 3

    def _unreachable(self, exc: AwsCallError) -> None:
        if self.context.stop.is_set():
            return  # the host is stopping: its endpoint may already be gone
        delay = self.backoff.next()
        log.warning(
            "event source mapping %s: %s cannot be polled (%s); trying again in %.0f s",
            self.context.mapping.uuid, self.context.mapping.source.arn, exc, delay,
        )  # fmt: skip
        self.context.report(self.context.mapping.uuid, f"PROBLEM: Connection error. {exc.message or exc.code}")
        self.context.wait(delay)

    def _add_poller(self) -> None:
        with self.lock:
            if self.pollers >= self.ceiling:
                return
            self.pollers += 1
            self.last_added = time.monotonic()
        name = f"esm-sqs-{self.context.mapping.uuid[:8]}-{self.pollers}"
        threading.Thread(target=self._poll, name=name, daemon=True).start()

    def _poll(self) -> None:
        context = self.context
        try:
            while not context.stop.is_set():
                try:
                    cpu = time.thread_time()
                    messages = self._collect()
                except AwsCallError as exc:
                    self._unreachable(exc)
                    continue
                self.backoff.ok()
                if not messages:
                    with self.lock:
                        if self.pollers > self.base:  # scale down to the base after an idle receive
                            return
                    continue
                full = len(messages) >= min(10, context.mapping.batch_size)
                with self.lock:
                    self.busy += 1
                    grow = full and self.busy >= self.pollers and time.monotonic() - self.last_added > SCALE_UP_EVERY
                if grow:
                    self._add_poller()
                try:
                    self._process(messages)
                finally:
                    with self.lock:
                        self.busy -= 1
                        context.batches += 1
                        context.cpu += time.thread_time() - cpu
        finally:
            with self.lock:
                self.pollers -= 1

    def _collect(self) -> list[dict]:
        """One batch: a receive, or receives merged until BatchSize, the window or 6 MB."""
        if self.receiving is None:
            return self._receive()
        with self.receiving:
            return self._receive()

    def _receive(self) -> list[dict]:
        mapping = self.context.mapping
        window = mapping.window
        wanted = mapping.batch_size
        request = {
            "QueueUrl": self.queue_url,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if window > 0 and window + self.timeout > self.visibility:
            request["VisibilityTimeout"] = window + self.timeout + 30  # Lambda's effective visibility timeout
        messages: list[dict] = []
        size = 0
        deadline = None
        while len(messages) < wanted and not self.context.stop.is_set():
            remaining = self.long_poll if deadline is None else deadline - time.monotonic()
            if deadline is not None and remaining <= 0:
                break
            request["MaxNumberOfMessages"] = min(10, wanted - len(messages))
            request["WaitTimeSeconds"] = min(self.long_poll, max(0, math.ceil(remaining)))
            answer = self.sqs.call("ReceiveMessage", request, timeout=LONG_POLL + 15)
            received = answer.get("Messages") or []
            messages += received
            size += sum(len(m.get("Body", "")) for m in received)
            if messages and window == 0:
                break
            if messages and deadline is None:
                deadline = time.monotonic() + window
            if size >= MAX_PAYLOAD:
                break
            if not received and deadline is None:
                break  # an empty long poll: let the caller decide (stop, scale down)
        return messages

    def _process(self, messages: list[dict]) -> None:
        context = self.context
        mapping = context.mapping
        received = time.monotonic()
        records = [sqs_record(m, mapping.source.arn, mapping.source.region) for m in messages]
        if self.patterns:
            kept = [r for r in records if matches_any(self.patterns, filter_view("sqs", r))]
            dropped = [r for r in records if r not in kept]
            self._delete(dropped)
            records = kept
        for group in split_by_size(records):
            if group:
                self._invoke(group, received)

    def _invoke(self, records: list[dict], received: float) -> None:
        context = self.context
        mapping = context.mapping
        throttle = Backoff(0.1, 5.0)
        while True:
            outcome = context.invoke(records)
            if outcome.throttled or (outcome.error and not outcome.missing):
                delay = throttle.next()
                if time.monotonic() + delay - received >= self.visibility - 1:
                    log.info("event source mapping %s: throttled until the visibility timeout; left", mapping.uuid)
                    return
                if context.wait(delay):
                    return  # stopped: the messages come back after their visibility timeout
                continue
            break
        if outcome.missing:
            log.warning("event source mapping %s: %s", mapping.uuid, outcome.error)
            return
        ids = [r["messageId"] for r in records]
        answer = read_answer(outcome.payload, outcome.function_error, mapping.reports_failures, ids)
        if answer.kind == FAILURE:
            return  # nothing deleted, nothing made visible: back after the visibility timeout
        if answer.kind == PARTIAL:
            failed = set(answer.failed)
            records = [r for r in records if r["messageId"] not in failed]
        self._delete(records)

    def _delete(self, records: list[dict]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)]
            try:
                self.sqs.call("DeleteMessageBatch", {"QueueUrl": self.queue_url, "Entries": entries})
            except AwsCallError as exc:  # they come back after the visibility timeout: at least once
                log.warning("event source mapping %s: deleting messages failed: %s", self.context.mapping.uuid, exc)
