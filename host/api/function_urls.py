"""Function URLs served over HTTP: one listener per URL, on the event loop like Invoke.

Each URL the store holds gets its own port (``http://127.0.0.1:<port>/``), so ``curl``
and a front end reach it without a special host name. A request becomes a payload
format 2.0 event, runs through the same InvokeService as the Invoke API (an alias URL
is routed by the alias's weights), and the result becomes the HTTP response
(``host.core.url_payloads``). The Lambda API's own port also serves any URL to a
request whose ``Host`` is ``<url-id>.lambda-url.<region>...``, which is where an unknown
URL id gets AWS's 403.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading

from host.api.url_streaming import UrlStreamAnswer
from host.core.errors import LambdaApiError, RequestEntityTooLarge, ResourceNotFound, TooManyRequests
from host.core.model import FunctionUrl
from host.core.url_payloads import (
    UnmappableResult,
    UrlRequest,
    cors_headers,
    http_response,
    is_preflight,
    request_event,
)
from host.http.server import Exchange, serve
from host.service.invoke import MAX_SYNC_PAYLOAD, InvokeCall, InvokeService, new_request_id, new_trace_id
from host.store.functions import FunctionStore

log = logging.getLogger("lambda_host.urls")

URL_HOST = re.compile(r"^([a-z0-9]{32})\.lambda-url\.")
JSON = ("Content-Type", "application/json")
FORBIDDEN = (
    b'{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: '
    b'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}'
)
IAM_CREDENTIAL = re.compile(r"Credential=([A-Z0-9]+)/")


class UrlListeners:
    """The HTTP side of function URLs: a listener per URL, following the store."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        bind_host: str,
        public_host: str,
        store: FunctionStore,
        invoke: InvokeService,
        account: str,
    ) -> None:
        self.loop = loop
        self.bind_host = bind_host
        self.public_host = public_host
        self.store = store
        self.invoke = invoke
        self.account = account
        self.servers: dict[str, tuple[int, asyncio.Server, set]] = {}  # url id -> port, server, connections
        self.reserved: dict[int, socket.socket] = {}
        self.reserved_lock = threading.Lock()
        self.sync_lock = asyncio.Lock()
        self.closing = False

    # -- following the store (UrlEndpoints) --------------------------------------------------------

    def reserve(self) -> int:
        """Bind a free port now, so the URL is known before its listener starts (any thread)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.bind_host, 0))
        port = sock.getsockname()[1]
        with self.reserved_lock:
            self.reserved[port] = sock
        return port

    def address(self, port: int) -> str:
        return f"http://{self.public_host}:{port}/"

    def sync(self) -> None:
        """Serve exactly the store's URLs (from any thread; the work happens on the loop)."""
        self.loop.call_soon_threadsafe(lambda: self.loop.create_task(self.follow_store()))

    async def follow_store(self) -> None:
        async with self.sync_lock:
            if self.closing:
                return
            wanted = {url.url_id: url for url in self.store.urls()}
            for url_id, (port, server, connections) in list(self.servers.items()):
                # A deleted URL keeps its port until the host stops, answering 403 as AWS's does.
                if url_id in wanted and wanted[url_id].port != port:
                    del self.servers[url_id]
                    _stop(server, connections)
            for url in wanted.values():
                if url.url_id not in self.servers:
                    await self._open(url)

    async def _open(self, url: FunctionUrl) -> None:
        connections: set = set()

        def handler(exchange: Exchange) -> None:
            self.handle(exchange, url.url_id)

        options = {"max_body": MAX_SYNC_PAYLOAD + 1, "connections": connections, "header_separator": ","}
        with self.reserved_lock:
            sock = self.reserved.pop(url.port, None)
        try:
            if sock is not None:
                server = await serve(handler, None, None, sock=sock, **options)
            else:
                server = await serve(handler, self.bind_host, url.port, **options)
            port = url.port
        except OSError as exc:  # the port it had before a restart is taken now: move it
            server = await serve(handler, self.bind_host, 0, **options)
            port = server.sockets[0].getsockname()[1]
            log.warning("function URL %s: port %d is taken (%s); it moves to port %d", url.url_id, url.port, exc, port)
            await self.loop.run_in_executor(None, self.store.put_url, url.with_changes(port=port))
        self.servers[url.url_id] = (port, server, connections)

    async def close(self) -> None:
        async with self.sync_lock:
            self.closing = True
            for _, server, connections in self.servers.values():
                _stop(server, connections)
            self.servers.clear()
            with self.reserved_lock:
                for sock in self.reserved.values():
                    sock.close()
                self.reserved.clear()

    # -- serving requests ------------------------------------------------------------------------

    def handle_by_host(self, exchange: Exchange, url_id: str) -> None:
        """A request on the Lambda API's port for ``<url-id>.lambda-url...``; an unknown id gets AWS's 403."""
        if self.store.url_by_id(url_id) is None:
            exchange.respond(403, [JSON, ("x-amzn-ErrorType", "AccessDeniedException")], b'{"Message":null}')
            return
        self.handle(exchange, url_id)

    def handle(self, exchange: Exchange, url_id: str) -> None:
        url = self.store.url_by_id(url_id)
        if url is None:  # deleted a moment ago, with its alias or function
            exchange.respond(403, [JSON, ("x-amzn-ErrorType", "AccessDeniedException")], FORBIDDEN)
            return
        request = exchange.request
        headers = request.headers
        if url.cors and is_preflight(request.method, headers):
            exchange.respond(200, cors_headers(url.cors, headers, preflight=True))
            return
        authorizer = None
        if url.auth_type == "AWS_IAM":
            authorizer = self._iam_caller(headers.get("authorization", ""))
            if authorizer is None:
                exchange.respond(403, [JSON, ("x-amzn-ErrorType", "AccessDeniedException")], b'{"Message":"Forbidden"}')
                return
        request_id = new_request_id()
        if request.truncated:
            self._too_large(exchange, request_id)
            return
        event = request_event(
            UrlRequest(
                method=request.method,
                raw_path=request.raw_path,
                path=request.path,
                query=request.query,
                headers=_forwarded(headers, _peer_ip(request.peer), url.port),
                body=request.body,
                source_ip=_peer_ip(request.peer),
                url_id=url.url_id,
                request_id=request_id,
                authorizer=authorizer,
            )
        )
        cors = cors_headers(url.cors, headers, preflight=False)
        stream = None
        if url.invoke_mode == "RESPONSE_STREAM":
            own = [("x-amzn-RequestId", request_id), *cors]
            stream = UrlStreamAnswer(
                exchange, own, lambda result: self._answer_result(exchange, request_id, own, result)
            )
        call = InvokeCall(
            function_name=url.function_name,
            qualifier=url.qualifier or None,
            payload=json.dumps(event, separators=(",", ":")).encode(),
            stream=stream,
        )
        try:
            started = self.invoke.start(call, request_id)
        except RequestEntityTooLarge:
            self._too_large(exchange, request_id)
            return
        except LambdaApiError as error:
            self._refuse(exchange, error, request_id)
            return
        started.add_done_callback(lambda done: self._answer(exchange, request_id, cors, done, stream))

    def _answer(
        self, exchange: Exchange, request_id: str, cors: list, done: asyncio.Future, stream: UrlStreamAnswer | None
    ) -> None:
        own = [("x-amzn-RequestId", request_id), *cors]
        if stream is not None and stream.open and (done.cancelled() or done.exception() is not None):
            exchange.end_stream()  # the status is sent already: the body just ends
            return
        if done.cancelled() or done.exception() is not None:
            error = None if done.cancelled() else done.exception()
            if isinstance(error, LambdaApiError):
                self._refuse(exchange, error, request_id)
            else:
                log.error("function URL invocation failed", exc_info=error)
                exchange.respond(502, [JSON, *own], b"Internal Server Error")
            return
        if stream is not None:
            stream.complete(done.result())
            return
        self._answer_result(exchange, request_id, own, done.result())

    def _answer_result(self, exchange: Exchange, request_id: str, own: list, result) -> None:
        """A result answered whole: mapped to status, headers and body (``host.core.url_payloads``)."""
        if result.function_error:
            exchange.respond(502, [JSON, *own], b"Internal Server Error")
            return
        try:
            status, headers, body = http_response(result.payload)
        except UnmappableResult as exc:
            log.warning("function URL request %s: the result is no HTTP response: %s", request_id, exc)
            exchange.respond(502, [JSON, *own], b"Internal Server Error")
            return
        exchange.respond(status, [*headers, *own], body)

    def _refuse(self, exchange: Exchange, error: LambdaApiError, request_id: str) -> None:
        own = [JSON, ("x-amzn-RequestId", request_id)]
        if isinstance(error, ResourceNotFound):  # the alias behind the URL is gone
            exchange.respond(403, [*own, ("x-amzn-ErrorType", "AccessDeniedException")], FORBIDDEN)
        elif isinstance(error, TooManyRequests):
            exchange.respond(429, [*own, ("x-amzn-ErrorType", error.code)], b'{"Message":"Rate Exceeded."}')
        else:
            log.warning("function URL request %s refused: %s", request_id, error.message)
            exchange.respond(502, own, b"Internal Server Error")

    def _too_large(self, exchange: Exchange, request_id: str) -> None:
        exchange.respond(
            413,
            [JSON, ("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", "RequestEntityTooLargeException")],
            b'{"Message":"Request Entity Too Large"}',
        )

    def _iam_caller(self, authorization: str) -> dict | None:
        """The caller of a SigV4-signed request (the signature itself is not checked locally)."""
        if not authorization.startswith("AWS4-HMAC-SHA256 "):
            return None
        match = IAM_CREDENTIAL.search(authorization)
        key = match.group(1) if match else "UNKNOWN"
        return {
            "iam": {
                "accessKey": key,
                "accountId": self.account,
                "callerId": key,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": f"arn:aws:iam::{self.account}:user/local",
                "userId": key,
            }
        }


def _forwarded(headers: dict[str, str], ip: str, port: int) -> dict[str, str]:
    """The request's headers plus those Lambda's front end adds."""
    forwarded = dict(headers)
    forwarded["x-forwarded-for"] = f"{headers['x-forwarded-for']}, {ip}" if "x-forwarded-for" in headers else ip
    forwarded["x-forwarded-port"] = str(port)
    forwarded["x-forwarded-proto"] = "http"
    forwarded.setdefault("x-amzn-trace-id", new_trace_id().split(";")[0])
    return forwarded


def _peer_ip(peer) -> str:
    return peer[0] if isinstance(peer, tuple) and peer else "127.0.0.1"


def _stop(server: asyncio.Server, connections: set) -> None:
    server.close()
    for transport in list(connections):
        transport.close()
