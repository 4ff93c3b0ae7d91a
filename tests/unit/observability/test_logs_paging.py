"""Tokens, event ids, stream names, retention values and the size bound of CloudWatch Logs."""

import re

import pytest

from host.core.variables import log_stream_name
from host.observability.logs.core import paging
from host.observability.logs.core.errors import InvalidParameter


def test_direction_tokens_read_back_as_written():
    assert re.fullmatch(r"f/\d{56}/s", paging.forward_token(42))
    assert paging.read_direction_token(paging.forward_token(42)) == ("f", 42)
    assert paging.read_direction_token(paging.backward_token(7)) == ("b", 7)


@pytest.mark.parametrize("token", ["", "x/1/s", "f/", "f/abc/s", "forward"])
def test_a_direction_token_not_ours_is_an_invalid_parameter(token):
    with pytest.raises(InvalidParameter, match=r"The specified nextToken is invalid\."):
        paging.read_direction_token(token)


def test_page_tokens_are_opaque_and_round_trip():
    token = paging.page_token({"ts": 5, "id": 9})
    assert "{" not in token
    assert paging.read_page_token(token) == {"ts": 5, "id": 9}
    with pytest.raises(InvalidParameter):
        paging.read_page_token("not base64 json")


def test_event_ids_are_56_digits_and_keep_order():
    assert len(paging.event_id(1)) == 56
    assert paging.event_id(9) < paging.event_id(10)


def test_stream_names_are_the_day_the_version_in_brackets_and_32_hex_digits():
    name = log_stream_name("$LATEST", now=0)
    assert re.fullmatch(r"1970/01/01/\[\$LATEST\][0-9a-f]{32}", name)
    assert log_stream_name("3", now=86_400 * 365).startswith("1971/01/01/[3]")
    assert log_stream_name("$LATEST") != log_stream_name("$LATEST")


def test_only_aws_retention_values_are_accepted():
    assert paging.check_retention(14) == 14
    for bad in (2, 0, -1, 4000, "7", True, None):
        with pytest.raises(InvalidParameter, match=r"Member must satisfy enum value set: \[1, 3, 5, 7, 14"):
            paging.check_retention(bad)


def test_retention_cutoff_is_that_many_days_back():
    assert paging.retention_cutoff(1, 10 * paging.DAY_MS) == 9 * paging.DAY_MS


def test_event_size_counts_utf8_bytes_and_26_more():
    assert paging.event_size("abc") == 29
    assert paging.event_size("é") == 28


def test_an_overfull_store_shrinks_to_nine_tenths_of_its_bound():
    assert paging.bound_target(1000) == 900
