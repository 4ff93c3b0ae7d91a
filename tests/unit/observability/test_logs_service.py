"""The Logs operations on a real store in a temporary folder: shapes, tokens, rejections and AWS's messages."""

import time

import pytest

from host.observability.logs.core.errors import InvalidParameter, ResourceAlreadyExists, ResourceNotFound
from host.observability.logs.service import LogsService
from host.observability.logs.store import LogStore


@pytest.fixture
def service(tmp_path):
    store = LogStore(tmp_path / "logs.db", max_bytes=10**7)
    yield LogsService(store, "eu-west-1", "111122223333")
    store.close()


def with_events(service, messages, group="/g", stream="s"):
    service.create_log_group({"logGroupName": group})
    service.create_log_stream({"logGroupName": group, "logStreamName": stream})
    now = int(time.time() * 1000)
    events = [{"timestamp": now + i, "message": m} for i, m in enumerate(messages)]
    service.put_log_events({"logGroupName": group, "logStreamName": stream, "logEvents": events})
    return now


def test_a_group_is_described_with_its_arns_and_stored_bytes(service):
    with_events(service, ["abc"])
    [group] = service.describe_log_groups({})["logGroups"]
    assert group["arn"] == "arn:aws:logs:eu-west-1:111122223333:log-group:/g:*"
    assert group["logGroupArn"] == "arn:aws:logs:eu-west-1:111122223333:log-group:/g"
    assert group["storedBytes"] == 3 + 26 and "retentionInDays" not in group


def test_an_arn_names_a_group_as_well_as_its_name(service):
    with_events(service, ["x"])
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/g:*"
    found = service.get_log_events({"logGroupIdentifier": arn, "logStreamName": "s", "startFromHead": True})
    assert [e["message"] for e in found["events"]] == ["x"]
    with pytest.raises(InvalidParameter):
        service.get_log_events({"logGroupName": "/g", "logGroupIdentifier": arn, "logStreamName": "s"})


def test_existing_and_missing_resources_give_aws_errors(service):
    service.create_log_group({"logGroupName": "/g"})
    with pytest.raises(ResourceAlreadyExists, match="The specified log group already exists"):
        service.create_log_group({"logGroupName": "/g"})
    with pytest.raises(ResourceNotFound, match=r"The specified log stream does not exist\."):
        service.put_log_events(
            {"logGroupName": "/g", "logStreamName": "s", "logEvents": [{"timestamp": 1, "message": "m"}]}
        )
    with pytest.raises(ResourceNotFound, match=r"The specified log group does not exist\."):
        service.describe_log_streams({"logGroupName": "/none"})


def test_put_log_events_refuses_unordered_batches_and_reports_too_old_and_too_new_events(service):
    service.create_log_group({"logGroupName": "/g"})
    service.create_log_stream({"logGroupName": "/g", "logStreamName": "s"})
    now = int(time.time() * 1000)
    with pytest.raises(InvalidParameter, match="chronological order"):
        service.put_log_events(
            {"logGroupName": "/g", "logStreamName": "s", "logEvents": [{"timestamp": now, "message": "b"},
                                                                       {"timestamp": now - 1, "message": "a"}]}
        )  # fmt: skip
    too_new = now + 3 * 3600 * 1000
    events = [{"timestamp": now, "message": "ok"}, {"timestamp": too_new, "message": "x"}]
    answer = service.put_log_events({"logGroupName": "/g", "logStreamName": "s", "logEvents": events})
    assert answer["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    old = now - 15 * 86_400_000
    answer = service.put_log_events(
        {"logGroupName": "/g", "logStreamName": "s", "logEvents": [{"timestamp": old, "message": "old"}]}
    )
    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0}
    events = service.get_log_events({"logGroupName": "/g", "logStreamName": "s", "startFromHead": True})["events"]
    assert [e["message"] for e in events] == ["ok"]


def test_get_log_events_on_an_empty_stream_gives_tokens_that_find_later_events(service):
    service.create_log_group({"logGroupName": "/g"})
    service.create_log_stream({"logGroupName": "/g", "logStreamName": "s"})
    empty = service.get_log_events({"logGroupName": "/g", "logStreamName": "s", "startFromHead": True})
    assert empty["events"] == []
    now = int(time.time() * 1000)
    service.put_log_events(
        {"logGroupName": "/g", "logStreamName": "s", "logEvents": [{"timestamp": now, "message": "later"}]}
    )
    later = service.get_log_events({"logGroupName": "/g", "logStreamName": "s", "nextToken": empty["nextForwardToken"]})
    assert [e["message"] for e in later["events"]] == ["later"]
    with pytest.raises(InvalidParameter, match="nextToken"):
        service.get_log_events({"logGroupName": "/g", "logStreamName": "s", "nextToken": "garbage"})


def test_filter_log_events_refuses_a_bad_pattern_and_both_stream_selectors(service):
    with_events(service, ["a"])
    with pytest.raises(InvalidParameter, match="Invalid filter pattern"):
        service.filter_log_events({"logGroupName": "/g", "filterPattern": "{ $.x = "})
    with pytest.raises(InvalidParameter, match="mutually exclusive"):
        service.filter_log_events({"logGroupName": "/g", "logStreamNames": ["s"], "logStreamNamePrefix": "s"})
    with pytest.raises(InvalidParameter, match="End time must be greater"):
        service.filter_log_events({"logGroupName": "/g", "startTime": 10, "endTime": 5})


def test_streams_order_by_last_event_time(service):
    now = with_events(service, ["1"], stream="older")
    service.create_log_stream({"logGroupName": "/g", "logStreamName": "newer"})
    service.put_log_events(
        {"logGroupName": "/g", "logStreamName": "newer", "logEvents": [{"timestamp": now + 100, "message": "2"}]}
    )
    streams = service.describe_log_streams({"logGroupName": "/g", "orderBy": "LastEventTime", "descending": True})
    assert [s["logStreamName"] for s in streams["logStreams"]] == ["newer", "older"]
    [older] = [s for s in streams["logStreams"] if s["logStreamName"] == "older"]
    assert older["firstEventTimestamp"] == older["lastEventTimestamp"] == now
