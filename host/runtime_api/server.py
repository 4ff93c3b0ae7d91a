"""The Lambda Runtime API (2018-06-01) of one environment, served on that environment's own port.

Thin: it parses the four routes, hands each to the environment, and renders the
answer with the status codes and bodies the Runtime Interface Emulator uses:

======================================================  ====  ==========================
``GET  /2018-06-01/runtime/invocation/next``            200   the event, when there is one
``POST /2018-06-01/runtime/invocation/{id}/response``   202   ``{"status":"OK"}``
``POST /2018-06-01/runtime/invocation/{id}/error``      202
``POST /2018-06-01/runtime/init/error``                 202
wrong request id, or already answered                   400   ``InvalidRequestID``
not allowed in the runtime's state                      403   ``InvalidStateTransition``
response over 6 MB (+100 bytes)                         413   ``RequestEntityTooLarge``
a response mode other than ``streaming``                400   ``InvalidFunctionResponseMode``
======================================================  ====  ==========================

A ``/response`` sent with ``Lambda-Runtime-Function-Response-Mode: streaming`` (chunked) is
handed to the environment as soon as its headers arrive, its body following piece by piece, and
is answered when it ends; a mid-stream error comes as its trailers
``Lambda-Runtime-Function-Error-Type`` and ``Lambda-Runtime-Function-Error-Body`` (base64).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from host.core.states import EnvState
from host.http.server import BodyStream, Exchange, Request

if TYPE_CHECKING:
    from host.core.invocation import InvokeRequest

PREFIX = "/2018-06-01/runtime/"
NEXT = PREFIX + "invocation/next"
INIT_ERROR = PREFIX + "init/error"
INVOCATION = PREFIX + "invocation/"
JSON = ("Content-Type", "application/json")
RESPONSE_MODE = "lambda-runtime-function-response-mode"
STREAMING = "streaming"

# The Runtime Interface Emulator's names for a runtime's states, as its 403 message uses them.
_RIE_STATE = {
    EnvState.INITIALIZING: "Started",
    EnvState.IDLE: "Ready",
    EnvState.INVOKING: "Running",
    EnvState.FAILED: "InitError",
    EnvState.RESETTING: "Reset",
}


class Outcome:
    __slots__ = ("body", "status")

    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body

    @classmethod
    def accepted(cls) -> Outcome:
        return cls(202, b'{"status":"OK"}')

    @classmethod
    def invalid_request_id(cls) -> Outcome:
        return cls(400, _error("Invalid request ID", "InvalidRequestID"))

    @classmethod
    def invalid_state(cls, current: EnvState, target: str) -> Outcome:
        name = _RIE_STATE.get(current, current.value)
        message = f"State transition from {name} to {target} failed for runtime. Error: State transition is not allowed"
        return cls(403, _error(message, "InvalidStateTransition"))

    @classmethod
    def too_large(cls) -> Outcome:
        return cls(413, _error("Exceeded maximum allowed payload size (6291556 bytes).", "RequestEntityTooLarge"))

    @classmethod
    def invalid_response_mode(cls) -> Outcome:
        return cls(400, _error("Invalid function response mode", "InvalidFunctionResponseMode"))

    @classmethod
    def not_found(cls) -> Outcome:
        return cls(404, _error("Not found", "NotFound"))

    @classmethod
    def forbidden(cls) -> Outcome:
        return cls(403, _error("This Runtime API belongs to another execution environment", "AccessDenied"))


def _error(message: str, error_type: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}, separators=(",", ":")).encode()


class NextWaiter:
    """A runtime's parked ``/next`` request, answered when an invocation is ready."""

    __slots__ = ("exchange",)

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def deliver(self, request: InvokeRequest, deadline_ms: int) -> bool:
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", request.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", request.invoked_arn),
            ("Lambda-Runtime-Trace-Id", request.trace_id),
            JSON,
        ]
        if request.client_context:
            headers.append(("Lambda-Runtime-Client-Context", request.client_context))
        return self.exchange.respond(200, headers, request.payload)

    def refuse(self, outcome: Outcome) -> None:
        if not self.exchange.answered:
            self.exchange.respond(outcome.status, [JSON], outcome.body)

    def close(self) -> None:
        if not self.exchange.answered:
            body = _error(
                "Container error. Non-recoverable state. Runtime should exit promptly.", "InternalServerError"
            )
            self.exchange.respond(500, [JSON], body)


class Runtime(Protocol):
    """What the Runtime API needs of an environment."""

    def next_requested(self, waiter: NextWaiter) -> Outcome | None: ...

    def response_posted(self, request_id: str, body: bytes, too_large: bool = False) -> Outcome: ...

    def response_streamed(
        self, request_id: str, content_type: str, body: BodyStream, reply: Callable[[Outcome], None]
    ) -> Outcome | None: ...  # None: ``reply`` answers once the body has ended

    def response_mode_refused(self, request_id: str) -> Outcome: ...

    def error_posted(self, request_id: str, body: bytes, error_type: str | None, content_type: str) -> Outcome: ...

    def init_error_posted(self, body: bytes, error_type: str | None) -> Outcome: ...

    def caller_allowed(self, address: str) -> bool: ...  # is ``address`` this environment's container?


def streams_body(request: Request) -> bool:
    """A streamed ``/response``: handed on before its body (``serve``'s ``stream_body``)."""
    return (
        request.headers.get(RESPONSE_MODE) == STREAMING
        and request.method == "POST"
        and request.path.startswith(INVOCATION)
        and request.path.endswith("/response")
    )


class RuntimeApi:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def handle(self, exchange: Exchange) -> None:
        request = exchange.request
        path = request.path
        outcome: Outcome | None
        peer = request.peer[0] if isinstance(request.peer, tuple) and request.peer else ""
        if not self.runtime.caller_allowed(peer):  # another container, or no environment at all
            outcome = Outcome.forbidden()
            if request.body_stream is not None:
                request.body_stream.discard()
        elif path == NEXT and request.method == "GET":
            waiter = NextWaiter(exchange)
            outcome = self.runtime.next_requested(waiter)
        elif path.startswith(INVOCATION) and request.method == "POST":
            request_id, _, verb = path[len(INVOCATION) :].partition("/")
            if verb == "response" and request.body_stream is not None:
                outcome = self.runtime.response_streamed(
                    request_id,
                    request.headers.get("content-type", "application/octet-stream"),
                    request.body_stream,
                    lambda later: _reply(exchange, later),
                )
            elif verb == "response" and request.headers.get(RESPONSE_MODE, STREAMING) != STREAMING:
                outcome = self.runtime.response_mode_refused(request_id)
            elif verb == "response":
                outcome = self.runtime.response_posted(request_id, request.body, request.truncated)
            elif verb == "error":
                outcome = self.runtime.error_posted(
                    request_id,
                    request.body,
                    request.headers.get("lambda-runtime-function-error-type"),
                    request.headers.get("content-type", ""),
                )
            else:
                outcome = Outcome.not_found()
        elif path == INIT_ERROR and request.method == "POST":
            outcome = self.runtime.init_error_posted(
                request.body, request.headers.get("lambda-runtime-function-error-type")
            )
        elif (extensions := getattr(self.runtime, "extensions_api", None)) is not None and extensions.handles(path):
            extensions.handle(exchange)  # Extensions, Telemetry and Logs APIs (host.extensions.api)
            return
        else:
            outcome = Outcome.not_found()
        if outcome is not None:
            exchange.respond(outcome.status, [JSON], outcome.body)


def _reply(exchange: Exchange, outcome: Outcome) -> None:
    if not exchange.answered:
        exchange.respond(outcome.status, [JSON], outcome.body)
