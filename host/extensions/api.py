"""Thin HTTP handlers for the Extensions (2020-01-01), Telemetry (2022-07-01) and Logs (2020-08-15) APIs.

Routes only; state lives in ``registry.Registry`` and subscriptions in ``telemetry``. Reached from
``host.runtime_api.server.RuntimeApi`` for paths outside ``/2018-06-01/``, so the runtime's own
requests never pass through here (no cost on the warm path).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from host.extensions.registry import ExtensionError, Registry
from host.extensions.telemetry import Subscription, SubscriptionError, parse_subscription
from host.http.server import Exchange

EXTENSION = "/2020-01-01/extension/"
TELEMETRY = "/2022-07-01/telemetry"
LOGS = "/2020-08-15/logs"
PREFIXES = (EXTENSION, TELEMETRY, LOGS)
JSON = ("Content-Type", "application/json")
IDENTIFIER = "lambda-extension-identifier"
ERROR_TYPE = "lambda-extension-function-error-type"


class ExtensionsApi:
    """Serves one environment's extensions; ``subscribed`` is told of each accepted subscription."""

    def __init__(
        self,
        registry: Registry,
        subscribed: Callable[[Subscription], None],
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.registry = registry
        self.subscribed = subscribed
        self.changed = changed  # told after each registration and each event/next

    def handles(self, path: str) -> bool:
        return path.startswith(PREFIXES)

    def handle(self, exchange: Exchange) -> None:
        request = exchange.request
        path, method, headers = request.path, request.method, request.headers
        try:
            if path == EXTENSION + "register" and method == "POST":
                ext, answer = self.registry.register(headers.get("lambda-extension-name"), request.body)
                exchange.respond(
                    200, [JSON, ("Lambda-Extension-Identifier", ext.identifier)], json.dumps(answer).encode()
                )
            elif path == EXTENSION + "event/next" and method == "GET":
                self.registry.next_requested(headers.get(IDENTIFIER), lambda event, eid: _deliver(exchange, event, eid))
            elif path in (EXTENSION + "init/error", EXTENSION + "exit/error") and method == "POST":
                phase = "init" if path.endswith("init/error") else "exit"
                self.registry.error_posted(headers.get(IDENTIFIER), headers.get(ERROR_TYPE), request.body, phase)
                exchange.respond(202, [JSON], b'{"status":"OK"}')
            elif path in (TELEMETRY, LOGS) and method == "PUT":
                ext = self.registry.lookup(headers.get(IDENTIFIER))
                api = "telemetry" if path == TELEMETRY else "logs"
                self.subscribed(parse_subscription(api, ext.name, request.body))
                exchange.respond(200, [JSON], b"OK")
            else:
                exchange.respond(404, [JSON], b'{"errorMessage":"Not found","errorType":"NotFound"}')
        except (ExtensionError, SubscriptionError) as exc:
            status = getattr(exc, "status", 400)
            exchange.respond(status, [JSON], exc.body())
            return
        self.changed()


def _deliver(exchange: Exchange, event: dict, event_id: str) -> bool:
    if exchange.answered:
        return False
    return exchange.respond(
        200, [JSON, ("Lambda-Extension-Event-Identifier", event_id)], json.dumps(event, separators=(",", ":")).encode()
    )
