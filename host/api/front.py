"""The Lambda API's front door: Invoke on the event loop, the rest through Flask.

Two doors share one router. The one on the address the user chose serves everything.
The one on the Docker bridge, which every container can reach (so functions can call
``AWS_ENDPOINT_URL_LAMBDA``), serves Invoke and reads only: code running in a
container must not deploy functions or layers on the host (layers and local folders
reach the host's file system).
"""

from __future__ import annotations

import json

from host.api.errors import render
from host.api.function_urls import URL_HOST, UrlListeners
from host.api.invoke import INVOKE_PATH, InvokeEndpoint
from host.core.errors import LambdaApiError
from host.http.server import Exchange
from host.http.wsgi import WsgiBridge

STARTING = (503, [("Content-Type", "application/json")], json.dumps({"message": "lambda-host is starting"}).encode())


class AccessDenied(LambdaApiError):
    code = "AccessDeniedException"


class FrontDoor:
    def __init__(self) -> None:
        self.invoke: InvokeEndpoint | None = None
        self.management: WsgiBridge | None = None
        self.public_endpoint = ""
        self.urls: UrlListeners | None = None

    def attach(self, invoke: InvokeEndpoint, management: WsgiBridge, public_endpoint: str) -> None:
        self.invoke = invoke
        self.management = management
        self.public_endpoint = public_endpoint

    def serve_urls(self, urls: UrlListeners) -> None:
        """Also answer requests addressed to ``<url-id>.lambda-url...`` as function URLs."""
        self.urls = urls

    def handle(self, exchange: Exchange) -> None:
        if self.invoke is None or self.management is None:
            exchange.respond(*STARTING)
            return
        request = exchange.request
        if self.urls is not None:
            match = URL_HOST.match(request.headers.get("host", ""))
            if match is not None:
                self.urls.handle_by_host(exchange, match.group(1))
                return
        if request.method == "POST":
            match = INVOKE_PATH.match(request.path)
            if match is not None:
                self.invoke.handle(exchange, match.group(1))
                return
        self.management.handle(exchange)

    def handle_from_containers(self, exchange: Exchange) -> None:
        request = exchange.request
        if request.method in ("GET", "HEAD") or (request.method == "POST" and INVOKE_PATH.match(request.path)):
            self.handle(exchange)
            return
        message = f"Functions may invoke and read here; deploy through {self.public_endpoint}."
        exchange.respond(*render(AccessDenied(message), ""))
