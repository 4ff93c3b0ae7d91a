"""A small HTTP/1.1 server on asyncio and httptools, for the host's hot paths.

The Invoke API and every environment's Runtime API are served here rather than by a
WSGI server, because an invocation is a hand-off between two connections (the caller's
and the runtime's long-poll) that must cost microseconds: no thread per request, no
thread hand-off, TCP_NODELAY on every socket, keep-alive always.

1. A handler gets each complete request as an ``Exchange`` and answers it now or later
   (``respond``); a long-poll simply answers later.
2. Requests on one connection are answered in order; a pipelined request waits for the
   one before it.
3. ``Expect: 100-continue`` is honoured. A body over ``max_body`` is read and dropped
   and the request handed on marked ``truncated``, so the handler answers in its API's
   terms; announced with ``Expect: 100-continue``, it gets 413 at once instead.
4. When the peer goes away, an unanswered exchange's ``on_close`` callback runs.
5. An answer may also be streamed (``start_stream``, ``send_chunk``, ``end_stream``): chunked,
   and the connection closes after it, so nothing pipelined waits behind a long stream.
6. A request ``stream_body`` picks (by its line and headers) is handed on as soon as its headers are read,
   its body following piece by piece through ``request.body_stream`` (a ``BodyStream``), with the
   trailers of a chunked body at its end: a Runtime API's streamed response reaches its caller
   as the function writes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import deque
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import unquote

import httptools

log = logging.getLogger("lambda_host.http")
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class BodyStream:
    """A request body that arrives after its request was handed on: ``listen`` to it, or ``discard`` it."""

    __slots__ = ("_on_data", "_on_end", "_protocol", "discarded", "ended", "pending", "trailers", "truncated")

    def __init__(self, protocol: HttpProtocol) -> None:
        self._protocol = protocol
        self._on_data: Callable[[bytes], None] | None = None
        self._on_end: Callable[[dict[str, str]], None] | None = None
        self.pending: list[bytes] = []  # what arrived before anyone listened
        self.trailers: dict[str, str] = {}
        self.ended = False
        self.truncated = False  # the connection closed before the body's end
        self.discarded = False

    def listen(self, on_data: Callable[[bytes], None], on_end: Callable[[dict[str, str]], None]) -> None:
        """Get the body's pieces (those already here at once), then its trailers when it ends."""
        self._on_data, self._on_end = on_data, on_end
        pending, self.pending = self.pending, []
        for piece in pending:
            on_data(piece)
        if self.ended:
            on_end(self.trailers)

    def discard(self) -> None:
        """Drop whatever else arrives."""
        self.discarded = True
        self.pending = []
        self._on_data = self._on_end = None

    def pause(self) -> None:
        """Stop reading from the peer (its sender then waits) until ``resume``."""
        transport = self._protocol.transport
        if transport is not None and not self.ended:
            transport.pause_reading()

    def resume(self) -> None:
        transport = self._protocol.transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()

    def _feed(self, data: bytes) -> None:
        if self._on_data is not None:
            self._on_data(data)
        elif not self.discarded:
            self.pending.append(data)

    def _end(self) -> None:
        self.ended = True
        if self._on_end is not None:
            on_end, self._on_end, self._on_data = self._on_end, None, None
            on_end(self.trailers)


class Request:
    __slots__ = ("body", "body_stream", "headers", "method", "path", "peer", "query", "raw_path", "truncated")

    def __init__(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        peer,
        truncated: bool = False,
        raw_path: str = "",
    ) -> None:
        self.method = method
        self.path = path  # percent-decoded
        self.raw_path = raw_path or path  # as sent
        self.query = query
        self.headers = headers
        self.body = body
        self.peer = peer
        self.truncated = truncated  # the body was over the server's limit and was dropped
        self.body_stream: BodyStream | None = None  # the body still to come (see ``serve``'s stream_body)


class Exchange:
    """One request and the means to answer it, once."""

    __slots__ = ("_protocol", "answered", "dispatched", "keep_alive", "on_close", "on_drain", "request")

    def __init__(self, protocol: HttpProtocol, request: Request, keep_alive: bool) -> None:
        self._protocol = protocol
        self.request = request
        self.keep_alive = keep_alive
        self.answered = False
        self.dispatched = False
        self.on_close: Callable[[], None] | None = None
        self.on_drain: Callable[[], None] | None = None  # once, when a full send buffer has drained

    @property
    def closed(self) -> bool:
        return self._protocol.transport is None

    @property
    def congested(self) -> bool:
        """The peer reads slower than we send: more than the transport's high-water mark waits."""
        return self._protocol.writing_paused

    def respond(self, status: int, headers: list[tuple[str, str]] | tuple = (), body: bytes = b"") -> bool:
        """Send the response; False when the connection is already gone."""
        if self.answered:
            raise RuntimeError("exchange already answered")
        self.answered = True
        return self._protocol.send(self, status, headers, body)

    def start_stream(self, status: int, headers: list[tuple[str, str]] | tuple = ()) -> bool:
        """Answer with a body sent in chunks from now on; False when the connection is already gone."""
        if self.answered:
            raise RuntimeError("exchange already answered")
        self.answered = True
        self.keep_alive = False
        transport = self._protocol.transport
        if transport is None:
            return False
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Unknown").encode())]
        head.extend(f"{name}: {value}\r\n".encode() for name, value in headers)
        head.append(b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        self._protocol._write([b"".join(head)])
        return True

    def send_chunk(self, data: bytes) -> bool:
        """One more piece of a streamed answer; False when the peer has gone."""
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            return False
        if data:
            transport.write(b"%x\r\n%s\r\n" % (len(data), data))
        return True

    def end_stream(self) -> None:
        """Finish a streamed answer and close the connection."""
        transport = self._protocol.transport
        if transport is not None:
            transport.write(b"0\r\n\r\n")
            transport.close()
            self._protocol.transport = None


Handler = Callable[[Exchange], None]


class HttpProtocol(asyncio.Protocol):
    def __init__(
        self,
        handler: Handler,
        max_body: int = 70 * 1024 * 1024,
        hold_for_pipelined: bool = False,
        connections: set | None = None,
        header_separator: str = ", ",
        stream_body: Callable[[Request], bool] | None = None,
    ) -> None:
        self.handler = handler
        self.stream_body = stream_body
        self.streaming: BodyStream | None = None  # the body of the request being read, handed on early
        self.writing_paused = False
        self.connections = connections
        self.header_separator = header_separator
        self.max_body = max_body
        # When a pipelined request already waits behind an answered one, keep that answer and
        # send it together with the next: one write instead of two (see ``serve``).
        self.hold_for_pipelined = hold_for_pipelined
        self.held: list[bytes] = []
        self.transport: asyncio.Transport | None = None
        self.peer = None
        self.parser = httptools.HttpRequestParser(self)
        self.pending: deque[Exchange] = deque()
        self._reset_message()

    def _reset_message(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body_parts: list[bytes] = []
        self.body_size = 0
        self.too_large = False

    # asyncio.Protocol

    def connection_made(self, transport) -> None:
        self.transport = transport
        if self.connections is not None:
            self.connections.add(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.peer = transport.get_extra_info("peername")

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserUpgrade, httptools.HttpParserError):
            self._fail(400)
            return
        # Requests are handled once everything that arrived is parsed, so a handler answering at
        # once already knows whether a pipelined request waits behind it.
        if self.transport is not None and self.pending and not self.pending[0].dispatched:
            self._dispatch(self.pending[0])

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        for exchange in list(self.pending) or ():
            if exchange.on_drain is not None:
                on_drain, exchange.on_drain = exchange.on_drain, None
                on_drain()

    def connection_lost(self, exc) -> None:
        if self.connections is not None and self.transport is not None:
            self.connections.discard(self.transport)
        self.transport = None
        if self.streaming is not None:  # the body was cut short: its listener hears of it as an end
            self.streaming.truncated = True
            self.streaming._end()
            self.streaming = None
        pending, self.pending = self.pending, deque()
        for exchange in pending:
            if not exchange.answered and exchange.on_close is not None:
                exchange.on_close()
            if exchange.on_drain is not None:  # nothing waits to be sent any more
                on_drain, exchange.on_drain = exchange.on_drain, None
                on_drain()

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._reset_message()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        if self.streaming is not None:  # a trailer of a streamed body
            self.streaming.trailers[key] = text
            return
        self.headers[key] = f"{self.headers[key]}{self.header_separator}{text}" if key in self.headers else text

    def on_headers_complete(self) -> None:
        if self.stream_body is not None and self.transport is not None:
            request = self._request(b"")
            if self.stream_body(request):
                self.streaming = request.body_stream = BodyStream(self)
                self.pending.append(Exchange(self, request, self.parser.should_keep_alive()))
                return
        length = self.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            self.too_large = True
            if self.headers.get("expect", "").lower() == "100-continue":
                self._fail(413)  # the client waits for our word before it sends the body
        elif self.headers.get("expect", "").lower() == "100-continue" and self.transport is not None:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        if self.streaming is not None:
            self.streaming._feed(body)
            return
        self.body_size += len(body)
        if self.body_size > self.max_body:
            self.too_large = True
        if not self.too_large:
            self.body_parts.append(body)

    def on_message_complete(self) -> None:
        if self.streaming is not None:
            streaming, self.streaming = self.streaming, None
            self._reset_message()
            streaming._end()
            return
        if self.transport is None:
            return
        body = b"".join(self.body_parts) if len(self.body_parts) != 1 else self.body_parts[0]
        exchange = Exchange(self, self._request(body), self.parser.should_keep_alive())
        self.pending.append(exchange)
        self._reset_message()

    def _request(self, body: bytes) -> Request:
        parsed = httptools.parse_url(self.url)
        raw_path = parsed.path.decode("latin-1")
        path = unquote(raw_path)
        query = parsed.query.decode("latin-1") if parsed.query else ""
        method = self.parser.get_method().decode()
        return Request(method, path, query, self.headers, body, self.peer, self.too_large, raw_path)

    # internals

    def _dispatch(self, exchange: Exchange) -> None:
        exchange.dispatched = True
        try:
            self.handler(exchange)
        except Exception:
            log.exception("handler failed")
            if not exchange.answered:
                exchange.respond(500, [("Content-Type", "application/json")], b'{"message":"Internal error"}')

    def send(self, exchange: Exchange, status: int, headers, body: bytes) -> bool:
        if self.transport is None:
            return False
        head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Unknown").encode())]
        for name, value in headers:
            head.append(f"{name}: {value}\r\n".encode())  # UTF-8: a client context may hold any text
        head.append(b"Content-Length: %d\r\n" % len(body))
        if not exchange.keep_alive:
            head.append(b"Connection: close\r\n")
        head.append(b"\r\n")
        out = [b"".join(head) + body] if len(body) < 65536 else [b"".join(head), body]
        if exchange.keep_alive and self.pending and self.pending[0] is exchange:
            self.pending.popleft()
            if self.pending and self.hold_for_pipelined:
                self.held += out
                self._dispatch(self.pending[0])
                return True
            self._write(out)
            if self.pending:
                self._dispatch(self.pending[0])
            return True
        self._write(out)
        if not exchange.keep_alive:
            self.transport.close()
            self.transport = None
        return True

    def _write(self, out: list[bytes]) -> None:
        if self.held:
            out, self.held = self.held + out, []
        if len(out) == 1:
            self.transport.write(out[0])
        else:
            self.transport.writelines(out)

    def _fail(self, status: int) -> None:
        if self.transport is None:
            return
        if self.held:
            self._write([])
        body = b'{"message":"Request entity too large"}' if status == 413 else b'{"message":"Bad request"}'
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (status, _REASONS[status].encode(), len(body))
            + body
        )
        self.transport.close()
        self.transport = None


async def serve(
    handler: Handler,
    host: str | None,
    port: int | None,
    *,
    sock: socket.socket | None = None,
    max_body: int = 70 * 1024 * 1024,
    hold_for_pipelined: bool = False,
    connections: set | None = None,
    header_separator: str = ", ",
    stream_body: Callable[[Request], bool] | None = None,
) -> asyncio.Server:
    """Listen on ``host:port`` (or on ``sock``, already bound). ``hold_for_pipelined`` suits the
    Runtime API, whose clients pipeline ``GET /next`` behind their answer: the 202 then travels with
    the next event. Never use it where a pipelined request may be slow while the client waits for
    the answer before it. ``connections``, when given, holds the open connections' transports (to
    cut them all at once). ``header_separator`` joins a repeated header's values. ``stream_body``
    picks, by their line and headers, the requests handed on before their body (see ``BodyStream``)."""
    loop = asyncio.get_running_loop()

    def protocol() -> HttpProtocol:
        return HttpProtocol(handler, max_body, hold_for_pipelined, connections, header_separator, stream_body)

    if sock is not None:
        return await loop.create_server(protocol, sock=sock, backlog=1024)
    return await loop.create_server(protocol, host, port, reuse_address=True, backlog=1024)
