"""Event records, the OnFailure record, response shapes and the pure validation."""

import pytest

from host.core.errors import InvalidParameterValue, ValidationError
from host.event_sources.core.config import MappingConfig, SourceArn
from host.event_sources.core.records import StreamRecord, filter_view, on_failure_record, sqs_record
from host.event_sources.core.shapes import configuration, from_json, to_json
from host.event_sources.core.validation import check_ranges, check_rules

QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"


def test_an_sqs_record_orders_fifo_attributes_as_aws_and_synthesises_list_values():
    message = {
        "MessageId": "m", "ReceiptHandle": "r", "Body": "b", "MD5OfBody": "x",
        "Attributes": {"SenderId": "s", "MessageGroupId": "g", "ApproximateReceiveCount": "1", "SentTimestamp": "1",
                       "SequenceNumber": "9", "MessageDeduplicationId": "d", "ApproximateFirstReceiveTimestamp": "2"},
        "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}, "MD5OfMessageAttributes": "y",
    }  # fmt: skip
    record = sqs_record(message, QUEUE, "us-east-1")
    assert list(record["attributes"]) == [
        "ApproximateReceiveCount", "SentTimestamp", "SequenceNumber", "MessageGroupId", "SenderId",
        "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp",
    ]  # fmt: skip
    assert record["messageAttributes"]["n"] == {
        "stringValue": "1", "stringListValues": [], "binaryListValues": [], "dataType": "Number",
    }  # fmt: skip
    assert filter_view("sqs", {"body": '{"a": 1}'})["body"] == {"a": 1}


def test_the_on_failure_record_of_a_dynamodb_stream_has_second_precision_arrivals():
    rows = [StreamRecord("1", 1573690399.5, "k", {}), StreamRecord("2", 1573690400.25, "k", {})]
    record = on_failure_record(
        kind="dynamodb", request_id="r", function_arn="f", condition="RecordAgeExceeded", invoke_count=1,
        response=None, shard_id="s", stream_arn="arn", records=rows, now=1573690401.021,
    )  # fmt: skip
    assert list(record) == ["requestContext", "version", "timestamp", "DDBStreamBatchInfo"]
    assert record["timestamp"] == "2019-11-14T00:13:21.021Z"
    assert record["DDBStreamBatchInfo"]["approximateArrivalOfFirstRecord"] == "2019-11-14T00:13:19Z"
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2


def mapping(**changes):
    values = dict(
        uuid="u", function_arn="arn:f", function_name="f", qualifier=None, source=SourceArn.parse(QUEUE),
        batch_size=10, window=0, enabled=True, state="Enabled", state_reason="USER_INITIATED", last_modified=1.0,
    )  # fmt: skip
    values.update(changes)
    return MappingConfig(**values)


def test_an_sqs_shape_has_no_stream_keys_and_the_store_round_trips():
    shape = configuration(mapping(filters=('{"a": [1]}',)))
    assert "LastProcessingResult" not in shape and "DestinationConfig" not in shape
    assert shape["FilterCriteria"] == {"Filters": [{"Pattern": '{"a": [1]}'}]}
    stored = mapping(tags={"a": "b"}, response_types=("ReportBatchItemFailures",))
    assert from_json(to_json(stored)) == stored


def test_ranges_are_validation_exceptions_all_at_once():
    with pytest.raises(ValidationError) as caught:
        check_ranges({"BatchSize": 0, "ParallelizationFactor": 11})
    assert caught.value.message.startswith("2 validation errors detected: ")


def test_rules_of_fifo_queues_and_stream_ages():
    fifo = SourceArn.parse(QUEUE + ".fifo")
    with pytest.raises(InvalidParameterValue):
        check_rules(fifo, {"BatchSize": 11, "MaximumBatchingWindowInSeconds": 0}, creating=True)
    kinesis = SourceArn.parse("arn:aws:kinesis:us-east-1:123456789012:stream/s")
    check_rules(kinesis, {"StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": -1}, creating=True)
    with pytest.raises(InvalidParameterValue):
        check_rules(kinesis, {"StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": 59}, creating=True)
