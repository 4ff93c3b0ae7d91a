"""A stream mapping survives `kill -9` of its host: started again on the same state directory it
resumes from its checkpoint, so completed batches never run again and nothing is skipped (the
batch in flight may run again: at least once, as on AWS). The stream lives on a moto server of
the test's own, named with --aws-endpoint-url, so it outlives the killed host."""

import base64
import collections
import hashlib
import json

import boto3
import docker
import pytest
from botocore.config import Config

from host.environments.docker_backend import bridge_gateway
from host.testing.plugin import DEFAULT_ROLE, make_zip
from tests.integration.aws_endpoint import AwsEndpoint
from tests.integration.esm_support import REPORTING, wait_until
from tests.integration.recorder import Recorder
from tests.integration.test_async_crash import ServedHost

RECORDS, BATCH = 30, 3


@pytest.fixture
def moto():
    endpoint = AwsEndpoint()
    yield endpoint
    endpoint.stop()


def test_a_killed_host_resumes_a_stream_mapping_from_its_checkpoint(tmp_path, moto, monkeypatch):
    import subprocess

    real_popen = subprocess.Popen

    def popen(command, *args, **kwargs):  # lambda-host serve ... --aws-endpoint-url <moto>
        return real_popen([*command, "--aws-endpoint-url", moto.url], *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    recorder = Recorder()
    state = tmp_path / "state"
    state.mkdir()
    host = ServedHost(state)
    try:
        host.start()
        client = boto3.client(
            "lambda", endpoint_url=host.endpoint, region_name="us-east-1", aws_access_key_id="x",
            aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}),
        )  # fmt: skip
        gateway = bridge_gateway(docker.from_env())
        client.create_function(
            FunctionName="crash-reader", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=10,
            Code={"ZipFile": make_zip({"app.py": REPORTING})},
            Environment={"Variables": {"RECORDER": f"http://{gateway}:{recorder.server.server_address[1]}/",
                                       "MODE": "sleep:0.3"}},
        )  # fmt: skip
        client.get_waiter("function_active_v2").wait(FunctionName="crash-reader")
        kinesis = moto.client("kinesis")
        kinesis.create_stream(StreamName="crash", ShardCount=1)
        arn = kinesis.describe_stream_summary(StreamName="crash")["StreamDescriptionSummary"]["StreamARN"]
        for i in range(RECORDS):
            kinesis.put_record(StreamARN=arn, PartitionKey="k", Data=json.dumps({"i": i}).encode())
        client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="crash-reader", StartingPosition="TRIM_HORIZON", BatchSize=BATCH
        )
        wait_until(lambda: len(recorder.calls) >= 3, timeout=60)
        host.kill()
        done_before = len(recorder.calls)
        host.start()
        wait_until(lambda: {d for c in recorder.calls for d in _numbers(c)} >= set(range(RECORDS)), timeout=90)
        seen = collections.Counter(d for c in recorder.calls for d in _numbers(c))
        repeated = [i for i, n in seen.items() if n > 1]
        assert len(repeated) <= BATCH, (repeated, done_before)  # at most the batch in flight ran again
        order = [d for c in recorder.calls for d in _numbers(c)]
        assert sorted(set(order)) == list(range(RECORDS))
    finally:
        host.stop()
        recorder.server.shutdown()
        from host.environments.docker_backend import DockerBackend

        owner = hashlib.sha256(str(state.resolve()).encode()).hexdigest()[:16]
        DockerBackend().remove_labelled({"lambda-host.owner": owner})


def _numbers(call):
    return [json.loads(base64.b64decode(r["kinesis"]["data"]))["i"] for r in call["records"]]
