"""What the event source mapping tests share: clients of the host's one endpoint, a reporting
function, and waits on conditions."""

from __future__ import annotations

import secrets
import time

import boto3

from host.testing.plugin import DEFAULT_ROLE, make_zip

ACCOUNT, REGION = "123456789012", "us-east-1"

# Reports each invocation to the test's recorder, then behaves as MODE says:
# ok | raise (if a record holds "fail") | report (name the records holding "fail") | answer (return ANSWER)
# | sleep:<s> (then ok).
REPORTING = """
import base64, json, os, time, urllib.request

def text(r):
    if "body" in r:
        return r["body"]
    if "kinesis" in r:
        return base64.b64decode(r["kinesis"]["data"]).decode()
    return json.dumps(r.get("dynamodb", {}))

def ident(r):
    if "messageId" in r:
        return r["messageId"]
    if "kinesis" in r:
        return r["kinesis"]["sequenceNumber"]
    return r["dynamodb"]["SequenceNumber"]

def handler(event, context):
    mode = os.environ.get("MODE", "ok")
    call = {"request_id": context.aws_request_id, "records": event["Records"], "started": time.time(),
            "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
    urllib.request.urlopen(urllib.request.Request(os.environ["RECORDER"], json.dumps(call).encode(), method="POST"))
    if mode.startswith("sleep"):
        time.sleep(float(mode.split(":")[1]))
    failing = [r for r in event["Records"] if "fail" in text(r)]
    if mode == "raise" and failing:
        raise Exception("boom")
    if mode == "report":
        return {"batchItemFailures": [{"itemIdentifier": ident(r)} for r in failing]}
    if mode == "answer":
        return json.loads(os.environ["ANSWER"])
    return {}
"""


def aws(host, service: str):
    """A boto3 client of another service, through the host's port (it relays to its endpoint)."""
    return boto3.client(
        service, endpoint_url=host.endpoint, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def reporting_function(client, host, recorder, mode: str = "ok", timeout: int = 3, **variables) -> str:
    name = unique("esm")
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=timeout,
        Code={"ZipFile": make_zip({"app.py": REPORTING})},
        Environment={"Variables": {"RECORDER": recorder.url(host), "MODE": mode, **variables}},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    return name


def queue(host, name: str | None = None, **attributes) -> tuple[str, str]:
    """A new queue: (url, arn)."""
    name = name or unique("q")
    sqs = aws(host, "sqs")
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
    return url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def stream(host, shards: int = 1) -> str:
    kinesis = aws(host, "kinesis")
    name = unique("s")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def table(host, view: str = "NEW_AND_OLD_IMAGES") -> tuple[str, str]:
    dynamodb = aws(host, "dynamodb")
    name = unique("t")
    dynamodb.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )  # fmt: skip
    return name, dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s")


def enabled(client, uuid: str, timeout: float = 30.0) -> dict:
    return wait_until(lambda: (m := client.get_event_source_mapping(UUID=uuid))["State"] == "Enabled" and m, timeout)


def messages(host, url: str, count: int, timeout: float = 30.0) -> list[dict]:
    """``count`` messages received (and deleted) from a queue."""
    sqs = aws(host, "sqs")
    found: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found += batch
    return found


def queue_empty(host, url: str) -> bool:
    attributes = aws(host, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (
        attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    )
