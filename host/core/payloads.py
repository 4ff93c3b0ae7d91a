"""Checking that an Invoke payload is JSON, and saying why not the way Lambda does.

Lambda parses payloads with Jackson and returns its message inside a fixed frame::

    Could not parse request body into json: Could not parse payload into json: <reason>
     at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: L, column: C]

The reasons below reproduce Jackson's for the common cases (bytes that are not
UTF-8, a control character where a value should start, an unknown bare word) and
approximate it otherwise. An empty payload is the empty object, as on AWS.
"""

from __future__ import annotations

import json
import re

PREFIX = "Could not parse request body into json: Could not parse payload into json: "
SOURCE = (
    "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {line}, column: {column}]"
)
EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_WHITESPACE = b" \t\r\n"
_VALUE_START = set(b'{["-0123456789tfn')
_TOKEN = re.compile(rb"[A-Za-z0-9_$]+")


def _frame(reason: str, line: int, column: int) -> str:
    return PREFIX + reason + SOURCE.format(line=line, column=column)


def _position(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    return line, index - (data.rfind(b"\n", 0, index) + 1) + 1


def payload_error(data: bytes) -> str | None:
    """None when ``data`` is a JSON document (or empty), else Lambda's message for it."""
    if not data.strip(_WHITESPACE):
        return None
    start = len(data) - len(data.lstrip(_WHITESPACE))
    first = data[start]
    if first not in _VALUE_START:
        line, column = _position(data, start)
        if first < 0x20 or first >= 0x7F:
            return _frame(
                f"Unexpected character ((CTRL-CHAR, code {first})): expected a valid value {EXPECTED_VALUE}",
                line,
                column,
            )
        token = _TOKEN.match(data, start)
        if token is not None:
            end_line, end_column = _position(data, token.end())
            word = token.group().decode()
            return _frame(f"Unrecognized token '{word}': was expecting {EXPECTED_VALUE}", end_line, end_column + 1)
        return _frame(
            f"Unexpected character ('{chr(first)}' (code {first})): expected a valid value {EXPECTED_VALUE}",
            line,
            column,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        kind = "start" if bad & 0xC0 != 0x80 or exc.start == 0 or data[exc.start - 1] < 0x80 else "middle"
        line, column = _position(data, exc.start)
        return _frame(f"Invalid UTF-8 {kind} byte 0x{bad:02x}", line, column + 1)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        token = _TOKEN.match(data, len(text[: exc.pos].encode()))
        if token is not None and exc.msg.startswith("Expecting value"):
            # Jackson reads a bare word to its end and one character more before it gives up.
            line, column = _position(data, token.end())
            return _frame(
                f"Unrecognized token '{token.group().decode()}': was expecting {EXPECTED_VALUE}", line, column + 1
            )
        return _frame(_jackson_reason(exc), exc.lineno, exc.colno)
    except RecursionError:
        return _frame("Document nesting depth exceeds the maximum allowed", 1, 1)
    return None


def _jackson_reason(exc: json.JSONDecodeError) -> str:
    doc, pos = exc.doc, exc.pos
    if pos >= len(doc):
        marker = "Array" if doc.lstrip()[:1] == "[" else "Object"
        return f"Unexpected end-of-input: expected close marker for {marker}"
    if exc.msg.startswith("Extra data"):
        return f"Unexpected character ('{doc[pos]}' (code {ord(doc[pos])})): expected end-of-input"
    char = doc[pos]
    return f"Unexpected character ('{char}' (code {ord(char)})): {exc.msg[0].lower() + exc.msg[1:]}"
