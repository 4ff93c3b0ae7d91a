"""The Extensions API's state for one environment: registrations, event queues and barriers.

No I/O: an extension's parked ``event/next`` is a callable handed in by the HTTP layer, and
the environment asks this module whether init or an invoke may complete.

Contract (as Lambda runs extensions):
1. Registration is open until the runtime's init starts (``close_registration``); at most
   ten extensions; each name registers once; events are ``INVOKE`` and ``SHUTDOWN``.
2. Init completes when every registered extension has called ``event/next`` (``all_waiting``).
3. An invoke completes when the runtime has answered and every extension subscribed to
   ``INVOKE`` has called ``event/next`` again (``all_waiting``).
4. ``SHUTDOWN`` goes to every extension subscribed to it; the caller kills them after the deadline.
5. ``init/error`` and ``exit/error`` record the error; the first init error fails the init.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_EXTENSIONS = 10
EVENTS = frozenset({"INVOKE", "SHUTDOWN"})
SHUTDOWN_REASONS = frozenset({"spindown", "timeout", "failure"})

Waiter = Callable[[dict, str], bool]  # (event, event id) -> delivered


class ExtensionError(Exception):
    """An Extensions API refusal, rendered as ``{"errorType", "errorMessage"}`` with ``status``."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message

    def body(self) -> bytes:
        return json.dumps({"errorMessage": self.message, "errorType": self.error_type}).encode()


@dataclass
class Extension:
    identifier: str
    name: str
    events: frozenset[str]
    queue: deque = field(default_factory=deque)
    waiter: Waiter | None = None
    calls_next: int = 0  # how many times it has asked for an event


@dataclass(frozen=True)
class ExtensionFailure:
    name: str
    error_type: str
    body: bytes
    phase: str  # "init" or "exit"


class Registry:
    """The extensions of one environment."""

    def __init__(self, function_name: str, function_version: str, handler: str) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.handler = handler
        self.extensions: dict[str, Extension] = {}
        self.registration_open = True
        self.failures: list[ExtensionFailure] = []

    # -- registration --------------------------------------------------------------------
    def register(self, name: str | None, body: bytes) -> tuple[Extension, dict]:
        """Register ``name``; returns the extension and the response body."""
        if not name:
            raise ExtensionError(403, "Extension.InvalidExtensionName", "Empty extension name")
        try:
            parsed = json.loads(body or b"null")
            events = parsed["events"] if isinstance(parsed, dict) else None
            if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
                raise ValueError("events must be a list of strings")
        except (ValueError, KeyError) as exc:
            raise ExtensionError(403, "InvalidRequestFormat", str(exc)) from None
        if not self.registration_open:
            raise ExtensionError(
                403, "Extension.RegistrationServiceOff", f"Failed to register extension {name}: registration is closed"
            )
        if any(ext.name == name for ext in self.extensions.values()):
            raise ExtensionError(
                403, "Extension.AlreadyRegistered", f"Failed to register extension {name}: already registered"
            )
        if len(self.extensions) >= MAX_EXTENSIONS:
            raise ExtensionError(
                403, "Extension.TooManyExtensions", f"Failed to register extension {name}: too many extensions"
            )
        for event in events:
            if event not in EVENTS:
                raise ExtensionError(
                    403, "Extension.InvalidEventType", f"Failed to register extension {name}: event {event}"
                )
        ext = Extension(str(uuid.uuid4()), name, frozenset(events))
        self.extensions[ext.identifier] = ext
        answer = {"functionName": self.function_name, "functionVersion": self.function_version, "handler": self.handler}
        return ext, answer

    def close_registration(self) -> None:
        self.registration_open = False

    def lookup(self, identifier: str | None) -> Extension:
        if not identifier:
            raise ExtensionError(
                403, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header"
            )
        ext = self.extensions.get(identifier)
        if ext is None:
            raise ExtensionError(403, "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier")
        return ext

    # -- events --------------------------------------------------------------------------
    def next_requested(self, identifier: str | None, waiter: Waiter) -> None:
        """Park ``waiter`` or hand it the extension's next queued event at once."""
        ext = self.lookup(identifier)
        ext.calls_next += 1
        while ext.queue:
            event = ext.queue.popleft()
            if waiter(event, str(uuid.uuid4())):
                return
        ext.waiter = waiter

    def all_waiting(self) -> bool:
        """Every extension is parked in ``event/next`` with nothing queued (init or invoke may end)."""
        return all(ext.waiter is not None and not ext.queue for ext in self.extensions.values())

    def _send(self, ext: Extension, event: dict) -> None:
        waiter, ext.waiter = ext.waiter, None
        if waiter is None or not waiter(event, str(uuid.uuid4())):
            ext.queue.append(event)

    def invoke(self, request_id: str, invoked_arn: str, deadline_ms: int, trace_id: str | None) -> int:
        """Send INVOKE to the subscribed extensions; returns how many got it."""
        event = {
            "eventType": "INVOKE",
            "deadlineMs": deadline_ms,
            "requestId": request_id,
            "invokedFunctionArn": invoked_arn,
        }
        if trace_id:
            event["tracing"] = {"type": "X-Amzn-Trace-Id", "value": trace_id}
        subscribed = [ext for ext in self.extensions.values() if "INVOKE" in ext.events]
        for ext in subscribed:
            self._send(ext, event)
        return len(subscribed)

    def shutdown(self, reason: str, deadline_ms: int) -> int:
        """Send SHUTDOWN to the subscribed extensions; returns how many got it."""
        if reason not in SHUTDOWN_REASONS:
            raise ValueError(reason)
        event = {"eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline_ms}
        subscribed = [ext for ext in self.extensions.values() if "SHUTDOWN" in ext.events]
        for ext in subscribed:
            self._send(ext, event)
        return len(subscribed)

    # -- errors --------------------------------------------------------------------------
    def error_posted(self, identifier: str | None, error_type: str | None, body: bytes, phase: str) -> ExtensionFailure:
        ext = self.lookup(identifier)
        if not error_type:
            raise ExtensionError(400, "InvalidRequestFormat", "Missing Lambda-Extension-Function-Error-Type header")
        failure = ExtensionFailure(ext.name, error_type, body, phase)
        self.failures.append(failure)
        return failure

    @property
    def init_failure(self) -> ExtensionFailure | None:
        return next((f for f in self.failures if f.phase == "init"), None)
