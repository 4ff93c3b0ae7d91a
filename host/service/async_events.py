"""Running Event invocations from the durable queue, with AWS's retry policy and destinations.

1. ``accept`` commits the event to SQLite; only then does the caller get its 202.
2. The event runs on the same pools as synchronous invocations, at most
   ``concurrency`` events at once, always with the request id it was accepted with.
3. What follows each run is ``async_policy.next_step``: after a function error two more
   attempts (one and two minutes later, or as ``MaximumRetryAttempts`` says); after a
   throttle or a failed start a back-off that uses no attempt; an end with ``Success``,
   ``RetriesExhausted`` or ``EventAgeExceeded``. A function with reserved concurrency 0
   sends its events straight to failure handling.
4. The end removes the event and queues its deliveries (the OnSuccess or OnFailure
   destination's record, the dead-letter message) in one transaction, for the
   ``DeliveryWorker``. A crash of the host before that leaves the event queued, and it
   runs again when the host starts (at least once, as on AWS).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from host.core.async_policy import (
    EVENT_AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    SUCCESS,
    ZERO_RESERVED_CONCURRENCY,
    AsyncTiming,
    Outcome,
    Step,
    next_step,
)
from host.core.errors import TooManyRequests
from host.core.invocation import InvokeRequest, InvokeResult
from host.core.invocation_record import dead_letter_attributes, invocation_record, record_body
from host.core.metrics import NO_METRICS, MetricsRecorder
from host.core.model import LATEST, EventInvokeConfig, FunctionConfig
from host.environments.scheduler import Scheduler
from host.service.concurrency import ConcurrencyGate
from host.store.events import Delivery, EventQueue, QueuedEvent

log = logging.getLogger("lambda_host.async")

PAYLOAD_KEPT_FOR = 1.0  # seconds: an event due later than this waits without its payload in memory


class AsyncDispatcher:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        queue: EventQueue,
        lookup: Callable[[str, str | None], FunctionConfig | None],
        event_config: Callable[[str, str], EventInvokeConfig | None],
        gate: ConcurrencyGate,
        scheduler: Scheduler,
        arn_of: Callable[[str, str | None], str],
        new_trace_id: Callable[[], str],
        timing: AsyncTiming | None = None,
        concurrency: int = 10,
        on_deliveries: Callable[[list[Delivery]], None] = lambda deliveries: None,
        metrics: MetricsRecorder = NO_METRICS,
    ) -> None:
        self.metrics = metrics  # AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped, Throttles
        self.loop = loop
        self.queue = queue
        self.lookup = lookup
        self.event_config = event_config
        self.gate = gate
        self.scheduler = scheduler
        self.arn_of = arn_of
        self.new_trace_id = new_trace_id
        self.timing = timing or AsyncTiming()
        self.on_deliveries = on_deliveries
        self.incoming: list[tuple[str, str, str, bytes, asyncio.Future]] = []  # accepted, not yet committed
        self.setbacks: dict[str, int] = {}  # request id -> throttles or failed starts in a row
        self.concurrency = concurrency
        self.stopping = False  # the host is draining: no new attempt starts (the rows wait for the next start)
        self.slots: dict[str, asyncio.Semaphore] = {}  # per function: one slow function does not hold up others
        self.tasks: set[asyncio.Task] = set()
        self.by_function: dict[str, set[asyncio.Task]] = {}

    def start(self) -> None:
        """Schedule every event left in the queue (by a crash, or by retries not yet due)."""
        for event in self.queue.pending():
            self._schedule(event)

    def accept(self, request_id: str, function_name: str, qualifier: str, payload: bytes) -> asyncio.Future[None]:
        """Queue an event; the future resolves once it is committed (then, and only then, the 202).

        Events accepted in the same turn of the loop share one transaction (group commit):
        eight clients sending at once cost one commit, not eight.
        """
        future = self.loop.create_future()
        self.incoming.append((request_id, function_name, qualifier, payload, future))
        if len(self.incoming) == 1:
            self.loop.call_soon(self._commit_incoming)
        return future

    def _commit_incoming(self) -> None:
        batch, self.incoming = self.incoming, []
        try:
            events = self.queue.add_many([entry[:4] for entry in batch])
        except Exception as exc:  # nothing was accepted: every caller hears so
            log.exception("could not store %d Event invocation(s)", len(batch))
            for *_, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for event, (*_, future) in zip(events, batch, strict=True):
            self.metrics.async_received(event.function_name, event.qualifier or None)
            self._schedule(event)
            if not future.done():
                future.set_result(None)

    def _schedule(self, event: QueuedEvent) -> None:
        if event.payload is not None and event.due - time.time() > PAYLOAD_KEPT_FOR:
            event = replace(event, payload=None)  # waiting long: its row has it
        self._track(event.function_name, self.loop.create_task(self._run(event)))

    def _track(self, function_name: str, task: asyncio.Task) -> None:
        self.tasks.add(task)
        mine = self.by_function.setdefault(function_name, set())
        mine.add(task)

        def done(task: asyncio.Task) -> None:
            self.tasks.discard(task)
            mine.discard(task)
            if not mine and self.by_function.get(function_name) is mine:
                del self.by_function[function_name]

        task.add_done_callback(done)

    def drop_function(self, name: str) -> None:
        """``name`` was deleted: its queued events go with it, as on AWS (a new function of the
        same name must not run them). On the loop."""
        for task in self.by_function.pop(name, set()):
            task.cancel()
        self.loop.run_in_executor(None, self.queue.remove_function, name)

    def _slot(self, name: str) -> asyncio.Semaphore:
        slot = self.slots.get(name)
        if slot is None:
            slot = self.slots[name] = asyncio.Semaphore(self.concurrency)
        return slot

    async def _run(self, event: QueuedEvent) -> None:
        try:
            await self._attempt(event)
        except asyncio.CancelledError:
            raise
        except Exception:  # the event stays queued and is tried again, never lost to a bug here
            log.exception("event %s: attempt failed in the host; trying again later", event.request_id)
            self._schedule(replace(event, due=time.time() + self.timing.backoff(1)))

    async def _attempt(self, event: QueuedEvent) -> None:
        delay = event.due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if event.payload is None:
            payload = await self.loop.run_in_executor(None, self.queue.payload, event.request_id)
            if payload is None:  # ended meanwhile (its function was deleted)
                return
            event = replace(event, payload=payload)
        qualifier = event.qualifier or None
        function = self.lookup(event.function_name, qualifier)
        while function is not None and function.state == "Pending":  # its runtime image is on its way
            await asyncio.sleep(0.5)
            function = self.lookup(event.function_name, qualifier)
        if function is None:  # deleted since: AWS drops its events too
            log.warning(
                "event %s dropped: %s no longer exists", event.request_id, self.arn_of(event.function_name, qualifier)
            )
            await self._finish(event, None, None, Step(condition=RETRIES_EXHAUSTED), deliver=False)
            return
        settings = self.event_config(function.name, event.qualifier or LATEST)
        max_age = self.timing.max_age(settings.maximum_event_age if settings else None)
        if time.time() - event.created > max_age:
            await self._finish(event, function, None, Step(condition=EVENT_AGE_EXCEEDED))
            return
        if self.gate.limit(function.name) == 0:  # reserved concurrency 0: no attempt, no retries
            self.metrics.throttled(function.name, qualifier)
            await self._finish(event, function, None, Step(condition=ZERO_RESERVED_CONCURRENCY))
            return
        self.metrics.async_event_age(function.name, qualifier, max(0.0, time.time() - event.created) * 1000)
        request = InvokeRequest(
            function=function,
            payload=event.payload,
            request_id=event.request_id,
            invoked_arn=self.arn_of(function.name, qualifier),
            trace_id=self.new_trace_id(),
        )
        async with self._slot(function.name):  # a seat of reserved concurrency only once it can run
            if self.stopping:
                return
            try:
                counted = self.gate.enter(function.name, function.version)
            except TooManyRequests:
                self.metrics.throttled(function.name, qualifier)
                self._follow(event, function, None, Outcome.THROTTLED, settings, max_age)
                return
            try:  # shielded: dropping the event must not cancel the scheduler's own invocation
                result = await asyncio.shield(self.scheduler.invoke(request))
            finally:
                if counted:
                    self.gate.leave(function.name)
        if result.error_type == "Sandbox.Failure":  # no environment could start: not the function's fault
            outcome = Outcome.NOT_STARTED
        else:
            outcome = Outcome.FUNCTION_ERROR if result.function_error else Outcome.SUCCEEDED
            event = replace(event, attempts=event.attempts + 1)
        retry = self._follow(event, function, result, outcome, settings, max_age)
        if retry is not None and outcome is Outcome.FUNCTION_ERROR:  # the attempt is counted through a crash
            await self.loop.run_in_executor(None, self.queue.reschedule, retry.request_id, retry.attempts, retry.due)

    def _follow(self, event, function, result, outcome, settings, max_age) -> QueuedEvent | None:
        """Schedule what ``next_step`` says: the event as retried, or None when it ends."""
        setbacks = 0
        if outcome in (Outcome.THROTTLED, Outcome.NOT_STARTED):
            setbacks = self.setbacks[event.request_id] = self.setbacks.get(event.request_id, 0) + 1
        else:
            self.setbacks.pop(event.request_id, None)
        step = next_step(
            outcome,
            attempts=event.attempts,
            setbacks=setbacks,
            age=time.time() - event.created,
            max_retries=settings.maximum_retry_attempts if settings else None,
            max_age=max_age,
            timing=self.timing,
        )
        if step.retry:
            retry = replace(event, due=time.time() + step.delay)
            self._schedule(retry)
            return retry
        self._schedule_end(event, function, result, step)
        return None

    def _schedule_end(self, event, function, result, step) -> None:
        self._track(event.function_name, self.loop.create_task(self._finish(event, function, result, step)))

    async def _finish(
        self,
        event: QueuedEvent,
        function: FunctionConfig | None,
        result: InvokeResult | None,
        step: Step,
        deliver: bool = True,
    ) -> None:
        """The event's end: removed from the queue together with what it delivers.

        Should that fail (the database, a bug), the event stays queued and its end is
        written again later: it is never left behind silently."""
        try:
            await self._write_end(event, function, result, step, deliver)
        except asyncio.CancelledError:
            raise
        except Exception:
            failures = self.setbacks.get(event.request_id, 0) + 1
            self.setbacks[event.request_id] = failures
            delay = self.timing.backoff(failures)
            log.exception("event %s: could not record its end; trying again in %.1f s", event.request_id, delay)
            await asyncio.sleep(delay)
            self._schedule_end(event, function, result, step)

    async def _write_end(self, event, function, result, step, deliver) -> None:
        self.setbacks.pop(event.request_id, None)
        deliveries = self._deliveries(event, function, result, step.condition) if deliver and function else []
        if step.condition != SUCCESS and function is not None:
            detail = result.payload[:300].decode("utf-8", "replace") if result is not None else "not run"
            log.warning(
                "event %s for %s ended %s after %d attempts%s: %s",
                event.request_id, function.name, step.condition, event.attempts,
                "" if deliveries else " (no destination or dead-letter queue)", detail,
            )  # fmt: skip
        stored = await self.loop.run_in_executor(None, self.queue.finish, event.request_id, deliveries)
        if step.condition != SUCCESS:  # the event is gone for good (to its destination, if any)
            self.metrics.async_dropped(event.function_name, event.qualifier or None)
        if stored:
            self.on_deliveries(stored)

    def _deliveries(
        self, event: QueuedEvent, function: FunctionConfig, result: InvokeResult | None, condition: str
    ) -> list[Delivery]:
        settings = self.event_config(function.name, event.qualifier or LATEST)
        function_arn = self.arn_of(function.name, event.qualifier or LATEST)
        now = time.time()
        succeeded = condition == SUCCESS
        deliveries = []
        destination = settings and (settings.on_success if succeeded else settings.on_failure)
        if destination:
            record = invocation_record(
                request_id=event.request_id,
                function_arn=function_arn,
                condition=condition,
                invoke_count=event.attempts,
                request_payload=event.payload,
                response=result,
                at=now,
            )
            body = record_body(record)
            kind = "OnSuccess" if succeeded else "OnFailure"
            deliveries.append(Delivery(event.request_id, function_arn, kind, destination, body, due=now, created=now))
        if not succeeded and function.dead_letter_target:
            attributes = dead_letter_attributes(event.request_id, result, condition)
            deliveries.append(
                Delivery(
                    event.request_id, function_arn, "DeadLetter", function.dead_letter_target, event.payload,
                    attributes, due=now, created=now,
                )
            )  # fmt: skip
        return deliveries

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
