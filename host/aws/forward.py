"""Relaying requests for other AWS services from the Lambda port to the host's AWS endpoint.

AWS's front ends tell services apart by host name; on one local port the SigV4 credential
scope says which service a request is for (``Credential=AKID/20250101/us-east-1/sqs/...``,
in the ``Authorization`` header or a presigned URL's ``X-Amz-Credential``). ``service_of``
reads it; ``Relay`` sends the request on, unchanged, over kept-alive connections, and
answers the caller with what came back. The ``Host`` header is kept, so URLs the endpoint
builds from it (an SQS queue's URL) name the port the caller used.

For real AWS (``--aws-endpoint-url aws``) the request is signed again with the host's own
credentials for ``<service>.<region>.amazonaws.com`` and sent over HTTPS from a thread.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from concurrent.futures import Executor
from urllib.parse import unquote, urlsplit

import httptools

from host.aws.endpoint import AwsEndpoint
from host.http.server import Exchange

log = logging.getLogger("lambda_host.forward")

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]*)/([^/,\s]+)/aws4_request")
_HOP_HEADERS = {
    "connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "upgrade", "expect",
}  # fmt: skip
IDLE_CONNECTIONS = 32


def credential_scope(headers: dict[str, str], query: str) -> tuple[str, str] | None:
    """(region, service) of a SigV4-signed request, or None when it is not signed that way."""
    match = _SCOPE.search(headers.get("authorization", ""))
    if match is None and "X-Amz-Credential" in query:
        match = _SCOPE.search("Credential=" + unquote(query.split("X-Amz-Credential=", 1)[1].split("&", 1)[0]))
    return (match.group(1), match.group(2)) if match else None


class _Response:
    """Collects one HTTP response from httptools' callbacks."""

    def __init__(self) -> None:
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.headers_done = False
        self.done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class Relay:
    """Forwards ``Exchange``s to the endpoint; runs on the event loop."""

    def __init__(self, endpoint: AwsEndpoint, executor: Executor | None = None) -> None:
        self.endpoint = endpoint
        self.executor = executor
        self.idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = deque()
        self.tasks: set[asyncio.Task] = set()

    def handle(self, exchange: Exchange) -> None:
        task = asyncio.get_running_loop().create_task(self._relay(exchange))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _relay(self, exchange: Exchange) -> None:
        try:
            if self.endpoint.real_aws:
                status, headers, body = await asyncio.get_running_loop().run_in_executor(
                    self.executor, _to_aws, self.endpoint, exchange.request
                )
            else:
                status, headers, body = await self._send(exchange.request)
        except Exception as exc:
            log.warning("relaying %s %s failed: %s", exchange.request.method, exchange.request.path, exc)
            status, headers = 502, [("Content-Type", "application/json")]
            body = b'{"__type":"ServiceUnavailable","message":"the AWS endpoint could not be reached"}'
        if not exchange.answered and not exchange.closed:
            exchange.respond(status, [(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS], body)

    async def _send(self, request) -> tuple[int, list[tuple[str, str]], bytes]:
        target = f"{request.raw_path}?{request.query}" if request.query else request.raw_path
        head = [f"{request.method} {target} HTTP/1.1"]
        head += [f"{k}: {v}" for k, v in request.headers.items() if k not in _HOP_HEADERS]
        head.append(f"content-length: {len(request.body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body
        for attempt in (1, 2):  # a kept-alive connection the endpoint closed meanwhile: once more, fresh
            reused = bool(self.idle)
            reader, writer = self.idle.popleft() if reused else await self._connect()
            try:
                writer.write(data)
                response, reusable = await self._read(reader, request.method == "HEAD")
            except (OSError, ConnectionError, EOFError, httptools.HttpParserError):
                writer.close()
                if attempt == 2 or not reused:
                    raise
                continue
            if reusable and len(self.idle) < IDLE_CONNECTIONS:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return response
        raise ConnectionError("unreachable")

    async def _connect(self):
        url = urlsplit(self.endpoint.url or "")
        return await asyncio.open_connection(url.hostname, url.port or 80)

    async def _read(self, reader: asyncio.StreamReader, head_only: bool):
        collected = _Response()
        parser = httptools.HttpResponseParser(collected)
        while not collected.done and not (head_only and collected.headers_done):
            chunk = await reader.read(65536)
            if not chunk:
                if collected.headers_done and not head_only:
                    parser.feed_data(b"")
                    break
                raise EOFError("the endpoint closed the connection")
            parser.feed_data(chunk)
        keep = parser.should_keep_alive() and collected.done
        return (parser.get_status_code(), collected.headers, b"".join(collected.body)), keep

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        while self.idle:
            self.idle.popleft()[1].close()


def _to_aws(endpoint: AwsEndpoint, request) -> tuple[int, list[tuple[str, str]], bytes]:
    """Sign the request again with the host's credentials and send it to AWS itself (blocking)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    region, service = credential_scope(request.headers, request.query) or ("us-east-1", "")
    prefix = "streams.dynamodb" if request.headers.get("x-amz-target", "").startswith("DynamoDBStreams") else service
    url = f"https://{prefix}.{region}.amazonaws.com{request.raw_path}" + (f"?{request.query}" if request.query else "")
    keep = {k: v for k, v in request.headers.items() if k in ("content-type", "x-amz-target") or k.startswith("x-amz-")}
    keep = {k: v for k, v in keep.items() if k not in ("x-amz-date", "x-amz-security-token", "x-amz-content-sha256")}
    signed = AWSRequest(request.method, url, data=request.body, headers=keep)
    own = endpoint.credentials()
    SigV4Auth(Credentials(own.access_key, own.secret_key, own.token), service, region).add_auth(signed)
    answer = _pool().request(request.method, url, body=request.body, headers=dict(signed.headers.items()))
    return answer.status, list(answer.headers.items()), answer.data


_POOL = None


def _pool():
    global _POOL
    if _POOL is None:
        import urllib3

        _POOL = urllib3.PoolManager(maxsize=8)
    return _POOL
