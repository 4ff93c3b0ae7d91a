"""The values that cross between the Invoke API and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from host.core.model import FunctionConfig


class Flow(Protocol):
    """The source of a streamed response, which a slow reader may hold back."""

    def pause(self) -> None: ...

    def resume(self) -> None: ...


class ResponseSink(Protocol):
    """Where a streamed response goes as the function writes it (InvokeWithResponseStream, a function URL).

    ``started`` comes once, when the runtime starts streaming, before any ``chunk``; the invocation's
    result (its future) still ends it. A function that answers the buffered way never starts a stream:
    its caller gets the whole payload with the result.
    """

    def started(self, content_type: str, executed_version: str, flow: Flow) -> None: ...

    def chunk(self, data: bytes) -> None: ...


@dataclass(frozen=True)
class InvokeRequest:
    """One invocation as the caller asked for it, with its function already resolved."""

    function: FunctionConfig
    payload: bytes
    request_id: str
    invoked_arn: str  # the ARN as invoked: qualified only if the caller qualified it
    trace_id: str
    client_context: str | None = None  # JSON text, already base64-decoded
    log_tail: bool = False
    stream: ResponseSink | None = field(default=None, compare=False)  # the caller takes a streamed response


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes
    executed_version: str
    function_error: str | None = None  # "Unhandled" when the function failed
    error_type: str | None = None  # what failed, for reports and retries
    log_tail: bytes | None = None  # the last 4 KB of the log, when the caller asked for it
    duration_ms: float | None = None  # the handler's run, as REPORT's Duration (None: it never ran)
    init_duration_ms: float | None = None  # a cold start's init, as REPORT's Init Duration
    provisioned: bool = False  # run by a provisioned-concurrency environment
