"""`make bench` rows for event source mappings (called by tests/bench.py).

- SendMessage to the function's start, window 0: p50 and p99 over sequential messages
  (the function stamps its start; the same clock: containers share the host's);
- messages/s through an SQS mapping, BatchSize 10, no-op function, 5,000 queued first;
- records/s through a Kinesis mapping (one shard, BatchSize 100), 5,000 put first;
- the host's own CPU per batch while it drains the queue: the process's CPU less the
  embedded moto server's threads (``lambda-host-moto*``), over the batches invoked.

The backing service is the embedded moto server in the same process: its own CPU (about
3-5 ms a ReceiveMessage or DeleteMessageBatch) bounds the messages/s and records/s rows.
"""

from __future__ import annotations

import json
import os
import threading
import time

import boto3

from host.testing.plugin import DEFAULT_ROLE, make_zip
from tests.integration.recorder import Recorder

STAMP = """
import json, os, time, urllib.request
def handler(event, context):
    started = time.time()
    if os.environ.get("RECORDER"):
        body = json.dumps({"started": started, "bodies": [r["body"] for r in event["Records"]]}).encode()
        urllib.request.urlopen(urllib.request.Request(os.environ["RECORDER"], body, method="POST"))
    return {}
"""


def _clients(host):
    def client(service):
        return boto3.client(
            service, endpoint_url=host.endpoint, region_name="us-east-1", aws_access_key_id="x",
            aws_secret_access_key="x",
        )  # fmt: skip

    return client


def _function(lam, name, **variables):
    lam.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=10,
        Code={"ZipFile": make_zip({"app.py": STAMP})}, Environment={"Variables": variables},
    )  # fmt: skip
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.5})


def _enabled(lam, uuid):
    while lam.get_event_source_mapping(UUID=uuid)["State"] != "Enabled":
        time.sleep(0.05)


def _moto_cpu() -> float:
    """CPU seconds of the embedded moto server's threads (from /proc, per thread)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for thread in threading.enumerate():
        if thread.name.startswith("lambda-host-moto") and thread.native_id:
            try:
                with open(f"/proc/self/task/{thread.native_id}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _drained(sqs, url) -> bool:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def rows(host, lam, percentile, samples: int = 200, messages: int = 5000) -> list[tuple[str, str]]:
    client = _clients(host)
    sqs, kinesis = client("sqs"), client("kinesis")
    found: list[tuple[str, str]] = []

    # Latency: one message at a time, window 0.
    recorder = Recorder()
    try:
        _function(lam, "esm-latency", RECORDER=recorder.url(host))
        url = sqs.create_queue(QueueName="bench-latency")["QueueUrl"]
        arn = "arn:aws:sqs:us-east-1:123456789012:bench-latency"
        _enabled(lam, lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-latency")["UUID"])
        latencies = []
        for i in range(samples + 5):
            sent = time.time()
            sqs.send_message(QueueUrl=url, MessageBody=str(i))
            while len(recorder.calls) <= i:
                time.sleep(0.0005)
            if i >= 5:  # the first ones warm the function
                latencies.append((recorder.calls[i]["started"] - sent) * 1000)
        found.append(("SQS SendMessage to function start, window 0, p50", f"{percentile(latencies, 0.5):.1f} ms"))
        found.append(("SQS SendMessage to function start, window 0, p99", f"{percentile(latencies, 0.99):.1f} ms"))
    finally:
        recorder.server.shutdown()

    # Throughput and the host's CPU per batch. moto's ReceiveMessage costs time in proportion to the
    # queue's depth (it scans every message), so messages go in rounds of 200, each drained before the next.
    _function(lam, "esm-noop")
    url = sqs.create_queue(QueueName="bench-throughput")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:123456789012:bench-throughput"
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-noop", BatchSize=10)["UUID"]
    _enabled(lam, uuid)
    cpu, moto, mine, started = time.process_time(), _moto_cpu(), time.thread_time(), time.perf_counter()
    for round_start in range(0, messages, 200):
        for start in range(round_start, round_start + 200, 10):
            sqs.send_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": json.dumps({"n": start + i})} for i in range(10)]
            )
        while not _drained(sqs, url):
            time.sleep(0.01)
    elapsed = time.perf_counter() - started
    host_cpu = (time.process_time() - cpu) - (_moto_cpu() - moto) - (time.thread_time() - mine)
    found.append(("SQS messages/s, BatchSize 10, no-op function (rounds of 200)", f"{messages / elapsed:.0f}"))
    batches, poller_cpu = host.event_sources.counters(uuid)
    found.append((f"SQS batches invoked (mean size {messages / max(1, batches):.1f})", str(batches)))
    found.append(("pollers' CPU per SQS batch (receive, invoke, delete)", f"{poller_cpu / batches * 1000:.2f} ms"))
    per_batch = host_cpu / batches * 1000
    found.append(("host CPU per SQS batch, all threads (less moto's and the sender's)", f"{per_batch:.2f} ms"))

    # Kinesis: one shard, records put first, read from the horizon.
    kinesis.create_stream(StreamName="bench", ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName="bench")["StreamDescriptionSummary"]["StreamARN"]
    last = None
    for start in range(0, messages, 500):
        answer = kinesis.put_records(
            StreamARN=stream, Records=[{"Data": b"{}", "PartitionKey": str(start + i)} for i in range(500)]
        )
        last = answer["Records"][-1]["SequenceNumber"]
    started = time.perf_counter()
    uuid = lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="esm-noop", StartingPosition="TRIM_HORIZON", BatchSize=100
    )["UUID"]
    store = host.event_sources.store
    while store.checkpoints(uuid).get("shardId-000000000000", {}).get(-1) != last:
        time.sleep(0.05)
    found.append(("Kinesis records/s, one shard, BatchSize 100", f"{messages / (time.perf_counter() - started):.0f}"))
    for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:  # idle pollers off for later rows
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    return found
