"""Response streaming's pure parts: InvokeWithResponseStream's events and the limits. No I/O.

1. A streamed answer is a sequence of ``PayloadChunk`` events (the bytes as the function wrote
   them, in the order written) and one ``InvokeComplete`` event that ends it, with ``ErrorCode``
   and ``ErrorDetails`` when the invocation failed and ``LogResult`` when the caller asked for
   the log's tail (botocore's model: ``InvokeWithResponseStreamResponseEvent``).
2. A function answering the buffered way (every Python function, a Node.js handler not wrapped in
   ``streamifyResponse``) is streamed as its whole payload in one chunk, as AWS does.
3. A streamed response may be ``MAX_STREAMED_RESPONSE_BYTES`` long (AWS's default since July 2025:
   200 MB); past that the invocation fails with ``Function.ResponseSizeTooLarge``.
4. A function URL's streamed body may open with a JSON prelude ``{statusCode, headers, cookies}``
   and 8 NUL bytes (content type ``application/vnd.awslambda.http-integration-response``, written
   by ``awslambda.HttpResponseStream.from``): ``PreludeReader`` takes it off the front.
"""

from __future__ import annotations

import json

from host.core.eventstream import message

MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024
HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response"
PRELUDE_DELIMITER = b"\0" * 8
MAX_PRELUDE_BYTES = 64 * 1024  # a prelude that long without its delimiter is no prelude
_CHUNK_HEADERS = {
    ":event-type": "PayloadChunk",
    ":content-type": "application/octet-stream",
    ":message-type": "event",
}
_COMPLETE_HEADERS = {":event-type": "InvokeComplete", ":content-type": "application/json", ":message-type": "event"}


def payload_chunk(data: bytes) -> bytes:
    """A ``PayloadChunk`` event carrying ``data`` as its (raw) payload."""
    return message(_CHUNK_HEADERS, data)


def invoke_complete(
    error_code: str | None = None, error_details: str | None = None, log_result: str | None = None
) -> bytes:
    """The ``InvokeComplete`` event: members left out when they have no value, as AWS leaves them."""
    body = {
        key: value
        for key, value in (("ErrorCode", error_code), ("ErrorDetails", error_details), ("LogResult", log_result))
        if value is not None
    }
    return message(_COMPLETE_HEADERS, json.dumps(body, separators=(",", ":")).encode())


def error_details(payload: bytes) -> str:
    """What ``ErrorDetails`` says of a failed invocation: the error's message (its whole body if it has none)."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")
    if isinstance(body, dict) and isinstance(body.get("errorMessage"), str):
        return body["errorMessage"]
    return payload.decode("utf-8", "replace")


def too_large_details(limit: int = MAX_STREAMED_RESPONSE_BYTES) -> bytes:
    """The error body of a streamed response cut at ``limit``."""
    message_text = f"Response payload size exceeded maximum allowed payload size ({limit} bytes)."
    return json.dumps({"errorType": "Function.ResponseSizeTooLarge", "errorMessage": message_text}).encode()


class PreludeReader:
    """Reads a function URL's stream: first the HTTP prelude (when the content type announces one), then the body.

    Example: fed ``b'{"statusCode":201}'``, then ``b"\\0" * 8 + b"hi"``, ``feed`` returns ``b""`` and then
    ``b"hi"``, and ``prelude`` is ``{"statusCode": 201}`` from the second call on.
    """

    def __init__(self, content_type: str) -> None:
        self.expecting = content_type.split(";")[0].strip().lower() == HTTP_INTEGRATION_CONTENT_TYPE
        self.prelude: dict | None = None if self.expecting else {}
        self.buffer = b""

    @property
    def done(self) -> bool:
        return self.prelude is not None

    def feed(self, data: bytes) -> bytes:
        """The body bytes in ``data`` (nothing while the prelude is still being read)."""
        if self.prelude is not None:
            return data
        self.buffer += data
        at = self.buffer.find(PRELUDE_DELIMITER)
        if at < 0:
            if len(self.buffer) > MAX_PRELUDE_BYTES:  # never a prelude: all of it is body
                self.prelude, rest, self.buffer = {}, self.buffer, b""
                return rest
            return b""
        head, rest, self.buffer = self.buffer[:at], self.buffer[at + len(PRELUDE_DELIMITER) :], b""
        try:
            prelude = json.loads(head)
        except ValueError:
            prelude = None
        self.prelude = prelude if isinstance(prelude, dict) else {}
        return rest

    def finish(self) -> bytes:
        """At the stream's end: whatever was held back waiting for a delimiter that never came."""
        if self.prelude is None:
            self.prelude = {}
            rest, self.buffer = self.buffer, b""
            try:
                prelude = json.loads(rest)
            except ValueError:
                return rest
            if isinstance(prelude, dict):  # a prelude with no body after it
                self.prelude = prelude
                return b""
            return rest
        return b""
