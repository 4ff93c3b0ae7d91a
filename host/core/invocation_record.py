"""What an Event invocation's destinations and dead-letter queue receive, in AWS's shapes.

A destination gets the invocation record (``version``, ``timestamp``, ``requestContext``
with the condition and the approximate invoke count, the request, and the response when
the function ran). A dead-letter queue gets the event itself, with the request id and
the error as message attributes. No I/O here.
"""

from __future__ import annotations

import json
import time
from typing import Any

from host.core.invocation import InvokeResult

ERROR_MESSAGE_LIMIT = 1024  # bytes of the error message a dead-letter message carries
RECORD_LIMIT = 256 * 1024  # what SQS, SNS and EventBridge take; beyond it AWS drops the payloads


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # not JSON (or not UTF-8, or nested too deep): the text
        return data.decode("utf-8", "replace")


def record_timestamp(at: float) -> str:
    """``2019-11-14T18:16:05.568Z``: UTC with milliseconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}Z"


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    request_payload: bytes,
    response: InvokeResult | None,
    at: float,
) -> dict[str, Any]:
    """The record for a destination; ``function_arn`` carries its qualifier (``:$LATEST``)."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": record_timestamp(at),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if response is not None:
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": response.executed_version}
        if response.function_error:
            context["functionError"] = response.function_error
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(response.payload) if response.payload else None
    return record


def record_body(record: dict[str, Any]) -> bytes:
    """The record as sent: without its request and response payloads when it would be too large,
    as Lambda sends it ("Lambda will drop the payload when sending OnFailure event")."""
    body = json.dumps(record, separators=(",", ":")).encode()
    if len(body) > RECORD_LIMIT:
        trimmed = {k: v for k, v in record.items() if k not in ("requestPayload", "responsePayload")}
        body = json.dumps(trimmed, separators=(",", ":")).encode()
    return body


def error_message(response: InvokeResult | None, condition: str) -> str:
    """The error a dead-letter message names: the function's errorMessage, cut to 1 KB."""
    message = ""
    if response is not None and response.function_error:
        body = _json_or_text(response.payload)
        message = body.get("errorMessage", "") if isinstance(body, dict) else str(body)
        message = message if isinstance(message, str) else json.dumps(message)
    if not message:
        message = f"The event was not processed: {condition}"
    return message.encode()[:ERROR_MESSAGE_LIMIT].decode("utf-8", "ignore")


def dead_letter_attributes(request_id: str, response: InvokeResult | None, condition: str) -> dict[str, dict[str, str]]:
    """SQS/SNS message attributes: RequestID, ErrorCode (the invoke's HTTP status), ErrorMessage."""
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": error_message(response, condition)},
    }
