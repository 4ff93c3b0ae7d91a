"""Queues, streams, tables and topics of a template, created on the host's AWS endpoint.

``AWS::SQS::Queue`` (with ``RedrivePolicy``, FIFO settings), ``AWS::Kinesis::Stream``,
``AWS::DynamoDB::Table`` (with ``StreamSpecification``) and ``AWS::SNS::Topic`` are made
before any function, idempotently (what exists is reused, a queue's attributes are set
again), so ``Ref`` and ``!GetAtt X.Arn`` / ``StreamArn`` / ``QueueUrl`` resolve in
functions and mappings. A resource without a name gets ``<stack>-<LogicalId>``, the same
on every start. Names are known before anything is created, so resources may refer to
each other (a queue's dead-letter queue) in any order.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

QUEUE, STREAM, TABLE, TOPIC = "AWS::SQS::Queue", "AWS::Kinesis::Stream", "AWS::DynamoDB::Table", "AWS::SNS::Topic"
TYPES = (QUEUE, STREAM, TABLE, TOPIC)
QUEUE_ATTRIBUTES = (
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
    "KmsMasterKeyId", "SqsManagedSseEnabled",
)  # fmt: skip


@dataclass(frozen=True)
class Named:
    """What Ref and GetAtt give for one resource before it exists (its ARN is known from its name)."""

    logical_id: str
    kind: str
    name: str
    ref: Any
    attributes: dict[str, Any]


def name_of(logical: str, kind: str, props: dict, stack: str, region: str, account: str, public_endpoint: str) -> Named:
    key = {QUEUE: "QueueName", STREAM: "Name", TABLE: "TableName", TOPIC: "TopicName"}[kind]
    name = str(props.get(key) or f"{stack}-{logical}")
    if kind == QUEUE and props.get("FifoQueue") in (True, "true") and not name.endswith(".fifo"):
        name += ".fifo"
    if kind == QUEUE:
        arn = f"arn:aws:sqs:{region}:{account}:{name}"
        url = f"{public_endpoint}/{account}/{name}"
        return Named(logical, kind, name, url, {"Arn": arn, "QueueUrl": url, "QueueName": name})
    if kind == STREAM:
        arn = f"arn:aws:kinesis:{region}:{account}:stream/{name}"
        return Named(logical, kind, name, name, {"Arn": arn})
    if kind == TABLE:
        return Named(logical, kind, name, name, {"Arn": f"arn:aws:dynamodb:{region}:{account}:table/{name}"})
    arn = f"arn:aws:sns:{region}:{account}:{name}"
    return Named(logical, kind, name, arn, {"TopicArn": arn, "TopicName": name})


def create(endpoint, named: Named, props: dict, region: str) -> dict[str, Any]:
    """Make the resource if it does not exist; the attributes known only once it does (StreamArn)."""
    if named.kind == QUEUE:
        return _queue(endpoint.client("sqs", region), named, props)
    if named.kind == STREAM:
        return _stream(endpoint.client("kinesis", region), named, props)
    if named.kind == TABLE:
        return _table(endpoint.client("dynamodb", region), named, props)
    endpoint.client("sns", region).create_topic(Name=named.name)
    return {}


def _queue(sqs, named: Named, props: dict) -> dict[str, Any]:
    attributes = {k: _text(props[k]) for k in QUEUE_ATTRIBUTES if props.get(k) is not None}
    if props.get("RedrivePolicy"):
        policy = props["RedrivePolicy"]
        attributes["RedrivePolicy"] = policy if isinstance(policy, str) else json.dumps(policy)
    if named.name.endswith(".fifo"):
        attributes["FifoQueue"] = "true"
    try:
        url = sqs.get_queue_url(QueueName=named.name)["QueueUrl"]
        if attributes:
            attributes.pop("FifoQueue", None)
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    except sqs.exceptions.QueueDoesNotExist:
        sqs.create_queue(QueueName=named.name, Attributes=attributes)
    return {}


def _stream(kinesis, named: Named, props: dict) -> dict[str, Any]:
    try:
        kinesis.describe_stream_summary(StreamName=named.name)
    except kinesis.exceptions.ResourceNotFoundException:
        kinesis.create_stream(StreamName=named.name, ShardCount=int(props.get("ShardCount") or 1))
    return {}


def _table(dynamodb, named: Named, props: dict) -> dict[str, Any]:
    try:
        table = dynamodb.describe_table(TableName=named.name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        params: dict[str, Any] = {
            "TableName": named.name,
            "KeySchema": props.get("KeySchema") or [],
            "AttributeDefinitions": props.get("AttributeDefinitions") or [],
            "BillingMode": props.get("BillingMode") or "PAY_PER_REQUEST",
        }
        if props.get("ProvisionedThroughput"):
            params["ProvisionedThroughput"] = {k: int(v) for k, v in props["ProvisionedThroughput"].items()}
            params["BillingMode"] = props.get("BillingMode") or "PROVISIONED"
        stream = props.get("StreamSpecification")
        if stream:
            params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(key):
                params[key] = props[key]
        table = dynamodb.create_table(**params)["TableDescription"]
        deadline = time.monotonic() + 30
        while table.get("TableStatus") != "ACTIVE" and time.monotonic() < deadline:
            time.sleep(0.2)
            table = dynamodb.describe_table(TableName=named.name)["Table"]
    return {"StreamArn": table["LatestStreamArn"]} if table.get("LatestStreamArn") else {}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
