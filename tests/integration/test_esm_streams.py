"""Kinesis and DynamoDB streams feeding functions in real containers, against moto's server:
records, starting positions, retries with OnFailure records, bisection, partial-batch
checkpoints, a failing shard that blocks only itself, and checkpoints kept across disable,
enable and a restart of the host."""

import base64
import itertools
import json

import pytest

from tests.integration.aws_endpoint import AwsEndpoint
from tests.integration.esm_support import (
    ACCOUNT,
    REGION,
    aws,
    enabled,
    messages,
    queue,
    reporting_function,
    stream,
    table,
    unique,
    wait_until,
)  # fmt: skip
from tests.integration.recorder import Recorder


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.shutdown()


def mapping(client, arn, function, **params):
    params.setdefault("StartingPosition", "TRIM_HORIZON")
    uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, **params)["UUID"]
    enabled(client, uuid)
    return uuid


def put(host, arn, *values, key="k", **extra):
    kinesis = aws(host, "kinesis")
    return [
        kinesis.put_record(StreamARN=arn, PartitionKey=key, Data=json.dumps(v).encode(), **extra)["SequenceNumber"]
        for v in values
    ]


def data(call):
    return [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in call["records"]]


def test_a_kinesis_record_arrives_as_aws_shapes_it_from_trim_horizon(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    [sequence] = put(lambda_host, arn, {"n": 1}, key="pk")
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(lambda_client, arn, function)
    [call] = recorder.wait_for(1)
    [record] = call["records"]
    assert list(record) == [
        "kinesis", "eventSource", "eventVersion", "eventID", "eventName", "invokeIdentityArn", "awsRegion",
        "eventSourceARN",
    ]  # fmt: skip
    assert record["kinesis"]["partitionKey"] == "pk" and record["kinesis"]["sequenceNumber"] == sequence
    assert record["kinesis"]["kinesisSchemaVersion"] == "1.0"
    assert json.loads(base64.b64decode(record["kinesis"]["data"])) == {"n": 1}
    assert isinstance(record["kinesis"]["approximateArrivalTimestamp"], float)
    assert record["eventID"] == f"shardId-000000000000:{sequence}"
    assert record["eventName"] == "aws:kinesis:record" and record["eventSource"] == "aws:kinesis"
    assert record["invokeIdentityArn"].startswith("arn:aws:iam::") and record["eventSourceARN"] == arn
    wait_until(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK")
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_latest_sees_only_records_put_after_the_mapping(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    put(lambda_host, arn, {"old": True})
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(lambda_client, arn, function, StartingPosition="LATEST")
    put(lambda_host, arn, {"new": True})
    recorder.wait_for(1)
    assert [d for call in recorder.calls for d in data(call)] == [{"new": True}]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_retries_then_an_on_failure_record_then_the_shard_goes_on(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    dlq_url, dlq_arn = queue(lambda_host)
    sequences = put(lambda_host, arn, {"fail": 1})
    function = reporting_function(lambda_client, lambda_host, recorder, mode="raise")
    uuid = mapping(
        lambda_client, arn, function, MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": dlq_arn}}
    )
    [message] = messages(lambda_host, dlq_url, 1)
    record = json.loads(message["Body"])
    assert list(record) == ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"
    assert record["requestContext"]["requestId"] == recorder.calls[-1]["request_id"]
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = record["KinesisBatchInfo"]
    assert info["shardId"] == "shardId-000000000000" and info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == sequences[0]
    assert len(recorder.calls) == 3
    put(lambda_host, arn, {"ok": 1})
    wait_until(lambda: any(data(c) == [{"ok": 1}] for c in recorder.calls))
    assert lambda_client.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_bisection_keeps_order_and_isolates_the_bad_record(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    dlq_url, dlq_arn = queue(lambda_host)
    sequences = put(lambda_host, arn, {"i": 0}, {"i": 1}, {"i": 2, "fail": 1}, {"i": 3})
    function = reporting_function(lambda_client, lambda_host, recorder, mode="raise")
    uuid = mapping(
        lambda_client, arn, function, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": dlq_arn}},
    )  # fmt: skip
    [message] = messages(lambda_host, dlq_url, 1)
    info = json.loads(message["Body"])["KinesisBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == sequences[2] and info["batchSize"] == 1
    wait_until(lambda: any(data(c) == [{"i": 3}] for c in recorder.calls))
    batches = [[d["i"] for d in data(c)] for c in recorder.calls]
    assert batches == [[0, 1, 2, 3], [0, 1], [2, 3], [2], [3]]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_partial_response_checkpoints_before_the_lowest_failure_with_a_fresh_budget(
    lambda_client, lambda_host, recorder
):
    """AWS-recorded: 6 records, BatchSize 3, the 6th always failing, 3 retries: the 6th is in 5
    invocations ([4,5,6] once, then alone 4 times), OnFailure count 4 for it alone."""
    arn = stream(lambda_host)
    dlq_url, dlq_arn = queue(lambda_host)
    sequences = put(lambda_host, arn, *[{"i": i, **({"fail": 1} if i == 6 else {})} for i in range(1, 7)])
    function = reporting_function(lambda_client, lambda_host, recorder, mode="report")
    uuid = mapping(
        lambda_client, arn, function, BatchSize=3, MaximumRetryAttempts=3,
        FunctionResponseTypes=["ReportBatchItemFailures"], DestinationConfig={"OnFailure": {"Destination": dlq_arn}},
    )  # fmt: skip
    [message] = messages(lambda_host, dlq_url, 1)
    record = json.loads(message["Body"])
    assert record["requestContext"]["approximateInvokeCount"] == 4
    assert record["responseContext"]["functionError"] is None
    info = record["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"] == sequences[5]
    batches = [[d["i"] for d in data(c)] for c in recorder.calls]
    assert batches == [[1, 2, 3], [4, 5, 6], [6], [6], [6], [6]]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_failing_shard_blocks_only_itself(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host, shards=2)
    kinesis = aws(lambda_host, "kinesis")
    shards = kinesis.list_shards(StreamARN=arn)["Shards"]
    low, high = (s["HashKeyRange"]["StartingHashKey"] for s in shards)
    put(lambda_host, arn, {"fail": 1}, ExplicitHashKey=low)
    function = reporting_function(lambda_client, lambda_host, recorder, mode="raise")
    uuid = mapping(lambda_client, arn, function)
    put(lambda_host, arn, {"other": 1}, ExplicitHashKey=high)
    wait_until(lambda: any(data(c) == [{"other": 1}] for c in recorder.calls))
    put(lambda_host, arn, {"behind": 1}, ExplicitHashKey=low)
    wait_until(lambda: sum(data(c) == [{"fail": 1}] for c in recorder.calls) >= 3)
    assert not any({"behind": 1} in data(c) for c in recorder.calls)  # blocked behind the failing record
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_dynamodb_stream_record_and_its_checkpoint_across_disable_enable_and_restart(
    lambda_client, lambda_host, recorder, lambda_host_factory, tmp_path
):
    name, arn = table(lambda_host)
    dynamodb = aws(lambda_host, "dynamodb")
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "a"}, "bin": {"B": b"xyz"}})
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(lambda_client, arn, function)
    [call] = recorder.wait_for(1)
    [record] = call["records"]
    assert list(record) == [
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    ]
    assert (
        record["eventName"] == "INSERT" and record["eventVersion"] == "1.1" and record["eventSource"] == "aws:dynamodb"
    )
    change = record["dynamodb"]
    assert change["Keys"] == {"pk": {"S": "a"}} and change["NewImage"]["bin"] == {"B": "eHl6"}
    assert isinstance(change["ApproximateCreationDateTime"], int) and change["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)
    wait_until(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled")
    dynamodb.put_item(TableName=name, Item={"pk": {"S": "b"}})
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)
    wait_until(lambda: len(recorder.calls) >= 2)
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for c in recorder.calls for r in c["records"]]
    assert keys == ["a", "b"]  # resumed from the checkpoint: nothing again, nothing missed
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_restarted_host_resumes_each_mapping_from_its_checkpoint(lambda_host_factory, tmp_path, recorder):
    from host.testing.plugin import client_for

    host = lambda_host_factory(state_dir=tmp_path)
    client = client_for(host)
    arn = stream(host)
    function = reporting_function(client, host, recorder)
    uuid = mapping(client, arn, function)
    put(host, arn, {"i": 1}, {"i": 2})
    wait_until(lambda: sum(len(c["records"]) for c in recorder.calls) >= 2)
    host.stop_thread()
    other = AwsEndpoint()  # moto keeps its data in this process: another server on it sees the same stream
    other.client("kinesis").put_record(StreamARN=arn, PartitionKey="k", Data=json.dumps({"i": 3}).encode())
    other.stop()
    again = lambda_host_factory(state_dir=tmp_path)
    wait_until(lambda: any({"i": 3} in data(c) for c in recorder.calls))
    assert sorted(d["i"] for c in recorder.calls for d in data(c)) == [1, 2, 3]
    client_for(again).delete_event_source_mapping(UUID=uuid)


def test_on_failure_records_go_to_sns_and_s3_with_the_payload(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    bucket = unique("b")
    aws(lambda_host, "s3").create_bucket(Bucket=bucket)
    put(lambda_host, arn, {"fail": 1})
    function = reporting_function(lambda_client, lambda_host, recorder, mode="raise")
    uuid = mapping(
        lambda_client, arn, function, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::{bucket}"}},
    )  # fmt: skip
    s3 = aws(lambda_host, "s3")
    [item] = wait_until(lambda: s3.list_objects_v2(Bucket=bucket).get("Contents"))
    assert item["Key"].startswith(f"aws/lambda/{uuid}/shardId-000000000000/")
    record = json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in record["payload"]["Records"]] == [{"fail": 1}]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_parallelization_keeps_order_per_key_and_runs_keys_side_by_side(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    kinesis = aws(lambda_host, "kinesis")
    for i in range(4):
        for key in ("a", "b", "c", "d"):
            kinesis.put_record(StreamARN=arn, PartitionKey=key, Data=json.dumps({"k": key, "i": i}).encode())
    function = reporting_function(lambda_client, lambda_host, recorder, mode="sleep:0.5")
    uuid = mapping(lambda_client, arn, function, ParallelizationFactor=4, BatchSize=2)
    wait_until(lambda: sum(len(c["records"]) for c in recorder.calls) >= 16, timeout=60)
    seen = [d for c in sorted(recorder.calls, key=lambda c: c["started"]) for d in data(c)]
    for key in "abcd":
        assert [d["i"] for d in seen if d["k"] == key] == [0, 1, 2, 3]
    starts = sorted(c["started"] for c in recorder.calls)
    assert any(b - a < 0.4 for a, b in itertools.pairwise(starts))  # lanes overlapped
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_resharding_drains_parents_before_children(lambda_client, lambda_host, recorder):
    """moto routes every record to the closed parent after UpdateShardCount (its children never get
    any), so this checks that a reshard is followed, the parent drained and children read without
    losing or repeating a record."""
    arn = stream(lambda_host)
    function = reporting_function(lambda_client, lambda_host, recorder)
    put(lambda_host, arn, *[{"i": i} for i in range(3)])
    aws(lambda_host, "kinesis").update_shard_count(StreamARN=arn, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    put(lambda_host, arn, *[{"i": i} for i in range(3, 6)])
    uuid = mapping(lambda_client, arn, function)
    wait_until(lambda: sum(len(c["records"]) for c in recorder.calls) >= 6, timeout=60)
    order = [d["i"] for c in sorted(recorder.calls, key=lambda c: c["started"]) for d in data(c)]
    assert order == [0, 1, 2, 3, 4, 5]
    wait_until(
        lambda: lambda_host.event_sources.store.checkpoints(uuid).get("shardId-000000000000", {}).get(-1) == "SHARD_END"
    )
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_at_timestamp_starts_there_and_filters_match_the_decoded_data(lambda_client, lambda_host, recorder):
    import time

    arn = stream(lambda_host)
    put(lambda_host, arn, {"kind": "old"})
    time.sleep(1.1)
    cut = time.time()
    put(lambda_host, arn, {"kind": "skip"}, {"kind": "keep", "n": 1})
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(
        lambda_client, arn, function, StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=cut,
        FilterCriteria={"Filters": [{"Pattern": '{"data": {"kind": ["keep"]}}'}]},
    )  # fmt: skip
    recorder.wait_for(1)
    put(lambda_host, arn, {"kind": "keep", "n": 2})
    wait_until(lambda: len(recorder.calls) >= 2)
    assert [d for c in recorder.calls for d in data(c)] == [{"kind": "keep", "n": 1}, {"kind": "keep", "n": 2}]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_an_on_failure_record_reaches_an_sns_topic(lambda_client, lambda_host, recorder):
    arn = stream(lambda_host)
    sns = aws(lambda_host, "sns")
    topic = sns.create_topic(Name=unique("t"))["TopicArn"]
    url, queue_arn = queue(lambda_host)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    put(lambda_host, arn, {"fail": 1})
    function = reporting_function(lambda_client, lambda_host, recorder, mode="raise")
    uuid = mapping(
        lambda_client, arn, function, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": topic}}
    )
    [message] = messages(lambda_host, url, 1)
    record = json.loads(json.loads(message["Body"])["Message"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    lambda_client.delete_event_source_mapping(UUID=uuid)
