"""moto's server on loopback: the AWS endpoint destinations and dead-letter queues are sent to."""

from __future__ import annotations

import json
import logging
import time

import boto3
from moto.server import ThreadedMotoServer

ACCOUNT = "123456789012"  # moto's default account, which the host's ARNs use too
REGION = "us-east-1"


class AwsEndpoint:
    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def queue(self, name: str) -> str:
        """A new SQS queue; its ARN."""
        self.client("sqs").create_queue(QueueName=name)
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def messages(self, queue_arn: str, count: int, timeout: float = 30.0) -> list[dict]:
        """At least ``count`` messages from the queue (received and deleted), or what came in time."""
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[1])["QueueUrl"]
        found: list[dict] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            answer = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
            )
            batch = answer.get("Messages", [])
            if not batch:
                time.sleep(0.1)
                continue
            found.extend(batch)
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
            )
        return found

    def records(self, queue_arn: str, count: int, timeout: float = 30.0) -> list[dict]:
        return [json.loads(m["Body"]) for m in self.messages(queue_arn, count, timeout)]

    def stop(self) -> None:
        self.server.stop()
