"""Comparing a history with AWS's recorded one, after the same normalisations the recordings got.

The recordings (LocalStack's AWS-recorded snapshots) replaced what changes from run to run
with placeholders: ``<...>`` tokens (ARN parts, request ids), and bare words such as
``snf_role_arn``, ``date``, ``RequestId``. They also decoded data strings holding JSON
objects. So: a recorded string with a placeholder matches any text in its place; a recorded
object or array is compared with our JSON string decoded; timestamps are not compared.
"""

from __future__ import annotations

import json
import re
from typing import Any

WORDS = {
    "snf_role_arn",
    "sfn_role_arn",
    "date",
    "datetime",
    "timestamp",
    "RequestId",
    "x-amzn-RequestId",
    "x-amzn-requestid",
    "X-Amzn-Trace-Id",
    "start-date",
    "stop-date",
    "x-amz-crc32",
    "Server",
    "entered-time",
    "start-time",
    "creation-date",
    "stateExitedEventDetails.output",  # a Parallel branch's output, hidden (branches end in any order)
    "executionSucceededEventDetails.output",
}
PLACEHOLDER = re.compile(r"<[^<>]+>")


def _pattern(expected: str) -> re.Pattern:
    parts = PLACEHOLDER.split(expected)
    return re.compile(".+?".join(re.escape(part) for part in parts) + r"\Z", re.DOTALL)


def differences(expected: Any, actual: Any, where: str = "$") -> list[str]:
    if isinstance(expected, str) and (expected in WORDS or (expected.strip('"') in WORDS and expected[:1] == '"')):
        return []
    if not isinstance(expected, str) and expected is not None and isinstance(actual, str):
        try:
            actual = json.loads(actual)
        except ValueError:
            return [f"{where}: expected {expected!r}, got the text {actual!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        out = []
        for key in expected.keys() | actual.keys():
            if key == "timestamp":
                continue
            if key not in actual:
                out.append(f"{where}.{key}: missing (expected {expected[key]!r})")
            elif key not in expected:
                out.append(f"{where}.{key}: unexpected {actual[key]!r}")
            else:
                out += differences(expected[key], actual[key], f"{where}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        out = []
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out += differences(e, a, f"{where}[{index}]")
        return out
    if isinstance(expected, str) and "111111111111" in expected:
        expected = expected.replace("111111111111", "<account>")  # the recording's account
    if isinstance(expected, str) and isinstance(actual, str) and PLACEHOLDER.search(expected):
        return [] if _pattern(expected).match(actual) else [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, float) and isinstance(actual, int | float) and expected == actual:
        return []
    both_numbers = isinstance(expected, int | float) and isinstance(actual, int | float)
    same_kind = type(expected) is type(actual) or (both_numbers and not isinstance(actual, bool))
    if expected != actual or not same_kind:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def history_differences(expected: list[dict], actual: list[dict]) -> list[str]:
    out = []
    if len(expected) != len(actual):
        out.append(
            f"{len(actual)} events, expected {len(expected)}: "
            f"{[e['type'] for e in actual]} vs {[e['type'] for e in expected]}"
        )
    for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
        out += differences(e, a, f"events[{index}] ({e.get('type')})")
        if len(out) > 6:
            break
    return out


def recorded_input(history: list[dict]) -> str:
    value = history[0]["executionStartedEventDetails"]["input"]
    return value if isinstance(value, str) else json.dumps(value)


def _decoded(value):
    """JSON text inside an event as the value it holds (the recordings sorted events decoded)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    return value


def _sort_key(event: dict) -> str:
    return json.dumps(_decoded(event), sort_keys=True)


def normalise_parallel(events: list[dict]) -> list[dict]:
    """What the recordings did to the events of a Parallel state, whose order across branches
    varies from run to run: from each ParallelStateStarted to the next Parallel end event,
    ids and previous ids zeroed and the events sorted by their JSON. Applied as the recording
    tool applied it, including its way with nested Parallel states (the range replaced by the
    events collected since the latest Started, which drops the inner ends)."""
    events = [dict(e) for e in events]
    start, collected, collecting = None, [], False
    index = 0
    while index < len(events):
        event = events[index]
        kind = event.get("type")
        if kind in ("ParallelStateSucceeded", "ParallelStateAborted", "ParallelStateExited", "ParallelStateFailed"):
            if start is not None:
                replacement = sorted(collected, key=_sort_key)
                events[start:index] = replacement
                index = start + len(replacement)
            collecting = False
        elif kind == "ParallelStateStarted":
            collecting, collected, start = True, [], index + 1
        elif collecting:
            event["id"] = [0]
            event["previousEventId"] = 0
            collected.append(event)
        index += 1
    return events
