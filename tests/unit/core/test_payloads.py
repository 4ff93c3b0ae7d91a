"""Invoke payloads: JSON passes, anything else gets Jackson's message in Lambda's frame."""

import pytest

from host.core.payloads import payload_error

FRAME = (
    "Could not parse request body into json: Could not parse payload into json: {reason}\n"
    " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {line}, column: {column}]"
)
EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t", b"{}", b'{"a": [1, 2, {"b": null}]}', b"[1, 2]", b'"text"', b"42", b"-1.5", b"true", b"null"],
)
def test_an_empty_payload_or_a_json_document_is_accepted(data):
    assert payload_error(data) is None


def test_a_json_document_with_surrounding_whitespace_is_accepted():
    assert payload_error(b'\n  {"a": "\xc3\xa9"}  \n') is None


def test_bytes_that_are_not_utf8_get_jacksons_invalid_start_byte_message():
    assert payload_error(b"n\x87r\x9e\xe9\xb5\xd7I\xee\x9bmt") == FRAME.format(
        reason="Invalid UTF-8 start byte 0x87", line=1, column=3
    )


def test_a_control_character_where_a_value_should_start_is_reported_with_its_code():
    assert payload_error(b"\x99\xeb,j\x07\xa1zYh") == FRAME.format(
        reason=f"Unexpected character ((CTRL-CHAR, code 153)): expected a valid value {EXPECTED_VALUE}",
        line=1,
        column=1,
    )


def test_a_bare_word_is_an_unrecognized_token_reported_one_column_past_its_end():
    assert payload_error(b"test data") == FRAME.format(
        reason=f"Unrecognized token 'test': was expecting {EXPECTED_VALUE}", line=1, column=6
    )


def test_a_position_on_a_later_line_counts_lines_and_columns_from_there():
    assert payload_error(b"\n\n  hello") == FRAME.format(
        reason=f"Unrecognized token 'hello': was expecting {EXPECTED_VALUE}", line=3, column=9
    )


def test_a_punctuation_character_where_a_value_should_start_is_named():
    assert payload_error(b"}") == FRAME.format(
        reason=f"Unexpected character ('}}' (code 125)): expected a valid value {EXPECTED_VALUE}", line=1, column=1
    )


def test_a_truncated_object_expects_its_close_marker():
    assert payload_error(b'{"a": 1') == FRAME.format(
        reason="Unexpected end-of-input: expected close marker for Object", line=1, column=8
    )


def test_a_truncated_array_expects_its_close_marker():
    message = payload_error(b"[1, 2")
    assert message is not None
    assert "Unexpected end-of-input: expected close marker for Array" in message


def test_data_after_the_document_expects_the_end_of_input():
    message = payload_error(b"{} x")
    assert message is not None
    assert "Unexpected character ('x' (code 120)): expected end-of-input" in message
