"""Events in and results out, encoded as AWS's Python runtime encodes them."""

import decimal
import json
import os
import re

from lambda_host_runtime.faults import MARSHAL_ERROR, UNMARSHAL_ERROR, FaultException

# Python 3.12 and later runtimes send non-ASCII characters as they are; older ones escape them.
_ENSURE_ASCII = os.environ.get("AWS_EXECUTION_ENV", "") not in {
    "AWS_Lambda_python3.12",
    "AWS_Lambda_python3.13",
    "AWS_Lambda_python3.14",
    "AWS_Lambda_python3.15",
}


# A Decimal is written with its exact digits (AWS's client does that through simplejson):
# it is first encoded as a string with a mark no user string could carry (a NUL and a random
# tag), then the marks and quotes are taken away.
_TAG = os.urandom(8).hex()
_DECIMAL_MARK = f"\0decimal-{_TAG}:"
_ENCODED_MARK = f"\\u0000decimal-{_TAG}:"
_DECIMAL_STRING = re.compile(r'"\\u0000decimal-' + _TAG + r':([^"]*)"')


def _default(obj):
    if isinstance(obj, decimal.Decimal):
        return _DECIMAL_MARK + str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).decode("utf-8")
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def to_json(value):
    text = json.dumps(value, default=_default, ensure_ascii=_ENSURE_ASCII)
    if _ENCODED_MARK in text:
        text = _DECIMAL_STRING.sub(lambda m: m.group(1), text)
    return text


def unmarshal_event(body, content_type):
    """The handler's event: parsed JSON, or the raw bytes when the content is not JSON."""
    if content_type != "application/json":
        return body
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FaultException(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from exc


def marshal_response(result):
    """(body, content type) for the handler's return value."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except (TypeError, ValueError) as exc:
        raise FaultException(MARSHAL_ERROR, f"Unable to marshal response: {exc}") from exc
