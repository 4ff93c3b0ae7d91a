"""Lambda's event records for SQS, Kinesis and DynamoDB Streams, and the OnFailure record.

Built from the services' JSON-protocol answers (blobs already base64, times epoch numbers),
with AWS's keys in AWS's order (``reference/event-source-mappings.md`` §2.1, §3.1, §3.2,
§3.5).
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from dataclasses import dataclass
from typing import Any

# The order AWS lists an SQS record's system attributes in (standard, then FIFO's).
SQS_ATTRIBUTE_ORDER = (
    "ApproximateReceiveCount", "AWSTraceHeader", "SentTimestamp", "SequenceNumber", "MessageGroupId", "SenderId",
    "MessageDeduplicationId", "ApproximateFirstReceiveTimestamp",
)  # fmt: skip
STREAM_BATCH_INFO = {"kinesis": "KinesisBatchInfo", "dynamodb": "DDBStreamBatchInfo"}


def sqs_record(message: dict, source_arn: str, region: str) -> dict:
    attributes = message.get("Attributes") or {}
    ordered = {k: str(attributes[k]) for k in SQS_ATTRIBUTE_ORDER if k in attributes}
    ordered.update({k: str(v) for k, v in attributes.items() if k not in ordered})
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        entry: dict[str, Any] = {}
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = value["BinaryValue"]
        entry["stringListValues"] = list(value.get("StringListValues") or [])
        entry["binaryListValues"] = list(value.get("BinaryListValues") or [])
        entry["dataType"] = value.get("DataType")
        message_attributes[name] = entry
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": ordered,
        "messageAttributes": message_attributes,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record["md5OfBody"] = message.get("MD5OfBody")
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = source_arn
    record["awsRegion"] = region
    return record


@dataclass(frozen=True)
class StreamRecord:
    """One stream record with what the poller needs beside Lambda's event record."""

    sequence: str
    arrival: float  # epoch seconds
    key: str  # partition key (Kinesis) or the item's keys (DynamoDB): what ParallelizationFactor keys by
    event: dict

    @property
    def number(self) -> int:
        """Sequence numbers compare as integers ("10" > "9"), on AWS and on moto."""
        return int(self.sequence)


def kinesis_record(raw: dict, shard_id: str, stream_arn: str, region: str, role: str) -> StreamRecord:
    arrival = float(raw.get("ApproximateArrivalTimestamp") or time.time())
    event = {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": raw["PartitionKey"],
            "sequenceNumber": raw["SequenceNumber"],
            "data": raw.get("Data", ""),
            "approximateArrivalTimestamp": round(arrival, 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{raw['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }
    return StreamRecord(raw["SequenceNumber"], arrival, raw["PartitionKey"], event)


def dynamodb_record(raw: dict, stream_arn: str, region: str) -> StreamRecord:
    change = dict(raw.get("dynamodb") or {})
    created = change.get("ApproximateCreationDateTime")
    arrival = float(created) if created is not None else time.time()
    if created is not None:
        change["ApproximateCreationDateTime"] = int(arrival)  # Lambda's DynamoDB events carry whole seconds
    ordered = {k: change[k] for k in ("ApproximateCreationDateTime", "Keys", "NewImage", "OldImage") if k in change}
    ordered.update({k: v for k, v in change.items() if k not in ordered})
    event = {
        "eventID": raw.get("eventID"),
        "eventName": raw.get("eventName"),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or region,
        "dynamodb": ordered,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):
        event["userIdentity"] = raw["userIdentity"]
    keys = json.dumps(change.get("Keys") or {}, sort_keys=True)
    return StreamRecord(str(change.get("SequenceNumber")), arrival, keys, event)


def filter_view(kind: str, event: dict) -> dict:
    """The record as filter patterns see it: SQS ``body`` and Kinesis ``data`` parsed when they are JSON."""
    if kind == "sqs":
        return {**event, "body": _json_or(event.get("body"))}
    if kind == "kinesis":
        kinesis = dict(event["kinesis"])
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            kinesis["data"] = _json_or(base64.b64decode(kinesis["data"]).decode("utf-8"))
        outer = {k: v for k, v in event.items() if k != "kinesis"}
        return {**outer, **kinesis}  # Kinesis patterns name data, partitionKey ... at the top
    return event


def _json_or(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (dict, list)) else text


def iso_ms(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def iso_s(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def on_failure_record(
    *,
    kind: str,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    response: dict | None,
    shard_id: str,
    stream_arn: str,
    records: list[StreamRecord],
    now: float,
    with_payload: bool = False,
) -> dict:
    """The record an OnFailure destination gets for discarded stream records (§3.5).

    ``response`` is ``{"statusCode", "executedVersion", "functionError"}`` of the last
    invocation; None for records discarded for their age, which have no responseContext.
    """
    stamp = iso_ms if kind == "kinesis" else iso_s
    record: dict[str, Any] = {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        }
    }
    if response is not None:
        record["responseContext"] = response
    record["version"] = "1.0"
    record["timestamp"] = iso_ms(now)
    record[STREAM_BATCH_INFO[kind]] = {
        "shardId": shard_id,
        "startSequenceNumber": records[0].sequence,
        "endSequenceNumber": records[-1].sequence,
        "approximateArrivalOfFirstRecord": stamp(records[0].arrival),
        "approximateArrivalOfLastRecord": stamp(records[-1].arrival),
        "batchSize": len(records),
        "streamArn": stream_arn,
    }
    if with_payload:
        record["payload"] = {"Records": [r.event for r in records]}
    return record
