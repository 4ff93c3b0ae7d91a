"""StartLiveTail's events in AWS's event stream framing (``host.core.eventstream``). No I/O."""

from __future__ import annotations

import json
from typing import Any

from host.core.eventstream import message


def event(event_type: str, body: dict[str, Any]) -> bytes:
    """An ``event`` message of ``event_type`` with a JSON payload."""
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return message(headers, json.dumps(body, separators=(",", ":")).encode())


def exception(code: str, text: str) -> bytes:
    """An ``exception`` message: botocore raises it as ``code`` while the stream is read."""
    headers = {":exception-type": code, ":content-type": "application/json", ":message-type": "exception"}
    return message(headers, json.dumps({"message": text}).encode())
