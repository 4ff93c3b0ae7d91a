"""Event invocations' ends: destinations, dead-letter queues, event age, zero retries, the API.

Everything through boto3 against a served host in real containers; SQS, SNS and
EventBridge are moto's server on loopback (the host's ``--aws-endpoint-url``). The host
runs AWS's retry policy with every time scaled by 0.002 (one minute is 0.12 s).
"""

import itertools
import json
import subprocess
import sys
import time
from datetime import datetime

import pytest
import requests
from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip
from tests.integration.aws_endpoint import ACCOUNT, REGION, AwsEndpoint
from tests.integration.recorder import Recorder
from tests.integration.test_async import REPORTER

SCALE = 0.002


@pytest.fixture(scope="module")
def aws():
    endpoint = AwsEndpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.shutdown()


@pytest.fixture
def host(lambda_host_factory, aws, tmp_path):
    return lambda_host_factory(state_dir=tmp_path, aws_endpoint_url=aws.url, async_time_scale=SCALE)


@pytest.fixture
def client(host):
    return client_for(host)


def reporter(client, host, recorder, name, **params):
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=30,
        Code={"ZipFile": make_zip({"app.py": REPORTER})},
        Environment={"Variables": {"RECORDER": recorder.url(host)}}, **params,
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def function_arn(name, qualifier="$LATEST"):
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}" + (f":{qualifier}" if qualifier else "")


def test_a_success_reaches_the_on_success_queue_with_the_invocation_record(client, host, recorder, aws):
    queue = aws.queue("on-success-1")
    name = reporter(client, host, recorder, "dest-success")
    client.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue}})
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    [record] = aws.records(queue, 1)
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z") and len(record["timestamp"]) == 24
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": function_arn(name),
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == "ok"


def test_a_failure_runs_three_times_then_reaches_on_failure_with_the_attempt_count(client, host, recorder, aws):
    queue = aws.queue("on-failure-1")
    name = reporter(client, host, recorder, "dest-failure")
    client.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue}})
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    request_id = response["ResponseMetadata"]["RequestId"]
    [record] = aws.records(queue, 1)
    assert [call["request_id"] for call in recorder.calls] == [request_id] * 3
    context = record["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"], context["requestId"]) == (
        "RetriesExhausted",
        3,
        request_id,
    )
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["responsePayload"]["errorMessage"] == "failing on purpose"


def test_zero_retries_means_one_run(client, host, recorder, aws):
    queue = aws.queue("zero-retries")
    name = reporter(client, host, recorder, "zero-retries")
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    [record] = aws.records(queue, 1)
    time.sleep(0.5)  # no second run follows
    assert len(recorder.calls) == 1
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_an_event_whose_retry_would_come_too_late_ends_with_event_age_exceeded(client, host, recorder, aws):
    queue = aws.queue("too-old")
    name = reporter(client, host, recorder, "too-old")
    # 60 s is the smallest maximum age; scaled, the first retry (one minute later) is already too late.
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=60, DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    [record] = aws.records(queue, 1)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert len(recorder.calls) == 1


def test_the_dead_letter_queue_gets_the_event_with_aws_attributes(client, host, recorder, aws):
    dlq = aws.queue("dead-letters")
    name = reporter(client, host, recorder, "with-dlq", DeadLetterConfig={"TargetArn": dlq})
    assert client.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": dlq}
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true, "id": 7}')
    [message] = aws.messages(dlq, 1)
    assert json.loads(message["Body"]) == {"fail": True, "id": 7}
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"] == {
        "StringValue": response["ResponseMetadata"]["RequestId"],
        "DataType": "String",
    }
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["ErrorMessage"] == {"StringValue": "failing on purpose", "DataType": "String"}
    assert len(recorder.calls) == 2


def test_a_lambda_destination_receives_the_record_and_its_own_failure_is_retried(client, host, recorder, aws):
    target_failures = aws.queue("target-failures-2")
    source = reporter(client, host, recorder, "source-ok")
    client.create_function(
        FunctionName="target-fails",
        Runtime="python3.11",
        Role=DEFAULT_ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": REPORTER.replace("event.get('fail')", "True")})},
        Environment={"Variables": {"RECORDER": recorder.url(host)}},
    )
    client.get_waiter("function_active_v2").wait(FunctionName="target-fails")
    client.put_function_event_invoke_config(
        FunctionName=source, DestinationConfig={"OnSuccess": {"Destination": function_arn("target-fails", None)}}
    )
    client.put_function_event_invoke_config(
        FunctionName="target-fails", DestinationConfig={"OnFailure": {"Destination": target_failures}}
    )
    response = client.invoke(FunctionName=source, InvocationType="Event", Payload=b'{"n": 2}')
    source_id = response["ResponseMetadata"]["RequestId"]
    [failure] = aws.records(target_failures, 1)
    calls = recorder.calls
    assert calls[0] == {"request_id": source_id, "event": {"n": 2}}
    target_runs = calls[1:]
    assert len(target_runs) == 3  # the destination's own two retries
    assert len({run["request_id"] for run in target_runs}) == 1 and target_runs[0]["request_id"] != source_id
    delivered = target_runs[0]["event"]
    assert delivered["requestContext"]["requestId"] == source_id
    assert delivered["requestContext"]["condition"] == "Success"
    assert delivered["responsePayload"] == "ok"
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestPayload"] == delivered  # the target's record carries the record it was given


def test_reserved_concurrency_zero_sends_events_to_on_failure_without_running(client, host, recorder, aws):
    queue = aws.queue("zero-concurrency")
    name = reporter(client, host, recorder, "zero-concurrency")
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    client.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue}})
    client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    [record] = aws.records(queue, 1)
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record
    assert recorder.calls == []


def test_sns_and_eventbridge_destinations_are_delivered(client, host, recorder, aws):
    sns, events = aws.client("sns"), aws.client("events")
    topic = sns.create_topic(Name="outcomes")["TopicArn"]
    from_topic = aws.queue("from-topic")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=from_topic, Attributes={"RawMessageDelivery": "true"})
    bus = events.create_event_bus(Name="outcomes-bus")["EventBusArn"]
    from_bus = aws.queue("from-bus")
    events.put_rule(Name="all", EventBusName="outcomes-bus", EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="all", EventBusName="outcomes-bus", Targets=[{"Id": "q", "Arn": from_bus}])
    name = reporter(client, host, recorder, "fan-out")
    client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": bus}},
    )
    ok = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    [record] = aws.records(from_topic, 1)
    assert record["requestContext"]["requestId"] == ok["ResponseMetadata"]["RequestId"]
    [event] = aws.records(from_bus, 1)
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"
    assert event["resources"] == [bus, function_arn(name)]


def test_an_undeliverable_record_is_kept_and_listed(client, host, recorder, aws, tmp_path):
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
    name = reporter(client, host, recorder, "undeliverable")
    client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": missing}}
    )
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    request_id = response["ResponseMetadata"]["RequestId"]
    deadline = time.monotonic() + 30
    listed = ""
    while request_id not in listed and time.monotonic() < deadline:
        time.sleep(0.3)
        listed = subprocess.run(
            [sys.executable, "-m", "host.cli.main", "dlq", "list", "--state-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    [line] = [line for line in listed.splitlines() if request_id in line]
    assert "\tfailed\t" in line and "OnSuccess" in line and missing in line and "attempts=10" in line


# -- the event invoke config API --------------------------------------------------------------


def test_put_get_update_list_and_delete_an_event_invoke_config(client, host, recorder, aws):
    name = reporter(client, host, recorder, "configured")
    queue = aws.queue("configured-q")
    put = client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    assert put["FunctionArn"] == function_arn(name)
    assert put["MaximumRetryAttempts"] == 1
    assert "MaximumEventAgeInSeconds" not in put
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    updated = client.update_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=300, DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 300)
    assert updated["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": queue}}
    got = client.get_function_event_invoke_config(FunctionName=name)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in updated.items() if k != "ResponseMetadata"
    }
    replaced = client.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=120)
    assert "MaximumRetryAttempts" not in replaced  # Put replaces everything
    assert replaced["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    client.publish_version(FunctionName=name)
    client.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumRetryAttempts=0)
    listed = client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [function_arn(name, "$LATEST"), function_arn(name, "1")]
    client.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(ClientError) as error:
        client.get_function_event_invoke_config(FunctionName=name)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"MaximumRetryAttempts": 3}, "ValidationException"),
        ({"MaximumEventAgeInSeconds": 59}, "ValidationException"),
        ({"MaximumEventAgeInSeconds": 21601}, "ValidationException"),
        (
            {"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:s3:::bucket"}}},
            "InvalidParameterValueException",
        ),
    ],
)
def test_bad_event_invoke_configs_are_refused(client, host, recorder, settings, code):
    name = reporter(client, host, recorder, "refuses")
    unchecked = client_for(host, parameter_validation=False)  # boto3 would refuse some of these itself
    with pytest.raises(ClientError) as error:
        unchecked.put_function_event_invoke_config(FunctionName=name, **settings)
    assert error.value.response["Error"]["Code"] == code
    with pytest.raises(ClientError):
        client.get_function_event_invoke_config(FunctionName=name)


def test_an_event_invoke_config_needs_its_function_and_version(client, host, recorder):
    with pytest.raises(ClientError) as error:
        client.put_function_event_invoke_config(FunctionName="nobody", MaximumRetryAttempts=1)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    name = reporter(client, host, recorder, "no-version-5")
    with pytest.raises(ClientError) as error:
        client.put_function_event_invoke_config(FunctionName=name, Qualifier="5", MaximumRetryAttempts=1)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_events_over_reserved_concurrency_wait_their_turn_without_using_an_attempt(client, host, recorder, aws):
    queue = aws.queue("one-at-a-time")
    name = reporter(client, host, recorder, "one-at-a-time")
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnSuccess": {"Destination": queue}}
    )
    ids = {
        client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"sleep": 0.5}')["ResponseMetadata"][
            "RequestId"
        ]
        for _ in range(4)
    }
    records = aws.records(queue, 4)
    assert {r["requestContext"]["requestId"] for r in records} == ids
    assert {r["requestContext"]["approximateInvokeCount"] for r in records} == {1}  # throttles cost no attempt
    ends = sorted(datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp() for r in records)
    assert all(later - earlier >= 0.45 for earlier, later in itertools.pairwise(ends))  # one at a time


def test_events_of_a_deleted_function_do_not_run_on_a_new_function_of_the_same_name(client, host, recorder):
    name = reporter(client, host, recorder, "reborn")
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    sent = [
        client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"sleep": 1}')["ResponseMetadata"][
            "RequestId"
        ]
        for _ in range(4)
    ]
    recorder.wait_for(1)  # the first runs; three wait for the one seat
    client.delete_function(FunctionName=name)
    reporter(client, host, recorder, name)
    fresh = client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["ResponseMetadata"]["RequestId"]
    recorder.wait_for(2)
    time.sleep(1.5)
    ran = [call["request_id"] for call in recorder.calls]
    assert ran == [sent[0], fresh]


@pytest.mark.parametrize(
    "destination",
    [{"OnSuccess": {"Destination": "kafka://broker:9092"}}, {"OnSuccess": "arn:aws:sqs:us-east-1:1:q"}],
)
def test_odd_destinations_get_a_client_error_not_a_server_error(client, host, recorder, destination):
    name = reporter(client, host, recorder, "odd-destinations")
    answer = requests.put(
        f"{host.endpoint}/2019-09-25/functions/{name}/event-invoke-config",
        json={"DestinationConfig": destination},
        timeout=30,
    )  # raw: boto3 cannot even send the second one
    assert answer.status_code == 400
    assert answer.headers["X-Amzn-ErrorType"] in ("InvalidParameterValueException", "ValidationException")
