"""The server side of AWS's JSON protocols (X-Amz-Target requests), shared by the services the host
answers itself (CloudWatch Logs, Step Functions)."""

from __future__ import annotations

import json

NOT_AN_OBJECT = "Start of structure or map found where not expected."


def request_params(body: bytes, error: type[Exception]) -> dict:
    """A request's parameters: its JSON object, ``{}`` for an empty body; anything else raises
    ``error`` (the service's SerializationException) with the message AWS gives."""
    if not body or not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise error(NOT_AN_OBJECT) from None
    if not isinstance(value, dict):
        raise error(NOT_AN_OBJECT)
    return value
