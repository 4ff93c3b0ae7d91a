"""The values that cross between the Invoke API and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from host.core.model import FunctionConfig


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


@dataclass(frozen=True)
class InvokeResult:
    payload: bytes
    executed_version: str
    function_error: str | None = None  # "Unhandled" when the function failed
    error_type: str | None = None  # what failed, for reports and retries
    log_tail: bytes | None = None  # the last 4 KB of the log, when the caller asked for it
