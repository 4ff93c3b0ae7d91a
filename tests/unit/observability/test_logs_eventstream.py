"""StartLiveTail's event stream framing, read back by botocore's own decoder."""

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from host.observability.logs.core.eventstream import event, exception


def decoded(data: bytes):
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_events_carry_their_type_and_a_json_payload():
    first, second = decoded(event("initial-response", {}) + event("sessionUpdate", {"sessionResults": []}))
    assert first.headers[":event-type"] == "initial-response" and first.payload == b"{}"
    assert second.headers == {
        ":event-type": "sessionUpdate", ":content-type": "application/json", ":message-type": "event",
    }  # fmt: skip
    assert second.payload == b'{"sessionResults":[]}'


def test_an_exception_message_names_its_type():
    [message] = decoded(exception("SessionTimeoutException", "Session timed out after 3 hours."))
    assert message.headers[":message-type"] == "exception"
    assert message.headers[":exception-type"] == "SessionTimeoutException"


def test_a_damaged_message_fails_its_checksum():
    data = bytearray(event("sessionStart", {"sessionId": "x"}))
    data[-6] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        decoded(bytes(data))
