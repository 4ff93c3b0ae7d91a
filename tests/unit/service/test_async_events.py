"""The async dispatcher with a real SQLite queue and a scripted scheduler (no containers).

Times run at 1/10,000 of AWS's, so a whole retry policy takes milliseconds.
"""

import asyncio
import json

from host.core.async_policy import AsyncTiming
from host.core.invocation import InvokeResult
from host.core.model import CodeRef, EventInvokeConfig, FunctionConfig
from host.service.async_events import AsyncDispatcher
from host.store.db import Database
from host.store.events import EventQueue

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
FAILURE = InvokeResult(b'{"errorMessage": "boom", "errorType": "Exception"}', "$LATEST", "Unhandled", "Exception")
NOT_STARTED = InvokeResult(b'{"errorType": "Sandbox.Failure"}', "$LATEST", "Unhandled", "Sandbox.Failure")
SUCCESS = InvokeResult(b'"ok"', "$LATEST")


def function(reserved=None, dead_letter=None) -> FunctionConfig:
    return FunctionConfig(
        name="fn", arn=ARN, runtime="python3.11", handler="app.handler", role="r",
        code=CodeRef("x", "sha", 1), reserved_concurrency=reserved, dead_letter_target=dead_letter,
    )  # fmt: skip


class Scheduler:
    """Answers invocations from a script of results; the last one repeats."""

    def __init__(self, *results: InvokeResult) -> None:
        self.results = list(results)
        self.requests = []

    def invoke(self, request):
        self.requests.append(request)
        future = asyncio.get_running_loop().create_future()
        future.set_result(self.results.pop(0) if len(self.results) > 1 else self.results[0])
        return future


class Gate:
    def __init__(self, limit=None, refusals=0):
        self._limit, self.refusals = limit, refusals

    def limit(self, name):
        return self._limit

    def enter(self, name, version=None):
        from host.core.errors import TooManyRequests

        if self.refusals:
            self.refusals -= 1
            raise TooManyRequests("Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded")
        return False

    def leave(self, name):
        pass


def run(tmp_path, scheduler, *, config=None, gate=None, fn=None, events=1, payload=b'{"n": 1}', scale=0.0001):
    """Accept ``events`` events, run until the queue is empty; the queue and the deliveries made."""
    delivered = []

    async def main():
        queue = EventQueue(Database(tmp_path / "db"))
        dispatcher = AsyncDispatcher(
            asyncio.get_running_loop(), queue,
            lookup=lambda name, qualifier: fn or function(),
            event_config=lambda name, qualifier: config,
            gate=gate or Gate(), scheduler=scheduler,
            arn_of=lambda name, qualifier: ARN + (f":{qualifier}" if qualifier else ""),
            new_trace_id=lambda: "trace", timing=AsyncTiming(scale), on_deliveries=delivered.extend,
        )  # fmt: skip
        await asyncio.gather(*(dispatcher.accept(f"req-{i}", "fn", "", payload) for i in range(events)))
        for _ in range(500):
            if not queue.count() and not dispatcher.tasks:
                break
            await asyncio.sleep(0.01)
        await dispatcher.close()
        return queue

    queue = asyncio.run(main())
    return queue, delivered


def test_a_success_runs_once_and_reaches_on_success(tmp_path):
    scheduler = Scheduler(SUCCESS)
    config = EventInvokeConfig("fn", "$LATEST", on_success="arn:aws:sqs:us-east-1:123456789012:ok")
    queue, [delivery] = run(tmp_path, scheduler, config=config)
    assert [r.request_id for r in scheduler.requests] == ["req-0"]
    assert (delivery.kind, delivery.target) == ("OnSuccess", "arn:aws:sqs:us-east-1:123456789012:ok")
    record = json.loads(delivery.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["functionArn"] == ARN + ":$LATEST"
    assert queue.count() == 0
    assert queue.deliveries("pending") == [delivery]


def test_a_failure_runs_three_times_with_one_request_id_then_goes_to_failure_and_dead_letter(tmp_path):
    scheduler = Scheduler(FAILURE)
    config = EventInvokeConfig("fn", "$LATEST", on_failure="arn:aws:sns:us-east-1:123456789012:t")
    _, deliveries = run(tmp_path, scheduler, config=config, fn=function(dead_letter="arn:aws:sqs:us-east-1:1:dlq"))
    assert [r.request_id for r in scheduler.requests] == ["req-0"] * 3
    failure, dead_letter = deliveries
    record = json.loads(failure.body)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert (dead_letter.kind, dead_letter.body) == ("DeadLetter", b'{"n": 1}')
    assert dead_letter.attributes["ErrorMessage"]["StringValue"] == "boom"


def test_maximum_retry_attempts_zero_means_one_run(tmp_path):
    scheduler = Scheduler(FAILURE)
    config = EventInvokeConfig("fn", "$LATEST", maximum_retry_attempts=0, on_failure="arn:aws:sqs:us-east-1:1:q")
    _, [delivery] = run(tmp_path, scheduler, config=config)
    assert len(scheduler.requests) == 1
    assert json.loads(delivery.body)["requestContext"]["approximateInvokeCount"] == 1


def test_a_success_after_a_failure_counts_two_invokes(tmp_path):
    scheduler = Scheduler(FAILURE, SUCCESS)
    config = EventInvokeConfig("fn", "$LATEST", on_success="arn:aws:sqs:us-east-1:1:q")
    _, [delivery] = run(tmp_path, scheduler, config=config)
    assert json.loads(delivery.body)["requestContext"]["approximateInvokeCount"] == 2


def test_throttles_and_failed_starts_use_no_attempt(tmp_path):
    scheduler = Scheduler(NOT_STARTED, NOT_STARTED, FAILURE, FAILURE, SUCCESS)
    config = EventInvokeConfig("fn", "$LATEST", on_success="arn:aws:sqs:us-east-1:1:q")
    _, [delivery] = run(tmp_path, scheduler, config=config, gate=Gate(refusals=3))
    assert len(scheduler.requests) == 5  # two failed starts, then three real attempts
    record = json.loads(delivery.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 3


def test_reserved_concurrency_zero_goes_straight_to_failure_without_a_run(tmp_path):
    scheduler = Scheduler(SUCCESS)
    config = EventInvokeConfig("fn", "$LATEST", on_failure="arn:aws:sqs:us-east-1:1:q")
    _, [delivery] = run(tmp_path, scheduler, config=config, gate=Gate(limit=0))
    assert scheduler.requests == []
    record = json.loads(delivery.body)
    assert record["requestContext"]["condition"] == "ZeroReservedConcurrency"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record


def test_no_destination_and_no_dead_letter_queue_delivers_nothing(tmp_path):
    queue, deliveries = run(tmp_path, Scheduler(FAILURE))
    assert deliveries == [] and queue.count() == 0


def test_many_events_accepted_at_once_all_run(tmp_path):
    scheduler = Scheduler(SUCCESS)
    run(tmp_path, scheduler, events=50)
    assert sorted(r.request_id for r in scheduler.requests) == sorted(f"req-{i}" for i in range(50))


def accept_two(tmp_path, add_many):
    """Two events accepted in one turn of the loop, with ``add_many`` standing in for the store's."""

    async def main():
        queue = EventQueue(Database(tmp_path / "db"))
        real = queue.add_many
        queue.add_many = lambda entries: add_many(real, entries)
        dispatcher = AsyncDispatcher(
            asyncio.get_running_loop(), queue, lambda n, q: function(), lambda n, q: None, Gate(), Scheduler(SUCCESS),
            lambda n, q: ARN, lambda: "t", AsyncTiming(0.0001),
        )  # fmt: skip
        results = await asyncio.gather(
            dispatcher.accept("a", "fn", "", b"{}"), dispatcher.accept("b", "fn", "", b"{}"), return_exceptions=True
        )
        await dispatcher.close()
        return results

    return asyncio.run(main())


def test_events_accepted_in_one_turn_share_one_commit(tmp_path):
    batches = []

    def spy(real, entries):
        batches.append([entry[0] for entry in entries])
        return real(entries)

    assert accept_two(tmp_path, spy) == [None, None]
    assert batches == [["a", "b"]]


def test_a_failed_commit_fails_every_caller_of_the_batch(tmp_path):
    def broken(real, entries):
        raise RuntimeError("disk full")

    results = accept_two(tmp_path, broken)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]


def test_an_end_that_cannot_be_written_is_written_again_later(tmp_path):
    scheduler = Scheduler(SUCCESS)
    config = EventInvokeConfig("fn", "$LATEST", on_success="arn:aws:sqs:us-east-1:1:q")
    real_finish = EventQueue.finish
    failures = []

    def flaky(self, request_id, deliveries):
        if not failures:
            failures.append(request_id)
            raise OSError("database is locked")
        return real_finish(self, request_id, deliveries)

    EventQueue.finish = flaky
    try:
        queue, [delivery] = run(tmp_path, scheduler, config=config)
    finally:
        EventQueue.finish = real_finish
    assert failures == ["req-0"]
    assert len(scheduler.requests) == 1  # the function did not run again: only its end was rewritten
    assert queue.count() == 0 and delivery.kind == "OnSuccess"


def test_an_event_waiting_for_its_retry_is_read_back_from_its_row(tmp_path):
    scheduler = Scheduler(FAILURE, SUCCESS)
    run(tmp_path, scheduler, payload=b'{"big": "payload"}', scale=0.0175)  # the retry is ~1.05 s away
    first, second = scheduler.requests
    assert first.payload == second.payload == b'{"big": "payload"}'
