"""Sending a stream mapping's OnFailure record to its SQS queue, SNS topic or S3 bucket (§3.5).

The shard waits until the record is delivered (1 s doubling to 30 s between tries): the
discarded records' checkpoint moves only after that, so nothing is lost if the
destination is down.
"""

from __future__ import annotations

import json
import time
import uuid

from host.aws.endpoint import AwsEndpoint
from host.event_sources.pollers.base import Backoff, Context, log


def send(endpoint: AwsEndpoint, destination: str, record: dict, mapping_uuid: str, shard_id: str) -> None:
    """Deliver once; raises what the endpoint raised."""
    parts = destination.split(":", 5)
    service, region, account, resource = parts[2], parts[3] or "us-east-1", parts[4], parts[5]
    body = json.dumps(record)
    if service == "sqs":
        sqs = endpoint.client("sqs", region)
        url = sqs.get_queue_url(QueueName=resource, QueueOwnerAWSAccountId=account)["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=body)
    elif service == "sns":
        endpoint.client("sns", region).publish(TopicArn=destination, Message=body)
    elif service == "s3":
        now = time.gmtime()
        key = (
            f"aws/lambda/{mapping_uuid}/{shard_id}/{time.strftime('%Y/%m/%d', now)}/"
            f"{time.strftime('%Y-%m-%dT%H.%M.%S', now)}-{uuid.uuid4()}"
        )
        endpoint.client("s3", region).put_object(Bucket=resource, Key=key, Body=body.encode())
    else:
        raise ValueError(f"{destination}: OnFailure destinations are SQS queues, SNS topics or S3 buckets")


def deliver(context: Context, record: dict, shard_id: str) -> bool:
    """Deliver, trying again until it works; False when the mapping stopped first."""
    destination = context.mapping.on_failure
    if not destination:
        return True
    backoff = Backoff()
    while not context.stop.is_set():
        try:
            send(context.endpoint, destination, record, context.mapping.uuid, shard_id)
            return True
        except Exception as exc:
            delay = backoff.next()
            log.warning(
                "event source mapping %s: OnFailure record to %s not delivered (%s); trying again in %.0f s",
                context.mapping.uuid, destination, exc, delay,
            )  # fmt: skip
            context.wait(delay)
    return False
