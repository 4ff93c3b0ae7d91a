"""Sending destination records and dead-letter messages to SQS, SNS and EventBridge.

Through boto3 clients of the host's AWS endpoint (``host.aws.endpoint``: the embedded
moto server by default, or what ``--aws-endpoint-url`` names). Blocking: called from a
thread, never on the event loop.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from host.aws.endpoint import AwsEndpoint

SUCCESS_DETAIL_TYPE = "Lambda Function Invocation Result - Success"
FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure"


class TargetError(Exception):
    """The target refused the message or could not be reached."""


@dataclass(frozen=True)
class TargetArn:
    service: str  # sqs, sns, events or lambda
    region: str
    account: str
    resource: str  # queue or topic name, "event-bus/<name>", "function:<name>[:<qualifier>]"
    arn: str

    @classmethod
    def parse(cls, arn: str) -> TargetArn:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or not parts[2] or not parts[5]:
            raise TargetError(f"{arn} is not an ARN")
        return cls(parts[2], parts[3], parts[4], parts[5], arn)


class AwsTargets:
    def __init__(self, endpoint: AwsEndpoint) -> None:
        self.endpoint = endpoint
        self.lock = threading.Lock()
        self.queue_urls: dict[str, str] = {}

    def client(self, service: str, region: str):
        return self.endpoint.client(service, region)

    def send(self, arn: str, body: bytes, attributes: dict, success: bool, function_arn: str) -> None:
        """Deliver ``body`` to the queue, topic or bus ``arn``; raises ``TargetError``."""
        target = TargetArn.parse(arn)
        text = body.decode("utf-8", "replace")
        try:
            if target.service == "sqs":
                self.client("sqs", target.region).send_message(
                    QueueUrl=self._queue_url(target), MessageBody=text, **_attributes(attributes)
                )
            elif target.service == "sns":
                self.client("sns", target.region).publish(TopicArn=arn, Message=text, **_attributes(attributes))
            elif target.service == "events":
                answer = self.client("events", target.region).put_events(
                    Entries=[
                        {
                            "Source": "lambda",
                            "DetailType": SUCCESS_DETAIL_TYPE if success else FAILURE_DETAIL_TYPE,
                            "Detail": text,
                            "Resources": [arn, function_arn],
                            "EventBusName": arn,
                        }
                    ]
                )
                if answer.get("FailedEntryCount"):
                    raise TargetError(json.dumps(answer.get("Entries")))
            else:
                raise TargetError(f"{arn}: Lambda cannot deliver to {target.service}")
        except TargetError:
            raise
        except Exception as exc:  # botocore's errors, connection errors: all mean "not delivered"
            raise TargetError(f"{type(exc).__name__}: {exc}") from exc

    def _queue_url(self, target: TargetArn) -> str:
        url = self.queue_urls.get(target.arn)
        if url is None:
            options = {"QueueOwnerAWSAccountId": target.account} if target.account else {}
            url = self.client("sqs", target.region).get_queue_url(QueueName=target.resource, **options)["QueueUrl"]
            self.queue_urls[target.arn] = url
        return url


def _attributes(attributes: dict) -> dict:
    return {"MessageAttributes": attributes} if attributes else {}
