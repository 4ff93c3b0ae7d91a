"""Serving a WSGI application (the Flask management API) behind the asyncio server.

The request is already read in full, so the application runs in a worker thread with
a ready ``wsgi.input``; its answer is handed back to the event loop to be written.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from concurrent.futures import Executor

from host.http.server import Exchange

log = logging.getLogger("lambda_host.api")

_NO_HTTP_PREFIX = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


def environ_for(exchange: Exchange, server: tuple[str, int]) -> dict:
    request = exchange.request
    environ = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        # WSGI carries the path's bytes as latin-1 text (PEP 3333); the decoded path may hold any character.
        "PATH_INFO": request.path.encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": request.query,
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": request.peer[0] if request.peer else "",
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        key = _NO_HTTP_PREFIX.get(name) or "HTTP_" + name.upper().replace("-", "_")
        if key != "CONTENT_LENGTH":
            environ[key] = value
    return environ


def call_wsgi(app, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split(" ", 1)[0])
        answer["headers"] = [(k, v) for k, v in headers if k.lower() not in ("content-length", "connection")]

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], body


class WsgiBridge:
    def __init__(
        self, app, loop: asyncio.AbstractEventLoop, executor: Executor, server: tuple[str, int], too_large=None
    ) -> None:
        self.app = app
        self.too_large = too_large
        self.loop = loop
        self.executor = executor
        self.server = server

    def handle(self, exchange: Exchange) -> None:
        if exchange.request.truncated:
            exchange.respond(*self.too_large(exchange.request))
            return
        environ = environ_for(exchange, self.server)
        future = self.loop.run_in_executor(self.executor, call_wsgi, self.app, environ)
        future.add_done_callback(lambda done: self._answer(exchange, done))

    @staticmethod
    def _answer(exchange: Exchange, done: asyncio.Future) -> None:
        try:
            status, headers, body = done.result()
        except Exception:  # a failure outside Flask's own handlers: still AWS's shape for a service error
            log.exception("management API request failed outside the application")
            status = 500
            headers = [("Content-Type", "application/json"), ("X-Amzn-ErrorType", "ServiceException")]
            body = b'{"Type":"Service","Message":"An internal error occurred"}'
        exchange.respond(status, headers, body)
