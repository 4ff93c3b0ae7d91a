"""Storage and messaging: S3, SQS, SNS, DynamoDB Streams, Kinesis and Firehose, CloudWatch Logs, SES."""

from __future__ import annotations

import gzip
import json

from host.events.registry import Values, template

EXAMPLE_SEQUENCE = "49590338271490256608559692538361571095921575989136588898"


def _s3_record(v: Values, event_name: str, with_object_size: bool) -> dict:
    obj: dict = {"key": v.url(v["key"])}
    if with_object_size:
        obj.update(size=int(v["size"]), eTag=v["etag"])
    obj["sequencer"] = f"{v.epoch_ms():016X}"[-16:]
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": v.region,
                "eventTime": v.iso(),
                "eventName": event_name,
                "userIdentity": {"principalId": "EXAMPLE"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {
                    "x-amz-request-id": v.id("s3")[:16].replace("-", "").upper(),
                    "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "testConfigRule",
                    "bucket": {
                        "name": v["bucket"],
                        "ownerIdentity": {"principalId": "EXAMPLE"},
                        "arn": f"arn:{v.partition}:s3:::{v['bucket']}",
                    },
                    "object": obj,
                },
            }
        ]
    }


@template(
    "s3",
    "put",
    "Amazon S3 object created (Put) notification",
    bucket="example-bucket",
    key="test/key",
    size="1024",
    etag="0123456789abcdef0123456789abcdef",
)
def s3_put(v: Values) -> dict:
    return _s3_record(v, "ObjectCreated:Put", True)


@template("s3", "delete", "Amazon S3 object removed (Delete) notification", bucket="example-bucket", key="test/key")
def s3_delete(v: Values) -> dict:
    return _s3_record(v, "ObjectRemoved:Delete", False)


@template(
    "s3",
    "batch-invocation",
    "Amazon S3 Batch Operations invocation (schema 1.0)",
    bucket="example-bucket",
    key="customerImage1.jpg",
    version_id="",
)
def s3_batch(v: Values) -> dict:
    return {
        "invocationSchemaVersion": "1.0",
        "invocationId": v.b64(v.id("invocation")),
        "job": {"id": v.id("job")},
        "tasks": [
            {
                "taskId": v.b64(v.id("task"))[:24],
                "s3Key": v["key"],
                "s3VersionId": v["version-id"] or None,
                "s3BucketArn": f"arn:{v.partition}:s3:::{v['bucket']}",
            }
        ],
    }


@template(
    "s3",
    "batch-invocation-v2",
    "Amazon S3 Batch Operations invocation (schema 2.0, with user arguments)",
    bucket="example-bucket",
    key="customerImage1.jpg",
    version_id="",
    user_arguments='{"k1": "v1", "k2": "v2"}',
)
def s3_batch_v2(v: Values) -> dict:
    return {
        "invocationSchemaVersion": "2.0",
        "invocationId": v.b64(v.id("invocation")),
        "job": {"id": v.id("job"), "userArguments": json.loads(v["user-arguments"])},
        "tasks": [
            {
                "taskId": v.b64(v.id("task"))[:24],
                "s3Bucket": v["bucket"],
                "s3Key": v["key"],
                "s3VersionId": v["version-id"] or None,
            }
        ],
    }


@template(
    "sqs",
    "receive-message",
    "Amazon SQS messages received by an event source mapping",
    queue_name="MyQueue",
    body="Hello from SQS!",
)
def sqs(v: Values) -> dict:
    return {
        "Records": [
            {
                "messageId": v.id("message"),
                "receiptHandle": "MessageReceiptHandle",
                "body": v["body"],
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(v.epoch_ms()),
                    "SenderId": v.account,
                    "ApproximateFirstReceiveTimestamp": str(v.epoch_ms()),
                },
                "messageAttributes": {},
                "md5OfBody": v.md5(v["body"]),
                "eventSource": "aws:sqs",
                "eventSourceARN": v.arn("sqs", v["queue-name"]),
                "awsRegion": v.region,
            }
        ]
    }


@template(
    "sns",
    "notification",
    "Amazon SNS topic notification",
    topic="ExampleTopic",
    subject="example subject",
    message="example message",
)
def sns(v: Values) -> dict:
    topic = v.arn("sns", v["topic"])
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:{v.id('subscription')}",
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": v.iso(),
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": f"https://sns.{v.region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                    "MessageId": v.id("message"),
                    "Message": v["message"],
                    "MessageAttributes": {},
                    "Type": "Notification",
                    "UnsubscribeUrl": f"https://sns.{v.region}.amazonaws.com/?Action=Unsubscribe"
                    f"&SubscriptionArn={topic}:{v.id('subscription')}",
                    "TopicArn": topic,
                    "Subject": v["subject"],
                },
            }
        ]
    }


@template(
    "dynamodb", "update", "Amazon DynamoDB stream records (insert, modify, remove)", table="ExampleTableWithStream"
)
def dynamodb(v: Values) -> dict:
    stream = v.arn("dynamodb", f"table/{v['table']}/stream/{v.iso(millis=True)[:23]}")
    created = int(v.epoch())

    def record(number: int, name: str, keys: dict, new: dict | None, old: dict | None) -> dict:
        change: dict = {"ApproximateCreationDateTime": created, "Keys": keys}
        if new is not None:
            change["NewImage"] = new
        if old is not None:
            change["OldImage"] = old
        view = "NEW_AND_OLD_IMAGES"
        change.update(SequenceNumber=f"{number}00000000000000000000{number}", SizeBytes=26, StreamViewType=view)
        return {
            "eventID": str(number),
            "eventVersion": "1.1",
            "dynamodb": change,
            "awsRegion": v.region,
            "eventName": name,
            "eventSourceARN": stream,
            "eventSource": "aws:dynamodb",
        }

    keys = {"Id": {"N": "101"}}
    new = {"Message": {"S": "New item!"}, "Id": {"N": "101"}}
    changed = {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}}
    return {
        "Records": [
            record(1, "INSERT", keys, new, None),
            record(2, "MODIFY", keys, changed, new),
            record(3, "REMOVE", keys, None, changed),
        ]
    }


@template(
    "kinesis",
    "get-records",
    "Amazon Kinesis Data Streams records read by an event source mapping",
    stream="simple-stream",
    data="Hello, this is a test 123.",
    partition_key="partitionKey-03",
    sequence=EXAMPLE_SEQUENCE,
)
def kinesis(v: Values) -> dict:
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": v["partition-key"],
                    "sequenceNumber": v["sequence"],
                    "data": v.b64(v["data"]),
                    "approximateArrivalTimestamp": v.epoch(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{v['sequence']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": v.arn("iam", "role/lambda-role", region=""),
                "awsRegion": v.region,
                "eventSourceARN": v.arn("kinesis", f"stream/{v['stream']}"),
            }
        ]
    }


def _firehose(v: Values, records: list[dict], source: dict | None = None) -> dict:
    event = {
        "invocationId": v.id("invocation"),
        "deliveryStreamArn": v.arn("firehose", f"deliverystream/{v['delivery-stream']}"),
        "region": v.region,
        "records": records,
    }
    if source:
        event.update(source)
    return event


def _firehose_record(v: Values, data: str | bytes, number: int = 1, **extra) -> dict:
    record = {
        "recordId": f"{number:056d}",
        "approximateArrivalTimestamp": v.epoch_ms(),
        "data": v.b64(data),
    }
    record.update(extra)
    return record


@template(
    "kinesis",
    "kinesis-firehose",
    "Amazon Data Firehose data transformation request",
    delivery_stream="example-stream",
    data="Hello, this is a test 123.",
)
def firehose(v: Values) -> dict:
    return _firehose(v, [_firehose_record(v, v["data"])])


@template(
    "kinesis",
    "streams-as-source",
    "Amazon Data Firehose transformation request with a Kinesis stream as its source",
    delivery_stream="example-stream",
    stream="example-source-stream",
    data="Hello, this is a test 123.",
    partition_key="partitionKey-03",
    sequence=EXAMPLE_SEQUENCE,
)
def firehose_from_stream(v: Values) -> dict:
    metadata = {
        "kinesisRecordMetadata": {
            "shardId": "shardId-000000000000",
            "partitionKey": v["partition-key"],
            "approximateArrivalTimestamp": v.epoch_ms(),
            "sequenceNumber": v["sequence"],
            "subsequenceNumber": "",
        }
    }
    source = {"sourceKinesisStreamArn": v.arn("kinesis", f"stream/{v['stream']}")}
    return _firehose(v, [_firehose_record(v, v["data"], **metadata)], source)


@template(
    "kinesis",
    "apachelog",
    "Amazon Data Firehose transformation request carrying an Apache access log line",
    delivery_stream="example-stream",
    data='192.0.2.10 - - [05/Dec/2026:08:00:00 +0000] "GET /index.html HTTP/1.1" 200 6291',
)
def firehose_apache(v: Values) -> dict:
    return _firehose(v, [_firehose_record(v, v["data"])])


@template(
    "kinesis",
    "syslog",
    "Amazon Data Firehose transformation request carrying a syslog line",
    delivery_stream="example-stream",
    data="<34>1 2026-12-05T08:00:00.000Z mymachine.example.com su - ID47 - 'su root' failed for user on /dev/pts/8",
)
def firehose_syslog(v: Values) -> dict:
    return _firehose(v, [_firehose_record(v, v["data"])])


def _logs_payload(v: Values, message_type: str = "DATA_MESSAGE") -> dict:
    return {
        "messageType": message_type,
        "owner": v.account,
        "logGroup": v["log-group"],
        "logStream": v["log-stream"],
        "subscriptionFilters": [v["filter"]],
        "logEvents": [
            {"id": f"{v.epoch_ms()}000000000000000000000000000000000{n}"[:56], "timestamp": v.epoch_ms(), "message": m}
            for n, m in enumerate(v["messages"].split("|"))
        ],
    }


LOG_FIELDS = dict(
    log_group="/aws/lambda/example",
    log_stream="2026/12/05/[$LATEST]0123456789abcdef0123456789abcdef",
    filter="ExampleFilter",
    messages="[ERROR] First test message|[ERROR] Second test message",
)


@template(
    "kinesis",
    "cloudwatch-logs-processor",
    "Amazon Data Firehose transformation request carrying CloudWatch Logs subscription data (gzip)",
    delivery_stream="example-stream",
    **LOG_FIELDS,
)
def firehose_logs(v: Values) -> dict:
    data = gzip.compress(json.dumps(_logs_payload(v)).encode(), mtime=0)
    return _firehose(v, [_firehose_record(v, data)])


@template(
    "cloudwatch",
    "logs",
    "Amazon CloudWatch Logs subscription filter delivery (gzip, base64)",
    **LOG_FIELDS,
)
def cloudwatch_logs(v: Values) -> dict:
    return {"awslogs": {"data": v.b64(gzip.compress(json.dumps(_logs_payload(v)).encode(), mtime=0))}}


def _analytics(v: Values, records: list[dict]) -> dict:
    return {
        "invocationId": v.id("invocation"),
        "applicationArn": v.arn("kinesisanalytics", f"application/{v['application']}"),
        "streamArn": v.arn("kinesis", f"stream/{v['stream']}"),
        "records": records,
    }


ANALYTICS_FIELDS = dict(application="example-application", stream="example-stream")


def _analytics_record(v: Values, data: bytes | str, **extra) -> dict:
    record = {
        "recordId": f"{1:056d}",
        "kinesisStreamRecordMetadata": {
            "shardId": "shardId-000000000003",
            "partitionKey": "7400791606",
            "sequenceNumber": EXAMPLE_SEQUENCE,
            "approximateArrivalTimestamp": v.epoch_ms(),
        },
        "data": v.b64(data),
    }
    record.update(extra)
    return record


@template(
    "kinesis",
    "analytics",
    "Amazon Kinesis Data Analytics preprocessing request",
    data="This is a test from Kinesis Analytics",
    **ANALYTICS_FIELDS,
)
def analytics(v: Values) -> dict:
    return _analytics(v, [_analytics_record(v, v["data"])])


@template(
    "kinesis",
    "analytics-compressed",
    "Amazon Kinesis Data Analytics preprocessing request with gzip-compressed data",
    data="This is a test from Kinesis Analytics",
    **ANALYTICS_FIELDS,
)
def analytics_compressed(v: Values) -> dict:
    return _analytics(v, [_analytics_record(v, gzip.compress(v["data"].encode(), mtime=0))])


@template(
    "kinesis",
    "analytics-dynamodb",
    "Amazon Kinesis Data Analytics output to a function (DynamoDB sink example)",
    data='{"ROWTIME_TIMESTAMP":"2017-12-15 01:09:50.000","VEHICLEID":"5","VEHICLECOUNT":18}',
    **ANALYTICS_FIELDS,
)
def analytics_dynamodb(v: Values) -> dict:
    return {
        "invocationId": v.id("invocation"),
        "applicationArn": v.arn("kinesisanalytics", f"application/{v['application']}"),
        "records": [
            {"recordId": v.id("record"), "lambdaDeliveryRecordMetadata": {"retryHint": 0}, "data": v.b64(v["data"])}
        ],
    }


@template(
    "kinesis",
    "analytics-kpl",
    "Amazon Kinesis Data Analytics preprocessing request of KPL-aggregated records",
    data="This is a test from Kinesis Analytics",
    **ANALYTICS_FIELDS,
)
def analytics_kpl(v: Values) -> dict:
    record = _analytics_record(v, v["data"])
    record["kinesisStreamRecordMetadata"]["subsequenceNumber"] = 0
    record["kinesisStreamRecordMetadata"]["aggregated"] = True
    return _analytics(v, [record])


@template(
    "ses",
    "email-receiving",
    "Amazon SES email receiving (Lambda action)",
    source="janedoe@example.com",
    destination="johndoe@example.com",
    subject="Test Subject",
)
def ses(v: Values) -> dict:
    headers = [
        {"name": "Return-Path", "value": f"<{v['source']}>"},
        {"name": "From", "value": f"Jane Doe <{v['source']}>"},
        {"name": "Date", "value": v.http_date()},
        {"name": "To", "value": v["destination"]},
        {"name": "Message-ID", "value": f"<{v.id('message')}@mail.example.com>"},
        {"name": "Subject", "value": v["subject"]},
        {"name": "MIME-Version", "value": "1.0"},
        {"name": "Content-Type", "value": "text/plain; charset=UTF-8"},
    ]
    message_id = v.id("ses").replace("-", "")[:20]
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": v.iso(),
                        "source": v["source"],
                        "messageId": message_id,
                        "destination": [v["destination"]],
                        "headersTruncated": False,
                        "headers": headers,
                        "commonHeaders": {
                            "returnPath": v["source"],
                            "from": [f"Jane Doe <{v['source']}>"],
                            "date": v.http_date(),
                            "to": [v["destination"]],
                            "messageId": f"<{v.id('message')}@mail.example.com>",
                            "subject": v["subject"],
                        },
                    },
                    "receipt": {
                        "timestamp": v.iso(),
                        "processingTimeMillis": 574,
                        "recipients": [v["destination"]],
                        "spamVerdict": {"status": "PASS"},
                        "virusVerdict": {"status": "PASS"},
                        "spfVerdict": {"status": "PASS"},
                        "dkimVerdict": {"status": "PASS"},
                        "dmarcVerdict": {"status": "PASS"},
                        "dmarcPolicy": "reject",
                        "action": {
                            "type": "Lambda",
                            "functionArn": v.arn("lambda", "function:Example"),
                            "invocationType": "Event",
                        },
                    },
                },
            }
        ]
    }
