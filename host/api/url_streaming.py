"""A function URL in ``InvokeMode: RESPONSE_STREAM``: the function's stream, chunk by chunk, to the HTTP client.

1. The answer starts when the function starts streaming: status 200 and its stream's content type,
   or, for ``application/vnd.awslambda.http-integration-response`` (``awslambda.HttpResponseStream``),
   the status, headers and cookies of the JSON prelude before the 8 NUL bytes.
2. The body follows as the function writes it (chunked; the connection closes at its end).
3. A function that answers the buffered way, or fails before streaming anything, is answered as a
   ``BUFFERED`` URL answers (``host.api.function_urls``).
4. Once the answer has started, its status cannot change: a failure mid-stream ends the body there.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from host.api.streaming import Backpressure
from host.core.invocation import Flow, InvokeResult
from host.core.response_stream import PreludeReader
from host.core.url_payloads import UnmappableResult, http_response
from host.http.server import Exchange


class UrlStreamAnswer:
    __slots__ = ("backpressure", "buffered", "exchange", "open", "own_headers", "reader", "streamed")

    def __init__(
        self, exchange: Exchange, own_headers: list[tuple[str, str]], buffered: Callable[[InvokeResult], None]
    ) -> None:
        self.exchange = exchange
        self.own_headers = own_headers  # x-amzn-RequestId and the CORS headers
        self.buffered = buffered  # how a BUFFERED URL answers a result
        self.reader: PreludeReader | None = None
        self.open = False
        self.streamed = False
        self.backpressure = Backpressure(exchange)

    # ResponseSink

    def started(self, content_type: str, executed_version: str, flow: Flow) -> None:
        self.streamed = True
        self.backpressure.flow = flow
        self.reader = PreludeReader(content_type)
        if self.reader.done:
            self._open(200, [("Content-Type", content_type)])

    def chunk(self, data: bytes) -> None:
        body = self.reader.feed(data)
        if not self.open and self.reader.done:
            self._open_from_prelude()
        self._send(body)

    # internals

    def _open_from_prelude(self) -> None:
        prelude = dict(self.reader.prelude or {})
        prelude.setdefault("statusCode", 200)
        prelude.pop("body", None)
        try:
            status, headers, _ = http_response(json.dumps(prelude).encode())
        except UnmappableResult:
            status, headers = 502, [("Content-Type", "application/json")]
        self._open(status, headers)

    def _open(self, status: int, headers: list[tuple[str, str]]) -> None:
        self.open = True
        self.exchange.start_stream(status, [*headers, *self.own_headers])

    def _send(self, body: bytes) -> None:
        if body and self.exchange.send_chunk(body):
            self.backpressure.sent()

    def complete(self, result: InvokeResult) -> None:
        self.backpressure.release()
        if not self.streamed or (not self.open and result.function_error):
            self.buffered(result)
            return
        rest = self.reader.finish()
        if not self.open:
            self._open_from_prelude()
        self._send(rest)
        self.exchange.end_stream()
