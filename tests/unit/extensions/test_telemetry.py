import json

import pytest

from host.extensions import telemetry
from host.extensions.telemetry import Buffer, SubscriptionError, parse_subscription


def _body(**buffering) -> bytes:
    return json.dumps(
        {
            "schemaVersion": "2022-12-13",
            "types": ["platform", "function"],
            "buffering": buffering,
            "destination": {"protocol": "HTTP", "URI": "http://sandbox.localdomain:8080/t"},
        }
    ).encode()


def test_subscription_defaults_follow_aws():
    sub = parse_subscription("telemetry", "ext", _body())
    assert (sub.max_items, sub.max_bytes, sub.timeout_ms) == (10000, 262144, 1000)
    assert (sub.host, sub.port, sub.path) == ("sandbox.localdomain", 8080, "/t")


@pytest.mark.parametrize("buffering", [{"maxItems": 999}, {"maxBytes": 1}, {"timeoutMs": 24}, {"timeoutMs": 30001}])
def test_buffering_out_of_range_is_refused(buffering):
    with pytest.raises(SubscriptionError):
        parse_subscription("telemetry", "ext", _body(**buffering))


def test_unknown_types_and_non_http_destinations_are_refused():
    with pytest.raises(SubscriptionError):
        parse_subscription("logs", "ext", json.dumps({"types": ["nope"]}).encode())
    with pytest.raises(SubscriptionError):
        parse_subscription("logs", "ext", b"[]")


def test_buffer_sends_a_batch_at_max_items_or_after_the_timeout():
    buffer = Buffer(parse_subscription("telemetry", "ext", _body(maxItems=1000, timeoutMs=100)))
    for i in range(999):
        assert buffer.add(telemetry.log_line(0, "function", f"l{i}"), now=0.0) is None
    assert len(buffer.add(telemetry.log_line(0, "function", "last"), now=0.0)) == 1000
    buffer.add(telemetry.start(0, "r", "$LATEST"), now=1.0)
    assert buffer.due(1.05) is None
    assert [r["type"] for r in buffer.due(1.1)] == ["platform.start"]


def test_buffer_drops_types_not_subscribed():
    buffer = Buffer(parse_subscription("telemetry", "ext", _body()))
    assert buffer.add(telemetry.log_line(0, "extension", "x"), now=0.0) is None
    assert buffer.records == []


def test_record_shapes():
    done = telemetry.runtime_done(0, "r", "success", 1.23456, 10)
    assert done == {
        "time": "1970-01-01T00:00:00.000Z",
        "type": "platform.runtimeDone",
        "record": {"requestId": "r", "status": "success", "metrics": {"durationMs": 1.235, "producedBytes": 10}},
    }
