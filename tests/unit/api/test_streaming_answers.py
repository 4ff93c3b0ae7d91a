"""The streamed answers of InvokeWithResponseStream and RESPONSE_STREAM function URLs, on a recording exchange."""

import json

from botocore.eventstream import EventStreamBuffer

from host.api.streaming import EventStreamAnswer
from host.api.url_streaming import UrlStreamAnswer
from host.core.errors import ResourceNotFound
from host.core.invocation import InvokeResult


class RecordingExchange:
    """What an answer did to its exchange: its head, its chunks, whether it ended."""

    def __init__(self) -> None:
        self.head = None
        self.chunks: list[bytes] = []
        self.ended = False
        self.congested = False
        self.on_drain = None
        self.answered = None

    def start_stream(self, status, headers):
        self.head = (status, dict(headers))
        return True

    def send_chunk(self, data):
        self.chunks.append(data)
        return True

    def end_stream(self):
        self.ended = True

    def respond(self, status, headers=(), body=b""):
        self.answered = (status, dict(headers), body)
        return True


class RecordingFlow:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause(self):
        self.calls.append("pause")

    def resume(self):
        self.calls.append("resume")


def events(exchange: RecordingExchange) -> list[tuple[str, bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(b"".join(exchange.chunks))
    return [(message.headers[":event-type"], message.payload) for message in buffer]


def test_a_streamed_answer_opens_at_the_first_byte_and_ends_with_invoke_complete():
    exchange, flow = RecordingExchange(), RecordingFlow()
    answer = EventStreamAnswer(exchange, "req-1")
    answer.started("application/octet-stream", "7", flow)
    assert exchange.head == (200, {
        "Content-Type": "application/vnd.amazon.eventstream", "X-Amzn-RequestId": "req-1",
        "X-Amz-Executed-Version": "7",
    })  # fmt: skip
    answer.chunk(b"one")
    answer.chunk(b"")  # nothing to send
    answer.complete(InvokeResult(payload=b"", executed_version="7", log_tail=b"tail"))
    assert events(exchange) == [("PayloadChunk", b"one"), ("InvokeComplete", b'{"LogResult":"dGFpbA=="}')]
    assert exchange.ended


def test_a_buffered_answer_becomes_one_chunk_and_a_failure_invoke_complete_alone():
    exchange = RecordingExchange()
    EventStreamAnswer(exchange, "r").complete(InvokeResult(payload=b'{"a":1}', executed_version="$LATEST"))
    assert events(exchange) == [("PayloadChunk", b'{"a":1}'), ("InvokeComplete", b"{}")]
    exchange = RecordingExchange()
    failed = InvokeResult(
        payload=b'{"errorType":"ValueError","errorMessage":"no"}', executed_version="1",
        function_error="Unhandled", error_type="ValueError",
    )  # fmt: skip
    EventStreamAnswer(exchange, "r").complete(failed)
    assert events(exchange) == [("InvokeComplete", b'{"ErrorCode":"ValueError","ErrorDetails":"no"}')]


def test_a_refusal_before_the_stream_is_an_ordinary_error_response():
    exchange = RecordingExchange()
    EventStreamAnswer(exchange, "r").fail(ResourceNotFound("Function not found: arn"))
    status, headers, body = exchange.answered
    assert status == 404 and headers["X-Amzn-ErrorType"] == "ResourceNotFoundException"
    assert json.loads(body)["Message"] == "Function not found: arn"
    assert exchange.head is None


def test_a_congested_reader_pauses_the_function_until_its_buffer_drains():
    exchange, flow = RecordingExchange(), RecordingFlow()
    answer = EventStreamAnswer(exchange, "r")
    answer.started("application/octet-stream", "1", flow)
    exchange.congested = True
    answer.chunk(b"a")
    answer.chunk(b"b")  # paused once, not twice
    assert flow.calls == ["pause"]
    exchange.congested = False
    exchange.on_drain()
    assert flow.calls == ["pause", "resume"]


def test_a_url_stream_answers_with_the_prelude_status_headers_and_cookies():
    exchange, flow = RecordingExchange(), RecordingFlow()
    answer = UrlStreamAnswer(exchange, [("x-amzn-RequestId", "r")], buffered=lambda result: None)
    answer.started("application/vnd.awslambda.http-integration-response", "1", flow)
    answer.chunk(b'{"statusCode":201,"headers":{"X-A":"b"},"cookies":["c=1"]}')
    assert exchange.head is None  # the prelude's end is not here yet
    answer.chunk(b"\0" * 8 + b"body")
    status, headers = exchange.head
    assert status == 201 and headers["X-A"] == "b" and headers["Set-Cookie"] == "c=1"
    assert headers["x-amzn-RequestId"] == "r"
    answer.complete(InvokeResult(payload=b"", executed_version="1"))
    assert exchange.chunks == [b"body"] and exchange.ended


def test_a_url_stream_without_a_prelude_sends_its_content_type_and_a_buffered_result_goes_the_buffered_way():
    exchange, flow = RecordingExchange(), RecordingFlow()
    answer = UrlStreamAnswer(exchange, [], buffered=lambda result: None)
    answer.started("text/csv", "1", flow)
    assert exchange.head == (200, {"Content-Type": "text/csv"})
    buffered = []
    answer = UrlStreamAnswer(RecordingExchange(), [], buffered=buffered.append)
    result = InvokeResult(payload=b'{"statusCode":202}', executed_version="1")
    answer.complete(result)
    assert buffered == [result]
