"""SQS queues feeding functions in real containers, against moto's server, as AWS's pollers do it:
records, deletion, visibility-timeout retries, redrive, partial batch responses, filters,
batching windows, FIFO order, throttling and MaximumConcurrency."""

import itertools
import json
import time

import pytest

from tests.integration.esm_support import aws, enabled, messages, queue, queue_empty, reporting_function, wait_until
from tests.integration.recorder import Recorder


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.shutdown()


def mapping(client, arn, function, **params):
    uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, **params)["UUID"]
    enabled(client, uuid)
    return uuid


def bodies(calls):
    return [[r["body"] for r in call["records"]] for call in calls]


def test_a_message_arrives_as_aws_record_and_is_deleted_after_success(lambda_client, lambda_host, recorder):
    url, arn = queue(lambda_host)
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(lambda_client, arn, function)
    aws(lambda_host, "sqs").send_message(
        QueueUrl=url, MessageBody="hello",
        MessageAttributes={"Title": {"DataType": "String", "StringValue": "x"},
                           "Bin": {"DataType": "Binary", "BinaryValue": b"1100"}},
    )  # fmt: skip
    [call] = recorder.wait_for(1)
    [record] = call["records"]
    assert list(record) == [
        "messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfMessageAttributes",
        "md5OfBody", "eventSource", "eventSourceARN", "awsRegion",
    ]  # fmt: skip
    assert record["body"] == "hello" and record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert set(record["attributes"]) == {
        "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
    }  # fmt: skip
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"] == {
        "Title": {"stringValue": "x", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "Bin": {"binaryValue": "MTEwMA==", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
    }
    wait_until(lambda: queue_empty(lambda_host, url))
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_failing_batch_comes_back_after_the_visibility_timeout_then_goes_to_the_dead_letter_queue(
    lambda_client, lambda_host, recorder
):
    dlq_url, dlq_arn = queue(lambda_host)
    url, arn = queue(
        lambda_host,
        VisibilityTimeout=3,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
    )
    function = reporting_function(lambda_client, lambda_host, recorder, mode="raise")
    uuid = mapping(lambda_client, arn, function)
    aws(lambda_host, "sqs").send_message(QueueUrl=url, MessageBody="fail")
    [dead] = messages(lambda_host, dlq_url, 1, timeout=40)
    assert dead["Body"] == "fail"
    calls = recorder.wait_for(2)
    assert len(calls) == 2  # exactly maxReceiveCount invocations
    counts = [c["records"][0]["attributes"]["ApproximateReceiveCount"] for c in calls]
    assert counts == ["1", "2"]
    received = int(calls[0]["records"][0]["attributes"]["ApproximateFirstReceiveTimestamp"]) / 1000
    assert calls[1]["started"] - received >= 2.9  # not made visible before the visibility timeout
    assert calls[0]["records"][0]["messageId"] == dead["MessageId"]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_partial_batch_response_deletes_the_others_and_only_the_failed_come_back(
    lambda_client, lambda_host, recorder
):
    url, arn = queue(lambda_host, VisibilityTimeout=3)
    function = reporting_function(lambda_client, lambda_host, recorder, mode="report")
    uuid = mapping(
        lambda_client, arn, function, FunctionResponseTypes=["ReportBatchItemFailures"], BatchSize=10
    )  # fmt: skip
    sqs = aws(lambda_host, "sqs")
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(["ok1", "fail", "ok2"])]
    )
    calls = wait_until(lambda: [c for c in recorder.calls if "fail" in json.dumps(c["records"])][1:] and recorder.calls)
    first = [b for batch in bodies(calls[:-1]) for b in batch]
    assert sorted(first) == ["fail", "ok1", "ok2"]
    retried = calls[-1]["records"]
    assert [r["body"] for r in retried] == ["fail"] and retried[0]["attributes"]["ApproximateReceiveCount"] == "2"
    lambda_client.delete_event_source_mapping(UUID=uuid)
    sqs.purge_queue(QueueUrl=url)


@pytest.mark.parametrize(
    "answer, deleted",
    [("{}", True), ('{"batchItemFailures": []}', True), ('{"batchItemFailures": [{"foo": "x"}]}', False),
     ('{"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}', False)],
)  # fmt: skip
def test_partial_responses_that_mean_success_or_whole_failure(lambda_client, lambda_host, recorder, answer, deleted):
    url, arn = queue(lambda_host, VisibilityTimeout=30)
    function = reporting_function(lambda_client, lambda_host, recorder, mode="answer", ANSWER=answer)
    uuid = mapping(lambda_client, arn, function, FunctionResponseTypes=["ReportBatchItemFailures"])
    aws(lambda_host, "sqs").send_message(QueueUrl=url, MessageBody="m")
    recorder.wait_for(1)
    if deleted:
        wait_until(lambda: queue_empty(lambda_host, url))
    else:
        time.sleep(1)  # the host had its chance to delete: the message must still be in flight
        attributes = aws(lambda_host, "sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_messages_no_filter_matches_are_deleted_without_an_invocation(lambda_client, lambda_host, recorder):
    url, arn = queue(lambda_host)
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(
        lambda_client, arn, function, FilterCriteria={"Filters": [{"Pattern": '{"body": {"kind": ["order"]}}'}]}
    )
    sqs = aws(lambda_host, "sqs")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "noise"}))
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "order"}))
    wait_until(lambda: queue_empty(lambda_host, url))
    time.sleep(0.5)
    assert [json.loads(b) for batch in bodies(recorder.calls) for b in batch] == [{"kind": "order"}]
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_batching_window_merges_receives_into_one_batch_above_ten(lambda_client, lambda_host, recorder):
    url, arn = queue(lambda_host)
    function = reporting_function(lambda_client, lambda_host, recorder)
    uuid = mapping(lambda_client, arn, function, BatchSize=25, MaximumBatchingWindowInSeconds=2)
    sqs = aws(lambda_host, "sqs")
    for start in (0, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(start + i)} for i in range(10)])
    wait_until(lambda: sum(len(c["records"]) for c in recorder.calls) >= 20)
    assert max(len(c["records"]) for c in recorder.calls) > 10
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_fifo_groups_keep_their_order_with_one_batch_in_flight_each(lambda_client, lambda_host, recorder):
    url, arn = queue(lambda_host, "fifo-order.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    function = reporting_function(lambda_client, lambda_host, recorder, mode="sleep:0.3")
    uuid = mapping(lambda_client, arn, function, BatchSize=1)
    sqs = aws(lambda_host, "sqs")
    for i in range(4):
        for group in ("a", "b"):
            sqs.send_message(QueueUrl=url, MessageBody=f"{group}{i}", MessageGroupId=group)
    calls = recorder.wait_for(8)
    assert len(calls) == 8
    for group in ("a", "b"):
        mine = [c for c in calls if c["records"][0]["body"].startswith(group)]
        assert [c["records"][0]["body"] for c in mine] == [f"{group}{i}" for i in range(4)]
        for before, after in itertools.pairwise(mine):  # never two of one group at once
            assert after["started"] >= before["started"] + 0.3
    a_times = [c["started"] for c in calls if c["records"][0]["body"].startswith("a")]
    b_times = [c["started"] for c in calls if c["records"][0]["body"].startswith("b")]
    assert min(b_times) < max(a_times)  # groups ran side by side
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_throttled_batches_are_retried_without_losing_or_redelivering_and_concurrency_is_capped(
    lambda_client, lambda_host, recorder
):
    url, arn = queue(lambda_host, VisibilityTimeout=60)
    function = reporting_function(lambda_client, lambda_host, recorder, mode="sleep:0.5")
    lambda_client.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=1)
    uuid = mapping(lambda_client, arn, function, BatchSize=1, ScalingConfig={"MaximumConcurrency": 3})
    aws(lambda_host, "sqs").send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(6)]
    )
    calls = recorder.wait_for(6, timeout=60)
    assert sorted(c["records"][0]["body"] for c in calls) == [str(i) for i in range(6)]
    assert {c["records"][0]["attributes"]["ApproximateReceiveCount"] for c in calls} == {"1"}  # never left to reappear
    starts = sorted(c["started"] for c in calls)
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(starts))  # one at a time (reserved 1)
    wait_until(lambda: queue_empty(lambda_host, url))
    lambda_client.delete_event_source_mapping(UUID=uuid)


def overlap(calls, duration):
    """The most invocations that were running at one moment (each lasts ``duration``)."""
    edges = sorted([(c["started"], 1) for c in calls] + [(c["started"] + duration, -1) for c in calls])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def test_pollers_scale_past_five_while_busy_and_maximum_concurrency_caps_them(lambda_client, lambda_host, recorder):
    url, arn = queue(lambda_host, VisibilityTimeout=60)
    function = reporting_function(lambda_client, lambda_host, recorder, mode="sleep:2")
    uuid = mapping(lambda_client, arn, function, BatchSize=1)
    aws(lambda_host, "sqs").send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(10)]
    )
    aws(lambda_host, "sqs").send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(10)]
    )
    calls = recorder.wait_for(20, timeout=60)
    assert overlap(calls, 1.9) > 5  # scaled up from the first five while every poller was busy
    lambda_client.delete_event_source_mapping(UUID=uuid)

    recorder.calls.clear()
    url, arn = queue(lambda_host, VisibilityTimeout=60)
    uuid = mapping(lambda_client, arn, function, BatchSize=1, ScalingConfig={"MaximumConcurrency": 2})
    aws(lambda_host, "sqs").send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(6)]
    )
    calls = recorder.wait_for(6, timeout=60)
    assert overlap(calls, 1.9) == 2
    lambda_client.delete_event_source_mapping(UUID=uuid)


def test_a_mapping_on_an_alias_invokes_the_alias(lambda_client, lambda_host, recorder):
    url, arn = queue(lambda_host)
    function = reporting_function(lambda_client, lambda_host, recorder)
    version = lambda_client.publish_version(FunctionName=function)["Version"]
    lambda_client.create_alias(FunctionName=function, Name="live", FunctionVersion=version)
    uuid = mapping(lambda_client, arn, f"{function}:live")
    aws(lambda_host, "sqs").send_message(QueueUrl=url, MessageBody="x")
    [call] = recorder.wait_for(1)
    assert call["version"] == version
    lambda_client.delete_event_source_mapping(UUID=uuid)
