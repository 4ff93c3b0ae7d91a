"""InvokeWithResponseStream's events, read back by botocore's own decoder and parser, and the URL prelude."""

import struct
import zlib

import pytest
from botocore.eventstream import ChecksumMismatch, EventStream, EventStreamBuffer
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.parsers import EventStreamJSONParser

from host.core.eventstream import message
from host.core.response_stream import (
    MAX_STREAMED_RESPONSE_BYTES,
    PreludeReader,
    error_details,
    invoke_complete,
    payload_chunk,
    too_large_details,
)


def decoded(data: bytes):
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def test_a_message_is_framed_with_both_crcs_as_the_worked_example_says():
    data = message({":message-type": "event"}, b"hi")
    assert len(data) == 40
    total, headers_length, prelude_crc = struct.unpack("!III", data[:12])
    assert (total, headers_length) == (40, 22)
    assert prelude_crc == zlib.crc32(data[:8])
    assert struct.unpack("!I", data[-4:])[0] == zlib.crc32(data[:-4])


def test_a_payload_chunk_carries_the_raw_bytes():
    [chunk] = decoded(payload_chunk(b"\x00\xffbinary"))
    assert chunk.headers == {
        ":event-type": "PayloadChunk", ":content-type": "application/octet-stream", ":message-type": "event",
    }  # fmt: skip
    assert chunk.payload == b"\x00\xffbinary"


def test_invoke_complete_leaves_out_the_members_without_a_value():
    [done] = decoded(invoke_complete())
    assert done.headers[":event-type"] == "InvokeComplete" and done.payload == b"{}"
    [failed] = decoded(invoke_complete("Sandbox.Timedout", "Task timed out after 3.00 seconds", "bG9n"))
    assert failed.payload == (
        b'{"ErrorCode":"Sandbox.Timedout","ErrorDetails":"Task timed out after 3.00 seconds","LogResult":"bG9n"}'
    )


def test_a_damaged_chunk_fails_its_checksum():
    data = bytearray(payload_chunk(b"hello"))
    data[-6] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        decoded(bytes(data))


class _Raw:
    """A urllib3-like body that hands over what it holds in small pieces."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, amt=7):
        for at in range(0, len(self.data), amt):
            yield self.data[at : at + amt]

    def close(self):
        pass


def test_botocore_reads_the_events_as_invoke_with_response_stream_answers():
    model = ServiceModel(Loader().load_service_model("lambda", "service-2"))
    output = model.operation_model("InvokeWithResponseStream").output_shape.members["EventStream"]
    data = payload_chunk(b"hello ") + payload_chunk(b"world") + invoke_complete("TypeError", "boom")
    stream = EventStream(_Raw(data), output, EventStreamJSONParser(), "InvokeWithResponseStream")
    events = [{key: value for key, value in event.items() if key != "ResponseMetadata"} for event in stream]
    assert events == [
        {"PayloadChunk": {"Payload": b"hello "}},
        {"PayloadChunk": {"Payload": b"world"}},
        {"InvokeComplete": {"ErrorCode": "TypeError", "ErrorDetails": "boom"}},
    ]


def test_error_details_are_the_error_message_or_the_whole_body():
    assert error_details(b'{"errorType":"Error","errorMessage":"nope","trace":[]}') == "nope"
    assert error_details(b"not json") == "not json"
    assert str(MAX_STREAMED_RESPONSE_BYTES) in error_details(too_large_details())


def test_the_prelude_is_taken_off_the_front_even_across_chunks():
    reader = PreludeReader("application/vnd.awslambda.http-integration-response")
    assert reader.feed(b'{"statusCode":201,') == b"" and not reader.done
    assert reader.feed(b'"headers":{"a":"b"}}\0\0\0\0') == b""
    assert reader.feed(b"\0\0\0\0body") == b"body"
    assert reader.prelude == {"statusCode": 201, "headers": {"a": "b"}}
    assert reader.feed(b"\0more") == b"\0more"  # NUL bytes in the body are the body's


def test_without_the_http_content_type_everything_is_body():
    reader = PreludeReader("application/octet-stream")
    assert reader.done and reader.prelude == {}
    assert reader.feed(b'{"statusCode":201}\0\0\0\0\0\0\0\0') == b'{"statusCode":201}\0\0\0\0\0\0\0\0'


def test_a_stream_that_ends_inside_its_prelude_keeps_what_it_can():
    only_prelude = PreludeReader("application/vnd.awslambda.http-integration-response")
    only_prelude.feed(b'{"statusCode":204}')
    assert only_prelude.finish() == b"" and only_prelude.prelude == {"statusCode": 204}
    no_prelude = PreludeReader("application/vnd.awslambda.http-integration-response")
    no_prelude.feed(b"plain text")
    assert no_prelude.finish() == b"plain text" and no_prelude.prelude == {}
