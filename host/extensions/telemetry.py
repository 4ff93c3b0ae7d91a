"""Telemetry API (2022-07-01) and Logs API (2020-08-15) subscriptions, buffers and record shapes.

No I/O: ``parse_subscription`` validates a subscribe body, ``Buffer`` decides when a batch is
due, and the ``*_record`` helpers build AWS's record shapes. The environment owns the sender.

Buffering, as AWS documents it: ``maxItems`` 1000-10000 (default 10000), ``maxBytes``
262144-1048576 (default 262144), ``timeoutMs`` 25-30000 (default 1000); a batch is sent when
any one is reached. Worked example: maxItems=1000, 3 records added then 1000 ms pass -> one
batch of 3 at the timeout. Caveat: a single record over ``maxBytes`` is sent alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

TELEMETRY_TYPES = frozenset({"platform", "function", "extension"})
LOGS_TYPES = TELEMETRY_TYPES
LIMITS = {"maxItems": (1000, 10000, 10000), "maxBytes": (262144, 1048576, 262144), "timeoutMs": (25, 30000, 1000)}


class SubscriptionError(Exception):
    """A refused subscribe request (HTTP 400) with AWS's ``errorType``."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message

    def body(self) -> bytes:
        return json.dumps({"errorMessage": self.message, "errorType": self.error_type}).encode()


@dataclass(frozen=True)
class Subscription:
    api: str  # "telemetry" or "logs"
    extension: str  # the subscribing extension's name
    types: frozenset[str]
    max_items: int
    max_bytes: int
    timeout_ms: int
    host: str  # destination host as given; sandbox.localdomain means the container itself
    port: int
    path: str


def parse_subscription(api: str, extension: str, body: bytes) -> Subscription:
    """Validate a ``PUT /2022-07-01/telemetry`` or ``PUT /2020-08-15/logs`` body."""
    error_type = "Telemetry.InvalidRequest" if api == "telemetry" else "Logs.InvalidRequest"
    try:
        parsed = json.loads(body)
    except ValueError:
        raise SubscriptionError(error_type, "Request body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise SubscriptionError(error_type, "Request body must be a JSON object")
    types = parsed.get("types")
    if not isinstance(types, list) or not types or not set(types) <= TELEMETRY_TYPES:
        raise SubscriptionError(error_type, f"types must be a non-empty subset of {sorted(TELEMETRY_TYPES)}")
    buffering = parsed.get("buffering") or {}
    if not isinstance(buffering, dict):
        raise SubscriptionError(error_type, "buffering must be an object")
    values = {}
    for key, (low, high, default) in LIMITS.items():
        value = buffering.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise SubscriptionError(error_type, f"buffering.{key} must be an integer from {low} to {high}")
        values[key] = value
    destination = parsed.get("destination")
    if not isinstance(destination, dict) or destination.get("protocol") != "HTTP":
        raise SubscriptionError(error_type, "destination.protocol must be HTTP")
    uri = urlsplit(str(destination.get("URI", "")))
    if uri.scheme != "http" or not uri.hostname or not uri.port:
        raise SubscriptionError(error_type, "destination.URI must be http://host:port[/path]")
    return Subscription(
        api,
        extension,
        frozenset(types),
        values["maxItems"],
        values["maxBytes"],
        values["timeoutMs"],
        uri.hostname,
        uri.port,
        uri.path or "/",
    )


class Buffer:
    """Records waiting for one subscription; says when a batch is due."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.records: list[dict] = []
        self.size = 0
        self.first_at: float | None = None

    def add(self, record: dict, now: float) -> list[dict] | None:
        """Add ``record`` if its type is subscribed; returns a batch when one is full."""
        if _stream(record["type"]) not in self.subscription.types:
            return None
        self.records.append(record)
        self.size += len(json.dumps(record))
        if self.first_at is None:
            self.first_at = now
        sub = self.subscription
        if len(self.records) >= sub.max_items or self.size >= sub.max_bytes:
            return self.take()
        return None

    def due(self, now: float) -> list[dict] | None:
        """The batch whose ``timeoutMs`` has passed, if any."""
        if self.first_at is not None and (now - self.first_at) * 1000 >= self.subscription.timeout_ms:
            return self.take()
        return None

    def take(self) -> list[dict]:
        batch, self.records, self.size, self.first_at = self.records, [], 0, None
        return batch

    def next_due_in(self, now: float) -> float | None:
        if self.first_at is None:
            return None
        return max(0.0, self.first_at + self.subscription.timeout_ms / 1000 - now)


def _stream(record_type: str) -> str:
    return "platform" if record_type.startswith("platform.") else record_type


def _time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def record(record_type: str, at: float, body: object) -> dict:
    return {"time": _time(at), "type": record_type, "record": body}


def init_start(at: float, function_name: str, version: str, runtime: str) -> dict:
    return record(
        "platform.initStart",
        at,
        {
            "initializationType": "on-demand",
            "phase": "init",
            "runtimeVersion": runtime,
            "functionName": function_name,
            "functionVersion": version,
        },
    )


def init_runtime_done(at: float, status: str) -> dict:
    return record(
        "platform.initRuntimeDone", at, {"initializationType": "on-demand", "phase": "init", "status": status}
    )


def start(at: float, request_id: str, version: str) -> dict:
    return record("platform.start", at, {"requestId": request_id, "version": version})


def runtime_done(at: float, request_id: str, status: str, duration_ms: float, produced_bytes: int) -> dict:
    metrics = {"durationMs": round(duration_ms, 3), "producedBytes": produced_bytes}
    return record("platform.runtimeDone", at, {"requestId": request_id, "status": status, "metrics": metrics})


def report(at: float, request_id: str, status: str, metrics: dict) -> dict:
    return record("platform.report", at, {"requestId": request_id, "status": status, "metrics": metrics})


def log_line(at: float, stream: str, line: str) -> dict:
    """A ``function`` or ``extension`` record: one line of output."""
    return record(stream, at, line)


def logs_api_records(telemetry_record: dict) -> list[dict]:
    """The older Logs API's shapes of a Telemetry record (init records have none; runtimeDone adds platform.end)."""
    kind, body, at = telemetry_record["type"], telemetry_record["record"], telemetry_record["time"]
    if kind in ("platform.initStart", "platform.initRuntimeDone"):
        return []
    if kind == "platform.start":
        return [{"time": at, "type": kind, "record": {"requestId": body["requestId"]}}]
    if kind == "platform.runtimeDone":
        return [
            {"time": at, "type": kind, "record": {"requestId": body["requestId"], "status": body["status"]}},
            {"time": at, "type": "platform.end", "record": {"requestId": body["requestId"]}},
        ]
    if kind == "platform.report":
        return [{"time": at, "type": kind, "record": {"requestId": body["requestId"], "metrics": body["metrics"]}}]
    return [telemetry_record]
