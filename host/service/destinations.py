"""Delivering what ended Event invocations produce: destination records and dead-letter messages.

Every delivery is a row of the outbox (``EventQueue.finish`` wrote it with the end of its
event) until its target has it. A Lambda destination is an Event invocation of that
function, accepted into the queue like any other; SQS, SNS and EventBridge targets are
sent through boto3 (``AwsTargets``), off the event loop. A delivery that fails is tried
again with a back-off (1 s doubling to 5 minutes, scaled like every async time); after
``MAX_DELIVERY_ATTEMPTS`` it is kept, marked failed, logged, and listed by
``lambda-host dlq list``: never dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import replace

from host.core.async_policy import AsyncTiming
from host.core.metrics import NO_METRICS, MetricsRecorder
from host.service.aws_targets import AwsTargets, TargetArn, TargetError
from host.store.events import Delivery, EventQueue

log = logging.getLogger("lambda_host.async")

MAX_DELIVERY_ATTEMPTS = 10  # 1 s doubling: about nine minutes of trying at AWS's timing


class DeliveryWorker:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        queue: EventQueue,
        targets: AwsTargets,
        invoke_function: Callable[[str, bytes], Awaitable[None]],
        timing: AsyncTiming,
        executor: Executor,
        db_executor: Executor | None = None,
        metrics: MetricsRecorder = NO_METRICS,
    ) -> None:
        self.metrics = metrics  # DeadLetterErrors, DestinationDeliveryFailures
        self.loop = loop
        self.queue = queue
        self.targets = targets
        self.invoke_function = invoke_function  # (function ARN, payload) -> committed: an Event invocation
        self.timing = timing
        self.executor = executor
        self.db_executor = db_executor
        self.tasks: set[asyncio.Task] = set()

    def start(self) -> None:
        """Schedule every delivery left pending by an earlier run."""
        self.submit(self.queue.deliveries("pending"))

    def submit(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            if delivery.status != "pending":
                continue
            task = self.loop.create_task(self._deliver(delivery))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        wait = delivery.due - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            target = TargetArn.parse(delivery.target)
            if target.service == "lambda":  # an Event invocation, committed before the delivery goes
                await self.invoke_function(delivery.target, delivery.body)
            else:
                await self.loop.run_in_executor(
                    self.executor,
                    self.targets.send,
                    delivery.target,
                    delivery.body,
                    delivery.attributes,
                    delivery.kind == "OnSuccess",
                    delivery.function_arn,
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the target could not take it: later, or kept as failed
            await self._failed(delivery, exc)
            return
        await self.loop.run_in_executor(self.db_executor, self.queue.delivered, delivery.id)

    async def _failed(self, delivery: Delivery, exc: Exception) -> None:
        name, _, qualifier = delivery.function_arn.split(":", 6)[-1].partition(":")
        qualifier = None if qualifier in ("", "$LATEST") else qualifier
        if delivery.kind == "DeadLetter":
            self.metrics.dead_letter_error(name, qualifier)
        else:
            self.metrics.destination_failure(name, qualifier)
        attempts = delivery.attempts + 1
        gave_up = attempts >= MAX_DELIVERY_ATTEMPTS
        due = time.time() + self.timing.backoff(attempts)
        error = str(exc) if isinstance(exc, TargetError) else f"{type(exc).__name__}: {exc}"
        await self.loop.run_in_executor(
            self.db_executor, self.queue.delivery_failed, delivery.id, attempts, due, error, gave_up
        )
        if gave_up:
            log.error(
                "event %s: %s delivery to %s failed %d times and is kept (lambda-host dlq list): %s",
                delivery.request_id, delivery.kind, delivery.target, attempts, error,
            )  # fmt: skip
            return
        log.warning(
            "event %s: %s delivery to %s failed (attempt %d), trying again: %s",
            delivery.request_id, delivery.kind, delivery.target, attempts, error,
        )  # fmt: skip
        self.submit([replace(delivery, attempts=attempts, due=due, last_error=error)])

    def redrive(self, delivery_id: int | None = None) -> int:
        """Try failed deliveries (one, or all) again now, from any thread; how many."""
        deliveries = self.queue.requeue_failed(delivery_id)
        if deliveries:
            self.loop.call_soon_threadsafe(self.submit, deliveries)
        return len(deliveries)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
