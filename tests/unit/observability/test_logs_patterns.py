"""CloudWatch Logs filter patterns: terms, phrases, exclusions, OR terms, JSON and space-delimited patterns."""

import pytest

from host.observability.logs.core.patterns import PatternError, compile_pattern, split_fields


def matching(pattern: str, messages: list[str]) -> list[str]:
    matches = compile_pattern(pattern)
    return [message for message in messages if matches(message)]


LINES = ["ERROR disk full", "INFO all good", "WARN slow request", "ERROR timeout after 3s", "[ERROR] boom"]


def test_an_empty_pattern_matches_every_event():
    assert matching("", LINES) == LINES
    assert matching("   ", LINES) == LINES


def test_every_plain_term_must_occur_and_terms_are_case_sensitive():
    assert matching("ERROR", LINES) == ["ERROR disk full", "ERROR timeout after 3s", "[ERROR] boom"]
    assert matching("ERROR disk", LINES) == ["ERROR disk full"]
    assert matching("error", LINES) == []


def test_a_term_matches_whole_words_only():
    assert matching("AUTHORIZED", ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"]) == [
        "[SUCCESS 200] AUTHORIZED REQUEST"
    ]
    assert matching("START", ["INIT_START Runtime", "START RequestId: 1", "RESTART"]) == ["START RequestId: 1"]
    assert matching("%AUTHORIZED%", ["UNAUTHORIZED"]) == ["UNAUTHORIZED"]


def test_a_quoted_phrase_matches_as_a_whole():
    assert matching('"all good"', LINES) == ["INFO all good"]
    assert matching('"good all"', LINES) == []


def test_an_excluded_term_removes_events_holding_it():
    assert matching("ERROR -disk -boom", LINES) == ["ERROR timeout after 3s"]
    assert matching('ERROR -"disk full"', LINES) == ["ERROR timeout after 3s", "[ERROR] boom"]


def test_question_mark_terms_match_when_any_of_them_occurs():
    assert matching("?WARN ?INFO", LINES) == ["INFO all good", "WARN slow request"]
    assert matching('?"slow request" ?boom', LINES) == ["WARN slow request", "[ERROR] boom"]


def test_a_percent_term_is_a_regular_expression():
    assert matching(r"%after \d+s%", LINES) == ["ERROR timeout after 3s"]


JSON_LINES = [
    '{"level": "ERROR", "latency": 250, "user": {"id": 7, "tags": ["a", "b"]}, "ok": false, "gone": null}',
    '{"level": "INFO", "latency": 20, "user": {"id": 8}, "ok": true}',
    "not json at all",
    '{"level": "WARNING", "latency": "slow"}',
]


def test_json_patterns_compare_strings_with_wildcards_and_numbers_numerically():
    assert matching('{ $.level = "ERROR" }', JSON_LINES) == [JSON_LINES[0]]
    assert matching("{ $.level = WARN* }", JSON_LINES) == [JSON_LINES[3]]
    assert matching('{ $.level != "ERROR" }', JSON_LINES) == [JSON_LINES[1], JSON_LINES[3]]
    assert matching("{ $.latency > 100 }", JSON_LINES) == [JSON_LINES[0]]
    assert matching("{ $.latency <= 20 }", JSON_LINES) == [JSON_LINES[1]]
    assert matching("{ $.user.id = 8 }", JSON_LINES) == [JSON_LINES[1]]
    assert matching('{ $.user.tags[1] = "b" }', JSON_LINES) == [JSON_LINES[0]]


def test_json_patterns_join_with_and_or_and_parentheses():
    assert matching('{ $.level = "ERROR" && $.latency > 100 }', JSON_LINES) == [JSON_LINES[0]]
    assert matching('{ $.level = "ERROR" && $.latency < 100 }', JSON_LINES) == []
    assert matching('{ ($.latency < 100) || ($.level = "WARN*") }', JSON_LINES) == [JSON_LINES[1], JSON_LINES[3]]
    assert matching('{ $.level = "INFO" || $.level = "ERROR" && $.latency > 100 }', JSON_LINES) == JSON_LINES[:2]


def test_json_patterns_test_null_booleans_and_missing_members():
    assert matching("{ $.gone IS NULL }", JSON_LINES) == [JSON_LINES[0]]
    assert matching("{ $.ok IS TRUE }", JSON_LINES) == [JSON_LINES[1]]
    assert matching("{ $.ok IS FALSE }", JSON_LINES) == [JSON_LINES[0]]
    assert matching("{ $.ok NOT EXISTS }", JSON_LINES) == [JSON_LINES[3]]


def test_a_json_pattern_never_matches_text_that_is_not_json():
    assert "not json at all" not in matching("{ $.level != 1 }", JSON_LINES)


ACCESS = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326',
    '10.0.0.2 - alice [10/Oct/2000:13:26:15 -0700] "POST /api HTTP/1.0" 200 1534',
    "short line",
]


def test_space_delimited_fields_keep_quoted_and_bracketed_runs_whole():
    assert split_fields(ACCESS[0]) == [
        "127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /apache_pb.gif HTTP/1.0", "404", "2326",
    ]  # fmt: skip


def test_space_delimited_patterns_name_every_field_or_use_an_ellipsis():
    assert matching("[ip, id, user, timestamp, request, status = 404, size]", ACCESS) == [ACCESS[0]]
    assert matching("[ip, id, user, timestamp, request, status = 2*, size > 1000]", ACCESS) == [ACCESS[1]]
    assert matching("[ip, id, user = alice, ...]", ACCESS) == [ACCESS[1]]
    assert matching("[..., size < 2000]", ACCESS) == [ACCESS[1]]
    assert matching('[ip = "10.*", ...]', ACCESS) == [ACCESS[1]]
    assert matching("[a, b]", ACCESS) == ["short line"]
    assert matching("[..., status = 404 || status = 200, size]", ACCESS) == ACCESS[:2]


@pytest.mark.parametrize("pattern", ["{ $.level = ", "{ $.level }", "[a,, b]", "{ level = 1 }", '{ $.a > "x" }'])
def test_a_malformed_pattern_is_refused(pattern):
    with pytest.raises(PatternError):
        compile_pattern(pattern)
