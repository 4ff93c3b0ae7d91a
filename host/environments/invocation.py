"""An invocation in flight: the request, the future its caller awaits, its log so far."""

from __future__ import annotations

import asyncio

from host.core.invocation import InvokeRequest, InvokeResult

LOG_KEEP = 16 * 1024  # bytes of an invocation's log kept for its tail (which needs 4 KB)


class Invocation:
    __slots__ = (
        "collected", "delivered", "future", "log", "logged", "request", "started", "stream_open", "streamed", "timer",
    )  # fmt: skip

    def __init__(self, request: InvokeRequest, loop: asyncio.AbstractEventLoop) -> None:
        self.request = request
        self.future: asyncio.Future[InvokeResult] = loop.create_future()
        self.delivered = False  # handed to the runtime through /next
        self.logged = False  # its log lines are kept (for the console or a tail)
        self.started = 0.0  # perf_counter() at delivery
        self.timer: asyncio.TimerHandle | None = None
        self.log = bytearray()
        self.streamed = 0  # bytes of a streamed response so far
        self.collected: bytearray | None = None  # a streamed response kept for a caller that wants it whole
        self.stream_open = False  # the runtime is streaming its response (begun, not yet ended)

    @property
    def request_id(self) -> str:
        return self.request.request_id

    def append_log(self, data: bytes) -> None:
        self.log += data
        if len(self.log) > 2 * LOG_KEEP:
            del self.log[:-LOG_KEEP]

    def resolve(self, result: InvokeResult) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.future.done():
            self.future.set_result(result)
