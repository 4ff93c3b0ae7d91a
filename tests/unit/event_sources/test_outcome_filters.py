"""Reading a function's answer to a batch, and filter patterns."""

import json

import pytest

from host.event_sources.core.filters import check_pattern, matches
from host.event_sources.core.outcome import FAILURE, PARTIAL, SUCCESS, read_answer

IDS = ["a", "b", "c"]


@pytest.mark.parametrize("payload", [b"", b"null", b'""', b"[]", b"{}", b'{"batchItemFailures": []}',
                                     b'{"batchItemFailures": null}'])  # fmt: skip
def test_answers_that_mean_success(payload):
    assert read_answer(payload, None, True, IDS).kind == SUCCESS


@pytest.mark.parametrize("payload", [b"not json", b'"text"', b"42", b'{"batchItemFailures": [{"foo": "a"}]}',
                                     b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
                                     b'{"batchItemFailures": [{"itemIdentifier": null}]}',
                                     b'{"batchItemFailures": [{"itemIdentifier": 123}]}',
                                     b'{"batchItemFailures": [{"itemIdentifier": "z"}]}'])  # fmt: skip
def test_answers_that_fail_the_whole_batch_with_no_function_error(payload):
    outcome = read_answer(payload, None, True, IDS)
    assert outcome.kind == FAILURE and outcome.function_error is None


def test_a_partial_answer_names_its_records_in_batch_order():
    payload = json.dumps({"batchItemFailures": [{"itemIdentifier": "c"}, {"itemIdentifier": "a"}]}).encode()
    assert read_answer(payload, None, True, IDS).failed == ("a", "c")
    assert read_answer(payload, None, True, IDS).kind == PARTIAL


def test_without_report_batch_item_failures_only_a_function_error_fails():
    assert read_answer(b'{"batchItemFailures": [{"itemIdentifier": "a"}]}', None, False, IDS).kind == SUCCESS
    assert read_answer(b"{}", "Unhandled", True, IDS).function_error == "Unhandled"


@pytest.mark.parametrize(
    "pattern, record, expected",
    [
        ({"body": {"kind": ["order"]}}, {"body": {"kind": "order"}}, True),
        ({"body": {"kind": ["order"]}}, {"body": "kind order"}, False),
        ({"body": {"n": [{"numeric": [">", 10, "<=", 20]}]}}, {"body": {"n": 15}}, True),
        ({"body": {"n": [{"numeric": [">", 10]}]}}, {"body": {"n": 5}}, False),
        ({"body": {"s": [{"prefix": "ab"}]}}, {"body": {"s": "abc"}}, True),
        ({"body": {"s": [{"suffix": "bc"}]}}, {"body": {"s": "abc"}}, True),
        ({"body": {"s": [{"anything-but": ["x", "y"]}]}}, {"body": {"s": "x"}}, False),
        ({"body": {"s": [{"exists": False}]}}, {"body": {}}, True),
        ({"body": {"s": [{"exists": True}]}}, {"body": {}}, False),
        ({"body": {"s": [{"equals-ignore-case": "ABC"}]}}, {"body": {"s": "abc"}}, True),
        ({"body": {"tags": ["a"]}}, {"body": {"tags": ["b", "a"]}}, True),
        ({"$or": [{"a": [1]}, {"b": [2]}]}, {"b": 2}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "MODIFY"}, False),
    ],
)
def test_patterns_match_as_eventbridge_matches(pattern, record, expected):
    check_pattern(pattern)
    assert matches(pattern, record) is expected


@pytest.mark.parametrize("pattern", [[], {}, {"a": 1}, {"a": []}, {"a": [{"nope": 1}]}, {"a": [{"numeric": [">"]}]}])
def test_invalid_patterns_are_refused(pattern):
    with pytest.raises(ValueError):
        check_pattern(pattern)
