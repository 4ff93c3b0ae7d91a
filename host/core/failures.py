"""Failures of a runtime's init, kept until an invocation can be told, and error-body helpers."""

from __future__ import annotations

import json

from host.core import platform_errors


class InitFailure:
    """Why the last init failed; ``payload`` is what the invocation that meets it gets."""

    __slots__ = ("body", "error_type", "kind", "wait_status")

    KINDS = ("error", "exit", "entrypoint", "timeout")

    def __init__(self, kind: str, body: bytes = b"", error_type: str = "", wait_status: int | None = None):
        assert kind in self.KINDS, kind
        self.kind = kind  # posted to /init/error, runtime exited, no entry point, never ready
        self.body = body
        self.error_type = error_type or {
            "exit": "Runtime.ExitError",
            "entrypoint": "Runtime.InvalidEntrypoint",
            "timeout": "Sandbox.Timedout",
        }.get(kind, "Runtime.Unknown")
        self.wait_status = wait_status

    def payload(self, request_id: str, timeout: int) -> bytes:
        if self.kind == "error":
            return self.body
        if self.kind == "exit":
            return platform_errors.runtime_exit_error(request_id, self.wait_status)
        if self.kind == "entrypoint":
            return platform_errors.invalid_entrypoint(request_id, self.body.decode())
        return platform_errors.timeout_error(request_id, timeout)


def error_type_of(body: bytes) -> str | None:
    """The ``errorType`` of a runtime's error body, if it is JSON and has one."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    error_type = value.get("errorType") if isinstance(value, dict) else None
    return error_type if isinstance(error_type, str) else None


def without_error_cause(body: bytes) -> bytes:
    """An ``error.cause+json`` body reduced to what the caller sees (RIE keeps the cause for X-Ray)."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    if not isinstance(value, dict):
        return body
    return json.dumps({k: value[k] for k in ("errorMessage", "errorType", "stackTrace") if k in value}).encode()
