"""Running Event invocations from the durable queue, with Lambda's retries after a function error.

1. ``accept`` commits the event to SQLite; only then does the caller get its 202.
2. The event runs on the same pools as synchronous invocations, at most
   ``concurrency`` events at once.
3. After a function error (including a timeout or a crash) it runs at most twice more,
   after ``retry_delays`` (AWS: one minute, then two; configurable so tests run fast),
   or as often as the function's ``MaximumRetryAttempts`` allows; an event older than
   its ``MaximumEventAgeInSeconds`` is dropped with a warning.
4. Over the function's reserved concurrency it waits (1 s doubling to 5 minutes, scaled
   with ``retry_delays``) without using up an attempt.
5. Its row is deleted only when it has run to its end; after a crash of the host the
   rows left are run again when the host starts (at least once, as on AWS).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from host.core.errors import TooManyRequests
from host.core.invocation import InvokeRequest
from host.core.model import LATEST, EventInvokeConfig, FunctionConfig
from host.environments.scheduler import Scheduler
from host.service.concurrency import ConcurrencyGate
from host.store.events import EventQueue, QueuedEvent

log = logging.getLogger("lambda_host.async")

AWS_RETRY_DELAYS = (60.0, 120.0)
DEFAULT_MAX_EVENT_AGE = 6 * 3600  # seconds, AWS's default MaximumEventAgeInSeconds


class AsyncDispatcher:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        queue: EventQueue,
        lookup: Callable[[str, str | None], FunctionConfig | None],
        event_config: Callable[[str, str], EventInvokeConfig | None],
        gate: ConcurrencyGate,
        scheduler: Scheduler,
        arn_of,
        new_trace_id,
        retry_delays: tuple[float, ...] = AWS_RETRY_DELAYS,
        concurrency: int = 10,
    ) -> None:
        self.loop = loop
        self.queue = queue
        self.lookup = lookup
        self.event_config = event_config
        self.gate = gate
        self.throttles: dict[str, int] = {}  # request id -> times throttled in a row
        self.scheduler = scheduler
        self.arn_of = arn_of
        self.new_trace_id = new_trace_id
        self.retry_delays = retry_delays
        self.throttle_base = min(1.0, retry_delays[0]) if retry_delays else 1.0  # scaled down with the delays
        self.slots = asyncio.Semaphore(concurrency)
        self.tasks: set[asyncio.Task] = set()

    def start(self) -> None:
        """Schedule every event left in the queue (by a crash, or by retries not yet due)."""
        for event in self.queue.pending():
            self._schedule(event)

    def accept(self, request_id: str, function_name: str, qualifier: str, payload: bytes) -> None:
        self._schedule(self.queue.add(request_id, function_name, qualifier, payload))

    def _schedule(self, event: QueuedEvent) -> None:
        task = self.loop.create_task(self._run(event))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, event: QueuedEvent) -> None:
        try:
            await self._attempt(event)
        except asyncio.CancelledError:
            raise
        except Exception:  # the event stays queued and is tried again, never lost to a bug here
            log.exception("event %s: attempt failed in the host; trying again later", event.request_id)
            due = time.time() + max(1.0, self.retry_delays[0] if self.retry_delays else 1.0)
            self._schedule(
                QueuedEvent(
                    event.request_id, event.function_name, event.qualifier, event.payload, event.attempts, due,
                    event.created,
                )
            )  # fmt: skip

    async def _attempt(self, event: QueuedEvent) -> None:
        delay = event.due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        qualifier = event.qualifier or None
        function = self.lookup(event.function_name, qualifier)
        while function is not None and function.state == "Pending":  # its runtime image is on its way
            await asyncio.sleep(0.5)
            function = self.lookup(event.function_name, qualifier)
        if function is None:
            log.warning(
                "event %s dropped: %s no longer exists", event.request_id, self.arn_of(event.function_name, qualifier)
            )
            await self._done(event)
            return
        settings = self.event_config(function.name, event.qualifier or LATEST)
        max_age = (settings.maximum_event_age if settings else None) or DEFAULT_MAX_EVENT_AGE
        if time.time() - event.created > max_age:
            log.warning("event %s for %s dropped: older than %d s", event.request_id, function.name, max_age)
            await self._done(event)
            return
        try:
            counted = self.gate.enter(function.name)
        except TooManyRequests:  # reserved concurrency in use: back off (1 s doubling to 5 min), no attempt used
            throttles = self.throttles.get(event.request_id, 0)
            self.throttles[event.request_id] = throttles + 1
            delay = min(self.throttle_base * 2**throttles, 300.0)
            self._schedule(replace(event, due=time.time() + delay))
            return
        self.throttles.pop(event.request_id, None)
        request = InvokeRequest(
            function=function,
            payload=event.payload,
            request_id=event.request_id,
            invoked_arn=self.arn_of(function.name, qualifier),
            trace_id=self.new_trace_id(),
        )
        try:
            async with self.slots:
                result = await self.scheduler.invoke(request)
        finally:
            if counted:
                self.gate.leave(function.name)
        attempts = event.attempts + 1
        retries = len(self.retry_delays)
        if settings is not None and settings.maximum_retry_attempts is not None:
            retries = min(retries, settings.maximum_retry_attempts)
        if result.function_error and attempts <= retries:
            due = time.time() + self.retry_delays[attempts - 1]
            await self.loop.run_in_executor(None, self.queue.reschedule, event.request_id, attempts, due)
            self._schedule(replace(event, attempts=attempts, due=due))
            return
        if result.function_error:
            log.warning(
                "event %s for %s failed after %d attempts: %s",
                event.request_id,
                function.name,
                attempts,
                result.payload[:300].decode("utf-8", "replace"),
            )
        await self._done(event)

    async def _done(self, event: QueuedEvent) -> None:
        await self.loop.run_in_executor(None, self.queue.remove, event.request_id)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
