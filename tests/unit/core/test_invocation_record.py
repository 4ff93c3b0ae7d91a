"""Destination records and dead-letter attributes in AWS's shapes."""

import json

from host.core.invocation import InvokeResult
from host.core.invocation_record import dead_letter_attributes, invocation_record, record_timestamp

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"


def test_a_success_record_has_the_response_and_no_function_error():
    record = invocation_record(
        request_id="r-1",
        function_arn=ARN,
        condition="Success",
        invoke_count=1,
        request_payload=b'{"n": 1}',
        response=InvokeResult(b'{"ok": true}', "$LATEST"),
        at=1573755365.568,
    )
    assert record == {
        "version": "1.0",
        "timestamp": "2019-11-14T18:16:05.568Z",
        "requestContext": {
            "requestId": "r-1",
            "functionArn": ARN,
            "condition": "Success",
            "approximateInvokeCount": 1,
        },
        "requestPayload": {"n": 1},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"ok": True},
    }


def test_a_failure_record_carries_the_function_error_and_its_payload():
    error = {"errorMessage": "boom", "errorType": "Exception", "stackTrace": []}
    record = invocation_record(
        request_id="r-1",
        function_arn=ARN,
        condition="RetriesExhausted",
        invoke_count=3,
        request_payload=b"{}",
        response=InvokeResult(json.dumps(error).encode(), "1", "Unhandled"),
        at=0.0,
    )
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "1", "functionError": "Unhandled"}
    assert record["responsePayload"] == error
    assert record["requestContext"]["approximateInvokeCount"] == 3


def test_an_event_that_never_ran_has_no_response_in_its_record():
    record = invocation_record(
        request_id="r-1",
        function_arn=ARN,
        condition="EventAgeExceeded",
        invoke_count=0,
        request_payload=b"{}",
        response=None,
        at=0.0,
    )
    assert "responseContext" not in record and "responsePayload" not in record


def test_a_response_that_is_not_json_is_kept_as_text():
    record = invocation_record(
        request_id="r",
        function_arn=ARN,
        condition="Success",
        invoke_count=1,
        request_payload=b"{}",
        response=InvokeResult(b"plain words", "$LATEST"),
        at=0.0,
    )
    assert record["responsePayload"] == "plain words"


def test_timestamps_are_utc_with_milliseconds():
    assert record_timestamp(0.0) == "1970-01-01T00:00:00.000Z"


def test_dead_letter_attributes_name_the_request_and_the_error_cut_to_one_kilobyte():
    long_error = {"errorMessage": "x" * 5000, "errorType": "Exception"}
    result = InvokeResult(json.dumps(long_error).encode(), "$LATEST", "Unhandled")
    attributes = dead_letter_attributes("r-1", result, "RetriesExhausted")
    assert attributes["RequestID"] == {"DataType": "String", "StringValue": "r-1"}
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "x" * 1024


def test_a_record_too_large_for_the_destination_goes_without_its_payloads():
    from host.core.invocation_record import RECORD_LIMIT, record_body

    small = invocation_record(
        request_id="r", function_arn=ARN, condition="Success", invoke_count=1, request_payload=b'{"a": 1}',
        response=InvokeResult(b'"ok"', "$LATEST"), at=0.0,
    )  # fmt: skip
    assert json.loads(record_body(small)) == small
    big = {**small, "requestPayload": "x" * RECORD_LIMIT}
    trimmed = json.loads(record_body(big))
    assert "requestPayload" not in trimmed and "responsePayload" not in trimmed
    assert trimmed["requestContext"] == small["requestContext"]
    assert trimmed["responseContext"] == small["responseContext"]


def test_a_response_nested_too_deep_for_json_is_kept_as_text():
    deep = b"[" * 5000 + b"]" * 5000
    record = invocation_record(
        request_id="r", function_arn=ARN, condition="Success", invoke_count=1, request_payload=b"{}",
        response=InvokeResult(deep, "$LATEST"), at=0.0,
    )  # fmt: skip
    assert record["responsePayload"] == deep.decode()
