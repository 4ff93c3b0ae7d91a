"""One endpoint for everything: the Lambda port relays other services to the host's AWS endpoint
(embedded moto by default), functions reach it through AWS_ENDPOINT_URL, and
--aws-endpoint-url points the host at another endpoint."""

import json

import boto3

from host.testing.plugin import client_for, make_zip
from tests.integration.aws_endpoint import AwsEndpoint
from tests.integration.esm_support import ACCOUNT, REGION, aws, enabled, messages, queue, stream, unique, wait_until

SENDER = """
import os, boto3
def handler(event, context):
    sqs = boto3.client("sqs")  # no endpoint given: AWS_ENDPOINT_URL says where
    sqs.send_message(QueueUrl=event["url"], MessageBody="from " + context.function_name)
    return os.environ["AWS_ENDPOINT_URL"]
"""


def test_other_services_are_relayed_by_the_credential_scope(lambda_host):
    topic = aws(lambda_host, "sns").create_topic(Name=unique("t"))["TopicArn"]
    assert topic.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT}:")
    bucket = unique("b")
    s3 = aws(lambda_host, "s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    url, _ = queue(lambda_host)
    assert url.startswith(lambda_host.endpoint)  # URLs name the port the caller used
    assert "Functions" in client_for(lambda_host).list_functions()  # Lambda's own paths are untouched


def test_a_function_reaches_sqs_through_aws_endpoint_url(lambda_host, lambda_client, create_function):
    url, _ = queue(lambda_host)
    name = create_function({"app.py": SENDER}, Timeout=15)
    result = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"url": url}))
    assert "FunctionError" not in result, result["Payload"].read()
    assert json.loads(result["Payload"].read()).startswith("http://")
    [message] = messages(lambda_host, url, 1)
    assert message["Body"] == f"from {name}"


def test_a_named_endpoint_is_used_instead_of_the_embedded_one(lambda_host_factory, tmp_path, create_function):
    other = AwsEndpoint()
    try:
        host = lambda_host_factory(state_dir=tmp_path, aws_endpoint_url=other.url)
        assert host.aws.url == other.url and not host.aws.embedded
        client = client_for(host)
        name = unique("q")
        other.client("sqs").create_queue(QueueName=name)
        function = unique("fn")
        client.create_function(
            FunctionName=function, Runtime="python3.11", Role="arn:aws:iam::123456789012:role/r",
            Handler="app.handler", Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return {}\n"})},
        )  # fmt: skip
        client.get_waiter("function_active_v2").wait(FunctionName=function)
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)["UUID"]
        enabled(client, uuid)
        sqs = other.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        sqs.send_message(QueueUrl=queue_url, MessageBody="x")

        def drained():
            attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
            return (
                attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
            )

        wait_until(drained)
        client.delete_event_source_mapping(UUID=uuid)
        client.delete_function(FunctionName=function)
    finally:
        other.stop()


def test_an_unreachable_endpoint_backs_off_and_says_so(lambda_host_factory, tmp_path, lambda_host, caplog):
    arn = stream(lambda_host)  # made on the session host's endpoint; this host's endpoint goes away
    other = AwsEndpoint()
    host = lambda_host_factory(state_dir=tmp_path, aws_endpoint_url=other.url)
    client = client_for(host)
    function = unique("fn")
    client.create_function(
        FunctionName=function, Runtime="python3.11", Role="arn:aws:iam::123456789012:role/r",
        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return {}\n"})},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=function)
    uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST")[
        "UUID"
    ]
    enabled(client, uuid)
    other.stop()
    result = wait_until(
        lambda: client.get_event_source_mapping(UUID=uuid)["LastProcessingResult"].startswith("PROBLEM: Connection"),
        timeout=60,
    )
    assert result
    assert client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"


def test_the_default_is_an_embedded_endpoint(lambda_host):
    assert lambda_host.aws.embedded and lambda_host.aws.url.startswith("http://127.0.0.1:")
    direct = boto3.client(
        "sqs", endpoint_url=lambda_host.aws.url, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    url, _ = queue(lambda_host)
    assert url.rsplit("/", 1)[1] in " ".join(direct.list_queues()["QueueUrls"])  # the same service behind both
