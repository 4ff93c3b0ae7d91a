"""The metrics API and the Prometheus endpoint on the host's port (registered with ``FrontDoor``).

Handlers are called on the event loop; reads touch SQLite, so each call runs on the host's
API executor and is answered back on the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor

from host.http.server import Exchange
from host.observability.metrics.api import CBOR_PREFIX, TARGET_PREFIX, Answer, MetricsApi

log = logging.getLogger("lambda_host.metrics")
PROMETHEUS_PATH = "/metrics"
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
INTERNAL = (500, [("Content-Type", "application/json")], b'{"message": "internal error"}')


class MetricsEndpoint:
    def __init__(
        self, api: MetricsApi, prometheus: Callable[[], str], loop: asyncio.AbstractEventLoop, executor: Executor
    ) -> None:
        self.api = api
        self.prometheus = prometheus
        self.loop = loop
        self.executor = executor

    def _answer_later(self, exchange: Exchange, work: Callable[[], Answer]) -> None:
        future = self.loop.run_in_executor(self.executor, work)

        def done(future: asyncio.Future) -> None:
            if exchange.answered:
                return
            error = None if future.cancelled() else future.exception()
            if future.cancelled() or error is not None:
                if error is not None:
                    log.error("metrics request failed", exc_info=error)
                exchange.respond(*INTERNAL)
                return
            exchange.respond(*future.result())

        future.add_done_callback(done)

    def handle_json(self, exchange: Exchange) -> None:
        """``X-Amz-Target: GraniteServiceVersion20100801.<Op>`` (AWS JSON 1.0)."""
        request = exchange.request
        operation = request.headers.get("x-amz-target", "")[len(TARGET_PREFIX) :]
        self._answer_later(exchange, lambda: self.api.json(operation, request.body))

    def handle_path(self, exchange: Exchange) -> None:
        """Smithy RPC v2 CBOR (``/service/.../operation/<Op>``) and ``GET /metrics``."""
        request = exchange.request
        if request.path == PROMETHEUS_PATH:
            if request.method not in ("GET", "HEAD"):
                exchange.respond(405, [("Allow", "GET")], b"")
                return
            self._answer_later(exchange, lambda: (200, [("Content-Type", PROMETHEUS_TYPE)], self.prometheus().encode()))
            return
        operation = request.path[len(CBOR_PREFIX) :]
        self._answer_later(exchange, lambda: self.api.cbor(operation, request.body))

    def handle_signed(self, exchange: Exchange) -> None:
        """A request signed for ``monitoring`` that no other route took: the query protocol."""
        request = exchange.request
        if request.headers.get("x-amz-target", "").startswith(TARGET_PREFIX):
            self.handle_json(exchange)
        elif request.path.startswith(CBOR_PREFIX):
            self.handle_path(exchange)
        else:
            self._answer_later(exchange, lambda: self.api.query(request.body, request.query))
