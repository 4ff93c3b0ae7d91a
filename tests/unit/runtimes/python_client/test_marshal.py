"""Events in and results out, encoded as AWS's Python runtime encodes them."""

import decimal
import importlib

import pytest


def test_bytes_are_returned_as_they_are_with_an_unknown_content_type(client):
    assert client.marshal.marshal_response(b"\x00raw") == (b"\x00raw", "application/unknown")


def test_values_are_returned_as_json(client):
    assert client.marshal.marshal_response({"a": [1, None, True]}) == (b'{"a": [1, null, true]}', "application/json")


def test_none_is_returned_as_json_null(client):
    assert client.marshal.marshal_response(None) == (b"null", "application/json")


def test_decimals_are_returned_as_numbers_with_their_exact_digits(client):
    value = {"price": decimal.Decimal("1.10"), "count": decimal.Decimal("5"), "big": decimal.Decimal(2**70)}
    assert client.marshal.marshal_response(value)[0] == (b'{"price": 1.10, "count": 5, "big": 1180591620717411303424}')


def test_a_string_that_looks_like_a_marked_decimal_stays_a_string(client):
    assert client.marshal.marshal_response(["\0decimal:1"])[0] == b'["\\u0000decimal:1"]'


def test_bytes_inside_a_value_are_returned_as_text(client):
    assert client.marshal.marshal_response({"b": b"hi"})[0] == b'{"b": "hi"}'


def test_a_value_json_cannot_encode_is_a_marshal_error(client):
    with pytest.raises(client.faults.FaultException) as caught:
        client.marshal.marshal_response({1, 2})
    assert caught.value.error_type == "Runtime.MarshalError"
    assert caught.value.message == "Unable to marshal response: Object of type set is not JSON serializable"


def test_non_ascii_text_is_escaped_outside_python_3_12_and_later(client):
    assert client.marshal.marshal_response("é")[0] == b'"\\u00e9"'


def test_python_3_12_and_later_send_non_ascii_text_as_it_is(client, monkeypatch):
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.13")
    try:
        assert importlib.reload(client.marshal).to_json("é") == '"é"'
    finally:
        monkeypatch.delenv("AWS_EXECUTION_ENV")
        importlib.reload(client.marshal)


def test_a_json_event_is_decoded(client):
    assert client.marshal.unmarshal_event(b'{"a": 1}', "application/json") == {"a": 1}


@pytest.mark.parametrize("content_type", ["application/octet-stream", "text/plain", None])
def test_an_event_that_is_not_json_is_passed_as_bytes(client, content_type):
    assert client.marshal.unmarshal_event(b"\x00not json", content_type) == b"\x00not json"


def test_bad_json_is_an_unmarshal_error(client):
    with pytest.raises(client.faults.FaultException) as caught:
        client.marshal.unmarshal_event(b"{bad", "application/json")
    assert caught.value.error_type == "Runtime.UnmarshalError"
    assert caught.value.message == (
        "Unable to unmarshal input: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )
