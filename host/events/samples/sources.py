"""Beyond SAM's list: function URLs and destinations (built by the host's own translations), API Gateway
WebSockets, SQS FIFO, Kafka (MSK and self-managed), Amazon MQ, DocumentDB, CloudWatch alarms,
Secrets Manager rotation and S3 Object Lambda."""

from __future__ import annotations

import json

from host.core.invocation import InvokeResult
from host.core.invocation_record import invocation_record
from host.core.url_payloads import UrlRequest, request_event
from host.events.registry import Values, template


@template(
    "lambda",
    "function-url",
    "Lambda function URL request (payload format 2.0), as the host builds it for a real URL request",
    method="GET",
    path="/",
    query="",
    body="",
    content_type="application/json",
    url_id="a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
    source_ip="127.0.0.1",
)
def function_url(v: Values) -> dict:
    headers = {
        "host": f"{v['url-id']}.lambda-url.{v.region}.on.aws",
        "user-agent": "curl/8.5.0",
        "accept": "*/*",
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": v["source-ip"],
    }
    if v["body"]:
        headers["content-type"] = v["content-type"]
    request = UrlRequest(
        method=v["method"],
        raw_path=v["path"],
        path=v["path"],
        query=v["query"],
        headers=headers,
        body=v["body"].encode(),
        source_ip=v["source-ip"],
        url_id=v["url-id"],
        request_id=v.id(),
    )
    return request_event(request, now=v.now.timestamp())


def _destination(v: Values, condition: str, success: bool) -> dict:
    payload = json.dumps({"errorMessage": v["error"], "errorType": "Error"}) if not success else v["response"]
    response = InvokeResult(payload.encode(), "$LATEST", None if success else "Unhandled")
    return invocation_record(
        request_id=v.id(),
        function_arn=v.arn("lambda", f"function:{v['function']}:$LATEST"),
        condition=condition,
        invoke_count=1 if success else 3,
        request_payload=v["request"].encode(),
        response=response,
        at=v.now.timestamp(),
    )


@template(
    "lambda",
    "destination-on-success",
    "Invocation record an asynchronous invocation's OnSuccess destination function receives",
    function="my-function",
    request='{"Success": true}',
    response='{"statusCode": 200}',
)
def destination_success(v: Values) -> dict:
    return _destination(v, "Success", True)


@template(
    "lambda",
    "destination-on-failure",
    "Invocation record an asynchronous invocation's OnFailure destination function receives",
    function="my-function",
    request='{"Success": false}',
    error="Failure from event, Success = false",
)
def destination_failure(v: Values) -> dict:
    return _destination(v, "RetriesExhausted", False)


def _websocket(v: Values, route: str, kind: str, extra_context: dict, extra: dict) -> dict:
    host = f"{v['api-id']}.execute-api.{v.region}.amazonaws.com"
    context = {
        "routeKey": route,
        "eventType": kind,
        "extendedRequestId": v.id("extended")[:16],
        "requestTime": v.now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "messageDirection": "IN",
        "stage": v["stage"],
        "connectedAt": v.epoch_ms(),
        "requestTimeEpoch": v.epoch_ms(),
        "identity": {"sourceIp": v["source-ip"]},
        "requestId": v.id()[:16],
        "domainName": host,
        "connectionId": v["connection-id"],
        "apiId": v["api-id"],
        **extra_context,
    }
    return {"requestContext": context, **extra, "isBase64Encoded": False}


WEBSOCKET = dict(api_id="abcdef123", stage="production", connection_id="Sz3fTc8ToAMCK-Q=", source_ip="192.0.2.1")


@template("apigateway", "websocket-connect", "Amazon API Gateway WebSocket $connect", **WEBSOCKET)
def websocket_connect(v: Values) -> dict:
    host = f"{v['api-id']}.execute-api.{v.region}.amazonaws.com"
    headers = {
        "Host": host,
        "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
        "Sec-WebSocket-Key": "J1dEXAMPLEa5Yx3UvSpQ==",
        "Sec-WebSocket-Version": "13",
        "X-Forwarded-For": v["source-ip"],
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    extra = {"headers": headers, "multiValueHeaders": {k: [value] for k, value in headers.items()}}
    return _websocket(v, "$connect", "CONNECT", {}, extra)


@template(
    "apigateway",
    "websocket-message",
    "Amazon API Gateway WebSocket message routed by its body",
    route_key="sendmessage",
    body='{"action": "sendmessage", "message": "hello"}',
    **WEBSOCKET,
)
def websocket_message(v: Values) -> dict:
    context = {"messageId": v.id("message")[:16]}
    return _websocket(v, v["route-key"], "MESSAGE", context, {"body": v["body"]})


@template("apigateway", "websocket-disconnect", "Amazon API Gateway WebSocket $disconnect", **WEBSOCKET)
def websocket_disconnect(v: Values) -> dict:
    context = {"disconnectStatusCode": 1001, "disconnectReason": "Going away"}
    headers = {"Host": f"{v['api-id']}.execute-api.{v.region}.amazonaws.com", "x-api-key": ""}
    extra = {"headers": headers, "multiValueHeaders": {k: [value] for k, value in headers.items()}}
    return _websocket(v, "$disconnect", "DISCONNECT", context, extra)


@template(
    "sqs",
    "receive-message-fifo",
    "Amazon SQS FIFO queue messages received by an event source mapping",
    queue_name="MyQueue.fifo",
    body="Hello from SQS FIFO!",
    message_group_id="group-1",
)
def sqs_fifo(v: Values) -> dict:
    return {
        "Records": [
            {
                "messageId": v.id("message"),
                "receiptHandle": "MessageReceiptHandle",
                "body": v["body"],
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(v.epoch_ms()),
                    "SequenceNumber": "18849496460467696128",
                    "MessageGroupId": v["message-group-id"],
                    "SenderId": v.account,
                    "MessageDeduplicationId": v.md5(v["body"]),
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


KAFKA = dict(topic="mytopic", key="my-key", value="Hello, this is a test.", offset="15")


def _kafka_records(v: Values) -> dict:
    record = {
        "topic": v["topic"],
        "partition": 0,
        "offset": int(v["offset"]),
        "timestamp": v.epoch_ms(),
        "timestampType": "CREATE_TIME",
        "key": v.b64(v["key"]),
        "value": v.b64(v["value"]),
        "headers": [{"headerKey": list(b"headerValue")}],
    }
    return {f"{v['topic']}-0": [record]}


@template("kafka", "msk", "Amazon MSK records read by an event source mapping", cluster="demo-cluster-1", **KAFKA)
def msk(v: Values) -> dict:
    brokers = ",".join(f"b-{n}.{v['cluster']}.a1bcde.c1.kafka.{v.region}.amazonaws.com:9092" for n in (1, 2))
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": v.arn("kafka", f"cluster/{v['cluster']}/{v.id('cluster')}-2"),
        "bootstrapServers": brokers,
        "records": _kafka_records(v),
    }


@template(
    "kafka",
    "self-managed",
    "Self-managed Apache Kafka records read by an event source mapping",
    bootstrap_servers="kafka-1.example.com:9092,kafka-2.example.com:9092",
    **KAFKA,
)
def self_managed_kafka(v: Values) -> dict:
    return {"eventSource": "SelfManagedKafka", "bootstrapServers": v["bootstrap-servers"], "records": _kafka_records(v)}


MQ = dict(broker="test", queue="testQueue", data="ABC:AAAA")


@template("mq", "activemq", "Amazon MQ for ActiveMQ messages read by an event source mapping", **MQ)
def activemq(v: Values) -> dict:
    broker_id = f"b-{v.id('broker')}"
    return {
        "eventSource": "aws:mq",
        "eventSourceArn": v.arn("mq", f"broker:{v['broker']}:{broker_id}"),
        "messages": [
            {
                "messageID": f"ID:{broker_id}-1.mq.{v.region}.amazonaws.com-37557-1234520418293-4:1:1:1:1",
                "messageType": "jms/text-message",
                "deliveryMode": 1,
                "replyTo": None,
                "type": None,
                "expiration": "60000",
                "priority": 1,
                "correlationId": "myJMSCoID",
                "redelivered": False,
                "destination": {"physicalName": v["queue"]},
                "data": v.b64(v["data"]),
                "timestamp": v.epoch_ms(),
                "brokerInTime": v.epoch_ms(),
                "brokerOutTime": v.epoch_ms() + 1,
                "properties": {"index": "1", "doAlarm": "false", "myCustomProperty": "value"},
            }
        ],
    }


@template(
    "mq",
    "rabbitmq",
    "Amazon MQ for RabbitMQ messages read by an event source mapping",
    broker="pizzaBroker",
    queue="pizzaQueue",
    virtual_host="/",
    data='{"timeout": 0, "data": "CZrmf0Gw8Ov4bqLQxD4E"}',
)
def rabbitmq(v: Values) -> dict:
    return {
        "eventSource": "aws:rmq",
        "eventSourceArn": v.arn("mq", f"broker:{v['broker']}:b-{v.id('broker')}"),
        "rmqMessagesByQueue": {
            f"{v['queue']}::{v['virtual-host']}": [
                {
                    "basicProperties": {
                        "contentType": "text/plain",
                        "contentEncoding": None,
                        "headers": {},
                        "deliveryMode": 1,
                        "priority": 34,
                        "correlationId": None,
                        "replyTo": None,
                        "expiration": "60000",
                        "messageId": None,
                        "timestamp": v.now.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                        "type": None,
                        "userId": "AIDACKCEVSQ6C2EXAMPLE",
                        "appId": None,
                        "clusterId": None,
                        "bodySize": len(v["data"].encode()),
                    },
                    "redelivered": False,
                    "data": v.b64(v["data"]),
                }
            ]
        },
    }


@template(
    "documentdb",
    "change-stream",
    "Amazon DocumentDB change stream events read by an event source mapping",
    cluster="my-docdb-cluster",
    database="test_database",
    collection="test_collection",
    document='{"anyField": "sampleValue"}',
)
def documentdb(v: Values) -> dict:
    object_id = v.id("document").replace("-", "")[:24]
    document = {"_id": {"$oid": object_id}, **json.loads(v["document"])}
    event = {
        "_id": {"_data": f"01{int(v.epoch()):08x}000000090100000009000041e1"},
        "clusterTime": {"$timestamp": {"t": int(v.epoch()), "i": 9}},
        "documentKey": {"_id": {"$oid": object_id}},
        "fullDocument": document,
        "ns": {"db": v["database"], "coll": v["collection"]},
        "operationType": "insert",
    }
    return {
        "eventSourceArn": v.arn("rds", f"cluster:{v['cluster']}"),
        "events": [{"event": event}],
        "eventSource": "aws:docdb",
    }


@template(
    "cloudwatch",
    "alarm",
    "Amazon CloudWatch alarm state change invoking a Lambda alarm action",
    alarm="lambda-demo-metric-alarm",
    state="ALARM",
    previous_state="OK",
    namespace="AWS/Lambda",
    metric="Errors",
)
def alarm(v: Values) -> dict:
    stamp = v.iso().replace("Z", "+0000")
    return {
        "source": "aws.cloudwatch",
        "alarmArn": v.arn("cloudwatch", f"alarm:{v['alarm']}"),
        "accountId": v.account,
        "time": stamp,
        "region": v.region,
        "alarmData": {
            "alarmName": v["alarm"],
            "state": {"value": v["state"], "reason": "Threshold Crossed: 1 datapoint was >= 1.0", "timestamp": stamp},
            "previousState": {"value": v["previous-state"], "reason": "Threshold not crossed", "timestamp": stamp},
            "configuration": {
                "description": f"{v['metric']} of {v['namespace']}",
                "metrics": [
                    {
                        "id": v.id("metric"),
                        "metricStat": {
                            "metric": {"namespace": v["namespace"], "name": v["metric"], "dimensions": {}},
                            "period": 60,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


@template(
    "secretsmanager",
    "rotation",
    "AWS Secrets Manager rotation step for a rotation function",
    secret="MySecret",
    step="createSecret",
)
def rotation(v: Values) -> dict:
    return {
        "Step": v["step"],
        "SecretId": v.arn("secretsmanager", f"secret:{v['secret']}-a1b2c3"),
        "ClientRequestToken": v.id("token"),
        "RotationToken": v.id("rotation"),
    }


@template(
    "s3",
    "object-lambda",
    "Amazon S3 Object Lambda GetObject request",
    access_point="example-object-lambda-ap",
    supporting_access_point="example-ap",
    key="example",
)
def object_lambda(v: Values) -> dict:
    supporting = f"{v['supporting-access-point']}-{v.account}"
    return {
        "xAmzRequestId": v.id()[:16].replace("-", "").upper(),
        "getObjectContext": {
            "inputS3Url": f"https://{supporting}.s3-accesspoint.{v.region}.amazonaws.com/{v['key']}"
            "?X-Amz-Security-Token=EXAMPLE&X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "outputRoute": "io-use1-001",
            "outputToken": "OutputToken",
        },
        "configuration": {
            "accessPointArn": v.arn("s3-object-lambda", f"accesspoint/{v['access-point']}"),
            "supportingAccessPointArn": v.arn("s3", f"accesspoint/{v['supporting-access-point']}"),
            "payload": "{}",
        },
        "userRequest": {
            "url": f"https://{v['access-point']}-{v.account}.s3-object-lambda.{v.region}.amazonaws.com/{v['key']}",
            "headers": {
                "Host": f"{v['access-point']}-{v.account}.s3-object-lambda.{v.region}.amazonaws.com",
                "Accept-Encoding": "identity",
                "X-Amz-Content-SHA256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            },
        },
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:session",
            "arn": f"arn:{v.partition}:sts::{v.account}:assumed-role/role/session",
            "accountId": v.account,
            "accessKeyId": "ASIAEXAMPLE",
        },
        "protocolVersion": "1.00",
    }
