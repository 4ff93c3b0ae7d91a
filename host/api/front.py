"""The front door of the API port: Lambda, the other services the host serves, and a relay.

One port answers for a whole serverless application, told apart as AWS's front ends tell
services apart (SPEC "One endpoint for a whole serverless application"):

1. a ``Host`` of ``<url-id>.lambda-url.<region>.on.aws``: a function URL;
2. an ``X-Amz-Target`` header whose prefix a capability registered (``route_target``,
   for example ``AWSStepFunctions.``), a path under a registered prefix (``route_path``, for
   example CloudWatch's CBOR ``/service/...`` and ``/metrics``), or a request signed for a
   service a capability serves itself (``route_service``, for example ``monitoring``):
   that capability's handler;
3. Lambda's REST paths: Invoke and InvokeWithResponseStream on the event loop, the rest through Flask;
4. a request signed for any other service (the SigV4 credential scope names it, see
   ``host.aws.forward``): relayed to the host's AWS endpoint (``forward_others``);
5. the console's pages and reads (``host.console.routing``: ``GET /`` for HTML, ``/console/...``,
   ``/_lambda-host/console/...``), on the user's door only (``serve_console``);
6. anything else: the Lambda management API, which answers unknown paths itself.

Two doors share one router. The one on the address the user chose serves everything.
The one on the Docker bridge, which every container can reach (so functions can call
``AWS_ENDPOINT_URL_LAMBDA`` and ``AWS_ENDPOINT_URL``), serves Invoke, Lambda's reads and the
other services: code running in a container must not deploy functions or layers on the
host (layers and local folders reach the host's file system).
"""

from __future__ import annotations

import json

from host.api.errors import render
from host.api.function_urls import URL_HOST, UrlListeners
from host.api.invoke import INVOKE_PATH, InvokeEndpoint
from host.api.streaming import STREAM_PATH, StreamingInvokeEndpoint
from host.aws.forward import credential_scope
from host.console.routing import is_console_request
from host.core.errors import LambdaApiError
from host.http.server import Exchange, Handler
from host.http.wsgi import WsgiBridge

STARTING = (503, [("Content-Type", "application/json")], json.dumps({"message": "lambda-host is starting"}).encode())
# Who answers on this port: lets `lambda-host invoke` tell a running lambda-host from anything else.
IDENTITY_PATH = "/_lambda-host/identity"


class AccessDenied(LambdaApiError):
    code = "AccessDeniedException"


class FrontDoor:
    def __init__(self, identity: dict | None = None) -> None:
        self.identity = json.dumps({"service": "lambda-host", **(identity or {})}).encode()
        self.invoke: InvokeEndpoint | None = None
        self.streaming: StreamingInvokeEndpoint | None = None
        self.management: WsgiBridge | None = None
        self.public_endpoint = ""
        self.urls: UrlListeners | None = None
        self.targets: dict[str, Handler] = {}  # X-Amz-Target prefix -> handler
        self.container_targets: set[str] = set()  # the prefixes functions may call too
        self.paths: dict[str, Handler] = {}  # path prefix -> handler
        self.container_paths: set[str] = set()
        self.services: dict[str, Handler] = {}  # SigV4 credential scope service -> handler
        self.relay: Handler | None = None
        self.console: Handler | None = None

    def attach(self, invoke: InvokeEndpoint, management: WsgiBridge, public_endpoint: str) -> None:
        self.invoke = invoke
        service = getattr(invoke, "service", None)  # a stand-in Invoke (in tests) may have none
        self.streaming = StreamingInvokeEndpoint(service) if service is not None else None
        self.management = management
        self.public_endpoint = public_endpoint

    def route_target(self, prefix: str, handler: Handler, from_containers: bool = False) -> None:
        """Answer requests whose ``X-Amz-Target`` starts with ``prefix`` (a JSON-protocol service such as
        ``AWSStepFunctions.``) with ``handler``, whatever their Host header; ``from_containers``: functions
        may call it too (a task token answered from inside a function)."""
        self.targets[prefix] = handler
        if from_containers:
            self.container_targets.add(prefix)

    def route_path(self, prefix: str, handler: Handler, from_containers: bool = False) -> None:
        """Answer requests whose path is ``prefix`` or under it (``prefix`` ending in ``/``: any path
        starting with it) with ``handler``; ``from_containers``: functions may call it too."""
        self.paths[prefix] = handler
        if from_containers:
            self.container_paths.add(prefix)

    def route_service(self, service: str, handler: Handler) -> None:
        """Answer requests signed for ``service`` (their SigV4 credential scope) with ``handler``
        instead of relaying them to the AWS endpoint."""
        self.services[service] = handler

    def forward_others(self, relay: Handler) -> None:
        """Hand requests signed for a service other than Lambda to ``relay``."""
        self.relay = relay

    def serve_console(self, console: Handler) -> None:
        """Answer the console's requests (pages, scripts, its JSON reads) with ``console``."""
        self.console = console

    def serve_urls(self, urls: UrlListeners) -> None:
        """Also answer requests addressed to ``<url-id>.lambda-url...`` as function URLs."""
        self.urls = urls

    def _registered(self, exchange: Exchange, from_containers: bool = False) -> Handler | None:
        target = exchange.request.headers.get("x-amz-target")
        if target:
            for prefix, handler in self.targets.items():
                if target.startswith(prefix) and (not from_containers or prefix in self.container_targets):
                    return handler
        if self.paths:
            path = exchange.request.path
            for prefix, handler in self.paths.items():
                if (path == prefix or (prefix.endswith("/") and path.startswith(prefix))) and (
                    not from_containers or prefix in self.container_paths
                ):
                    return handler
        return None

    def _relayed(self, exchange: Exchange) -> Handler | None:
        """The relay, for a request signed for a service other than Lambda."""
        if self.relay is not None:
            request = exchange.request
            scope = credential_scope(request.headers, request.query)
            if scope is not None and scope[1] != "lambda":
                return self.services.get(scope[1], self.relay)
        return None

    def handle(self, exchange: Exchange) -> None:
        request = exchange.request
        if request.path == IDENTITY_PATH and request.method == "GET":
            exchange.respond(200, [("Content-Type", "application/json")], self.identity)
            return
        if self.invoke is None or self.management is None:
            exchange.respond(*STARTING)
            return
        if self.urls is not None:
            match = URL_HOST.match(request.headers.get("host", ""))
            if match is not None:
                self.urls.handle_by_host(exchange, match.group(1))
                return
        other = self._registered(exchange) or self._relayed(exchange)
        if other is not None:
            other(exchange)
            return
        if self.console is not None and is_console_request(request.method, request.path, request.headers):
            self.console(exchange)
            return
        if request.method == "POST":
            match = INVOKE_PATH.match(request.path)
            if match is not None:
                self.invoke.handle(exchange, match.group(1))
                return
            match = STREAM_PATH.match(request.path) if self.streaming is not None else None
            if match is not None:
                self.streaming.handle(exchange, match.group(1))
                return
        self.management.handle(exchange)

    def handle_from_containers(self, exchange: Exchange) -> None:
        request = exchange.request
        if self.invoke is not None:
            other = self._registered(exchange, from_containers=True) or self._relayed(exchange)
            if other is not None:
                other(exchange)
                return
        console = is_console_request(request.method, request.path, request.headers)
        if not console and (
            request.method in ("GET", "HEAD")
            or (request.method == "POST" and (INVOKE_PATH.match(request.path) or STREAM_PATH.match(request.path)))
        ):
            self.handle(exchange)
            return
        message = f"Functions may invoke and read here; deploy through {self.public_endpoint}."
        exchange.respond(*render(AccessDenied(message), ""))
