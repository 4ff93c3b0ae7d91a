"""The delivery worker: delivered rows go, failing ones are retried and then kept as failed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from host.core.async_policy import AsyncTiming
from host.service.aws_targets import TargetError
from host.service.destinations import MAX_DELIVERY_ATTEMPTS, DeliveryWorker
from host.store.db import Database
from host.store.events import Delivery, EventQueue

QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:target"


class Targets:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent = []

    def send(self, arn, body, attributes, success, function_arn):
        if self.failures:
            self.failures -= 1
            raise TargetError("connection refused")
        self.sent.append((arn, body, success))


def deliver(tmp_path, targets, target=QUEUE, invoked=None):
    async def main():
        queue = EventQueue(Database(tmp_path / "db"))
        queue.add("req-1", "fn", "", b"{}")
        stored = queue.finish(
            "req-1", [Delivery("req-1", "arn:fn:$LATEST", "OnSuccess", target, b'{"version":"1.0"}', created=1.0)]
        )

        async def invoke(arn, payload):
            if invoked is None:
                raise LookupError("no such function")
            invoked.append((arn, payload))

        with ThreadPoolExecutor(2) as pool:
            worker = DeliveryWorker(asyncio.get_running_loop(), queue, targets, invoke, AsyncTiming(0.0001), pool)
            worker.submit(stored)
            for _ in range(300):
                if not worker.tasks:
                    break
                await asyncio.sleep(0.01)
            await worker.close()
        return queue

    return asyncio.run(main())


def test_a_delivered_record_leaves_the_outbox(tmp_path):
    targets = Targets(failures=0)
    queue = deliver(tmp_path, targets)
    assert targets.sent == [(QUEUE, b'{"version":"1.0"}', True)]
    assert queue.deliveries() == []


def test_a_failing_target_is_tried_again(tmp_path):
    targets = Targets(failures=3)
    queue = deliver(tmp_path, targets)
    assert len(targets.sent) == 1
    assert queue.deliveries() == []


def test_a_target_that_never_takes_it_leaves_the_record_kept_as_failed(tmp_path):
    queue = deliver(tmp_path, Targets(failures=10**6))
    [kept] = queue.deliveries()
    assert (kept.status, kept.attempts, kept.last_error) == ("failed", MAX_DELIVERY_ATTEMPTS, "connection refused")


def test_a_lambda_destination_is_an_event_invocation(tmp_path):
    invoked = []
    queue = deliver(tmp_path, Targets(failures=0), target=FUNCTION, invoked=invoked)
    assert invoked == [(FUNCTION, b'{"version":"1.0"}')]
    assert queue.deliveries() == []


def test_a_missing_lambda_destination_is_kept_as_failed(tmp_path):
    queue = deliver(tmp_path, Targets(failures=0), target=FUNCTION, invoked=None)
    [kept] = queue.deliveries("failed")
    assert "no such function" in kept.last_error
