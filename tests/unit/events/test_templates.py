"""Sample-event templates: every one renders valid JSON, fields override defaults, AWS's encodings hold."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from datetime import UTC, datetime

import pytest

from host.events import UnknownTemplate, generate, get, templates

# What SAM CLI's `sam local generate-event` offers: the floor of what must be here.
SAM_FLOOR = {
    ("alexa-skills-kit", e) for e in ("end-session", "intent-answer", "intent-getnewfact", "intent-mycoloris",
                                      "intent-recipe", "start-session")
} | {
    ("alexa-smart-home", "smart-home-control-turn-off-request"),
    ("alexa-smart-home", "smart-home-control-turn-on-request"),
    ("alexa-smart-home", "smart-home-discovery-request"),
    ("apigateway", "authorizer"), ("apigateway", "aws-proxy"), ("apigateway", "http-api-proxy"),
    ("apigateway", "request-authorizer"), ("appsync", "direct-resolver"), ("alb", "request"),
    ("batch", "get-job"), ("batch", "submit-job"), ("cloudformation", "create-request"),
    ("cloudwatch", "logs"), ("cloudwatch", "scheduled-event"), ("codecommit", "repository"),
    ("codepipeline", "job"), ("cognito", "sync-trigger"), ("config", "item-change-notification"),
    ("config", "oversized-item-change-notification"), ("config", "periodic-rule"),
    ("connect", "contact-flow-event"), ("dynamodb", "update"), ("kinesis", "get-records"),
    ("kinesis", "kinesis-firehose"), ("kinesis", "analytics"), ("kinesis", "analytics-compressed"),
    ("kinesis", "analytics-dynamodb"), ("kinesis", "analytics-kpl"), ("kinesis", "apachelog"),
    ("kinesis", "cloudwatch-logs-processor"), ("kinesis", "streams-as-source"), ("kinesis", "syslog"),
    ("lex", "book-car"), ("lex", "book-hotel"), ("lex", "make-appointment"), ("lex", "order-flowers"),
    ("rekognition", "s3-request"), ("s3", "put"), ("s3", "delete"), ("s3", "batch-invocation"),
    ("sagemaker", "ground-truth-pre-human"), ("sagemaker", "ground-truth-annotation-consolidation"),
    ("ses", "email-receiving"), ("sns", "notification"), ("sqs", "receive-message"), ("stepfunctions", "error"),
    ("workmail", "message-flow"), ("eventbridge", "scheduled-event"),
} | {("cloudfront", e) for e in (
    "ab-test", "access-request-in-response", "http-redirect", "modify-querystring", "modify-response-header",
    "multiple-remote-calls-aggregate-response", "normalize-querystring-to-improve-cache-hit",
    "redirect-on-viewer-country", "redirect-unauthenticated-users", "response-generation",
    "serve-object-on-viewer-device", "simple-remote-call")}  # fmt: skip

NOW = datetime(2026, 12, 5, 8, 30, 15, 123000, tzinfo=UTC)
ALL = [(t.service, t.event) for t in templates()]


def test_every_event_sam_cli_offers_has_a_template():
    assert SAM_FLOOR - set(ALL) == set()


@pytest.mark.parametrize(("service", "event"), ALL)
def test_every_template_generates_a_json_object_with_a_description(service, event):
    generated = generate(service, event, now=NOW)
    assert isinstance(generated, dict) and generated
    assert json.loads(json.dumps(generated)) == generated
    assert get(service, event).description


@pytest.mark.parametrize(("service", "event"), ALL)
def test_every_template_takes_the_region_and_account_given(service, event):
    text = json.dumps(generate(service, event, {"region": "eu-west-3", "account-id": "210987654321"}, now=NOW))
    default = json.dumps(generate(service, event, now=NOW))
    if "us-east-1" in default:  # the templates that carry a region carry the one given
        assert "eu-west-3" in text and "us-east-1" not in text
    if "123456789012" in default:
        assert "210987654321" in text and "123456789012" not in text


def test_s3_put_fills_bucket_and_url_encodes_the_key_as_s3_does():
    event = generate("s3", "put", {"bucket": "my-bucket", "key": "photos/a b.txt"}, now=NOW)
    record = event["Records"][0]
    assert record["s3"]["bucket"] == {
        "name": "my-bucket",
        "ownerIdentity": {"principalId": "EXAMPLE"},
        "arn": "arn:aws:s3:::my-bucket",
    }
    assert record["s3"]["object"]["key"] == "photos/a+b.txt"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"] == "2026-12-05T08:30:15.123Z"


def test_sqs_body_carries_its_md5_and_the_queue_arn_its_region_and_account():
    event = generate("sqs", "receive-message", {"body": "hi", "queue-name": "jobs", "region": "eu-west-1"}, now=NOW)
    record = event["Records"][0]
    assert record["body"] == "hi"
    assert record["md5OfBody"] == hashlib.md5(b"hi").hexdigest()
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:123456789012:jobs"
    assert record["awsRegion"] == "eu-west-1"
    assert record["attributes"]["SentTimestamp"] == str(int(NOW.timestamp() * 1000))


def test_api_gateway_bodies_are_base64_encoded_when_asked_as_aws_does():
    plain = generate("apigateway", "aws-proxy", {"body": '{"a": 1}'}, now=NOW)
    assert plain["body"] == '{"a": 1}' and plain["isBase64Encoded"] is False
    encoded = generate("apigateway", "http-api-proxy", {"body": "raw", "base64": "true"}, now=NOW)
    assert base64.b64decode(encoded["body"]) == b"raw" and encoded["isBase64Encoded"] is True


def test_api_gateway_proxy_request_splits_the_query_and_keeps_the_stage_in_the_path():
    event = generate("apigateway", "aws-proxy", {"path": "/items/7", "query": "a=1&a=2&b=3", "stage": "dev"}, now=NOW)
    assert event["queryStringParameters"] == {"a": "2", "b": "3"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    assert event["requestContext"]["path"] == "/dev/items/7"
    assert event["pathParameters"] == {"proxy": "items/7"}
    v2 = generate("apigateway", "http-api-proxy", {"query": "a=1&a=2"}, now=NOW)
    assert v2["queryStringParameters"] == {"a": "1,2"} and v2["rawQueryString"] == "a=1&a=2"


def test_kinesis_data_is_base64_and_cloudwatch_logs_data_is_gzipped_json():
    kinesis = generate("kinesis", "get-records", {"data": "hello"}, now=NOW)
    assert base64.b64decode(kinesis["Records"][0]["kinesis"]["data"]) == b"hello"
    logs = generate("cloudwatch", "logs", {"log-group": "/aws/lambda/f", "messages": "one|two"}, now=NOW)
    payload = json.loads(gzip.decompress(base64.b64decode(logs["awslogs"]["data"])))
    assert payload["logGroup"] == "/aws/lambda/f"
    assert [e["message"] for e in payload["logEvents"]] == ["one", "two"]


def test_one_event_uses_one_request_id_wherever_aws_repeats_it():
    event = generate("cloudformation", "create-request", now=NOW)
    assert event["RequestId"] in event["ResponseURL"]
    sns = generate("sns", "notification", {"topic": "t"}, now=NOW)["Records"][0]
    assert sns["EventSubscriptionArn"].startswith(sns["Sns"]["TopicArn"] + ":")
    assert sns["Sns"]["UnsubscribeUrl"].endswith(sns["EventSubscriptionArn"])


def test_host_defaults_change_the_shared_fields_but_given_values_win():
    event = generate("sns", "notification", now=NOW, region="ap-south-1", account_id="111122223333")
    assert event["Records"][0]["Sns"]["TopicArn"] == "arn:aws:sns:ap-south-1:111122223333:ExampleTopic"
    given = generate("sns", "notification", {"region": "eu-north-1"}, now=NOW, region="ap-south-1")
    assert given["Records"][0]["Sns"]["TopicArn"].startswith("arn:aws:sns:eu-north-1:")


def test_unknown_services_events_and_fields_are_refused_with_what_there_is():
    with pytest.raises(UnknownTemplate, match=r"s3 has no event 'pux'; it has: .*put"):
        generate("s3", "pux")
    with pytest.raises(UnknownTemplate, match=r"no service 'nope'; there are: .*sqs"):
        generate("nope", "x")
    with pytest.raises(KeyError, match="no field 'colour'"):
        generate("s3", "put", {"colour": "red"})


def test_scheduled_events_are_eventbridge_shaped():
    event = generate("eventbridge", "scheduled-event", {"rule": "nightly"}, now=NOW)
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/nightly"]
    assert event["time"] == "2026-12-05T08:30:15Z"


def test_records_are_shaped_as_the_hosts_own_event_source_mappings_deliver_them():
    from host.event_sources.core.records import dynamodb_record, kinesis_record, sqs_record

    def keys(value) -> set:
        return set(value) if isinstance(value, dict) else set()

    sqs = generate("sqs", "receive-message", now=NOW)["Records"][0]
    message = {"MessageId": "m", "ReceiptHandle": "r", "Body": "b", "MD5OfBody": "x", "Attributes": {"SenderId": "1"}}
    assert keys(sqs) == keys(sqs_record(message, "arn", "us-east-1"))
    kinesis = generate("kinesis", "get-records", now=NOW)["Records"][0]
    raw = {"PartitionKey": "p", "SequenceNumber": "1", "Data": "ZA==", "ApproximateArrivalTimestamp": 1.0}
    built = kinesis_record(raw, "shardId-000000000000", "arn", "us-east-1", "role").event
    assert keys(kinesis) == keys(built) and keys(kinesis["kinesis"]) == keys(built["kinesis"])
    dynamodb = generate("dynamodb", "update", now=NOW)["Records"][0]
    raw = {"eventID": "1", "eventName": "INSERT", "dynamodb": dynamodb["dynamodb"]}
    assert keys(dynamodb) == keys(dynamodb_record(raw, "arn", "us-east-1").event)


def test_function_url_and_destination_events_are_the_hosts_own_translations():
    url = generate("lambda", "function-url", {"method": "POST", "path": "/items", "body": '{"a": 1}'}, now=NOW)
    assert url["requestContext"]["http"]["method"] == "POST" and url["rawPath"] == "/items"
    assert url["body"] == '{"a": 1}' and url["isBase64Encoded"] is False
    assert url["requestContext"]["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    failure = generate("lambda", "destination-on-failure", {"function": "f"}, now=NOW)
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestContext"]["functionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["responsePayload"]["errorMessage"] == "Failure from event, Success = false"
