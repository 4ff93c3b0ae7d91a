"""InvokeWithResponseStream (``POST /2021-11-15/functions/{name}/response-streaming-invocations``).

Thin, like ``host.api.invoke``: the call goes to ``InvokeService`` with a sink, and the answer is
AWS's event stream (``host.core.response_stream``), sent chunk by chunk as the function writes:

1. a call refused before it runs (no such function, throttled, a bad parameter) gets Lambda's
   ordinary JSON error;
2. otherwise 200 with ``X-Amz-Executed-Version`` and ``Content-Type:
   application/vnd.amazon.eventstream``, sent when the runtime starts streaming (or, for a
   function answering the buffered way, when it has answered: its payload is then one chunk);
3. ``PayloadChunk`` events as the function writes, then ``InvokeComplete`` with ``ErrorCode`` and
   ``ErrorDetails`` when it failed (mid-stream too) and ``LogResult`` for ``LogType: Tail``;
4. ``DryRun``: 204, as Invoke answers it;
5. a slow reader holds the function's stream back (the runtime's connection stops being read)
   rather than the host buffering without bound.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re

from host.api.errors import render
from host.api.invoke import read_call
from host.core.errors import LambdaApiError, ServiceError
from host.core.eventstream import CONTENT_TYPE
from host.core.invocation import Flow, InvokeResult
from host.core.response_stream import error_details, invoke_complete, payload_chunk
from host.http.server import Exchange
from host.service.invoke import InvokeService, new_request_id

log = logging.getLogger("lambda_host.streaming")

STREAM_PATH = re.compile(r"^/2021-11-15/functions/([^/]+)/response-streaming-invocations/?$")


class Backpressure:
    """Holds a streamed response's source (the runtime's connection) back while its reader is behind."""

    __slots__ = ("exchange", "flow", "paused")

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.flow: Flow | None = None
        self.paused = False

    def sent(self) -> None:
        """After each send: pause the source when the reader's buffer is full, until it drains."""
        if self.exchange.congested and not self.paused and self.flow is not None:
            self.paused = True
            self.flow.pause()
            self.exchange.on_drain = self.release

    def release(self) -> None:
        if self.paused:
            self.paused = False
            self.flow.resume()


class EventStreamAnswer:
    """One call's answer: opened once, then chunks, then ``InvokeComplete``."""

    __slots__ = ("backpressure", "exchange", "open", "request_id", "streamed")

    def __init__(self, exchange: Exchange, request_id: str) -> None:
        self.exchange = exchange
        self.request_id = request_id
        self.open = False
        self.streamed = False  # the runtime streamed (rather than answered the buffered way)
        self.backpressure = Backpressure(exchange)

    def _open(self, executed_version: str) -> None:
        if not self.open:
            self.open = True
            headers = [
                ("Content-Type", CONTENT_TYPE),
                ("X-Amzn-RequestId", self.request_id),
                ("X-Amz-Executed-Version", executed_version),
            ]
            self.exchange.start_stream(200, headers)

    # ResponseSink

    def started(self, content_type: str, executed_version: str, flow: Flow) -> None:
        self.streamed = True
        self.backpressure.flow = flow
        self._open(executed_version)

    def chunk(self, data: bytes) -> None:
        if data and self.exchange.send_chunk(payload_chunk(data)):  # else the caller has gone: the function runs on
            self.backpressure.sent()

    # the end

    def fail(self, error: BaseException) -> None:
        if not isinstance(error, LambdaApiError):
            log.error("streamed invoke failed", exc_info=error)
            error = ServiceError("An internal error occurred.")
        if not self.open:
            self.exchange.respond(*render(error, self.request_id))
            return
        self.exchange.send_chunk(invoke_complete(error.code, error.message))
        self.exchange.end_stream()

    def complete(self, result: InvokeResult) -> None:
        self._open(result.executed_version)
        self.backpressure.release()
        if not self.streamed and not result.function_error and result.payload:
            self.exchange.send_chunk(payload_chunk(result.payload))
        code = details = None
        if result.function_error:
            code, details = result.error_type or result.function_error, error_details(result.payload)
        tail = base64.b64encode(result.log_tail).decode() if result.log_tail is not None else None
        self.exchange.send_chunk(invoke_complete(code, details, tail))
        self.exchange.end_stream()


class StreamingInvokeEndpoint:
    def __init__(self, service: InvokeService) -> None:
        self.service = service

    def handle(self, exchange: Exchange, function_name: str) -> None:
        request_id = new_request_id()
        answer = EventStreamAnswer(exchange, request_id)
        try:
            started = self.service.start(read_call(exchange.request, function_name, answer), request_id)
        except Exception as error:  # every failure answers in AWS's shape
            answer.fail(error)
            return
        started.add_done_callback(lambda done: self._answer(answer, done))

    def _answer(self, answer: EventStreamAnswer, done: asyncio.Future) -> None:
        if done.cancelled():
            answer.fail(ServiceError("The invocation was cancelled."))
        elif done.exception() is not None:
            answer.fail(done.exception())
        elif done.result() is None:  # DryRun
            answer.exchange.respond(
                204, [("X-Amzn-RequestId", answer.request_id), ("Content-Type", "application/json")]
            )
        else:
            answer.complete(done.result())
