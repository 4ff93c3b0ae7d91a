"""No accepted Event invocation is lost when the host is killed (SIGKILL) while they run.

2,000 events are accepted by a served host (``lambda-host serve`` in its own process),
the host is killed twice mid-drain and started again on the same state directory, and
every one of the 2,000 request ids must reach the success destination at least once.
Duplicates are allowed: at least once, as on AWS. The destination is a second function
that reports each record it gets to this test over HTTP (moto's SQS takes about a second
per call once it holds a few thousand messages, too slow to read 2,000 back).
"""

import concurrent.futures
import os
import time

import boto3
import docker
import pytest
from botocore.config import Config

from host.environments.docker_backend import bridge_gateway
from host.testing.plugin import DEFAULT_ROLE, make_zip
from tests.integration.recorder import Recorder
from tests.integration.served import ServedHost, owner_label

EVENTS = 2000
SLOW_ECHO = "import time\ndef handler(event, context):\n    time.sleep(0.03)\n    return event\n"
REPORT = (
    "import json, os, urllib.request\n"
    "def handler(event, context):\n"
    "    body = json.dumps(event['requestContext']).encode()\n"
    "    urllib.request.urlopen(os.environ['RECORDER'], data=body, timeout=10)\n"
)


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.shutdown()


@pytest.fixture
def served(tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    host = ServedHost(state_dir, "--async-time-scale", "0.002")
    try:
        yield host
    finally:
        host.close()
        from host.environments.docker_backend import DockerBackend

        DockerBackend().remove_labelled({"lambda-host.owner": owner_label(state_dir)})  # whatever a killed run left


def test_no_accepted_event_is_lost_when_the_host_is_killed_twice(served, recorder):
    served.start()
    client = boto3.client(
        "lambda", endpoint_url=served.endpoint, region_name="us-east-1", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}, max_pool_connections=8),
    )  # fmt: skip
    gateway = bridge_gateway(docker.from_env())
    client.create_function(
        FunctionName="crash-destination", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": REPORT})},
        Environment={"Variables": {"RECORDER": f"http://{gateway}:{recorder.server.server_address[1]}/"}},
    )  # fmt: skip
    client.create_function(
        FunctionName="crash-echo", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": SLOW_ECHO})},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="crash-echo")
    client.get_waiter("function_active_v2").wait(FunctionName="crash-destination")
    destination = "arn:aws:lambda:us-east-1:123456789012:function:crash-destination"
    client.put_function_event_invoke_config(
        FunctionName="crash-echo", DestinationConfig={"OnSuccess": {"Destination": destination}}
    )

    def send(n: int) -> str:
        answer = client.invoke(FunctionName="crash-echo", InvocationType="Event", Payload=f'{{"n": {n}}}'.encode())
        assert answer["StatusCode"] == 202
        return answer["ResponseMetadata"]["RequestId"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        accepted = set(pool.map(send, range(EVENTS)))
    assert len(accepted) == EVENTS

    time.sleep(1.0)
    orphans = served.containers()
    served.kill()
    left_first = served.queued()
    assert orphans and set(orphans) <= set(served.containers())  # a SIGKILLed host leaves its containers...
    served.start()
    assert not set(orphans) & set(served.containers())  # ...which the next start removes
    assert served.mounts_before_kill and not set(served.mounts_before_kill) & set(served.mounts())  # /tmp mounts too
    time.sleep(1.0)
    served.kill()
    left_second = served.queued()
    served.start()
    assert left_first > 0 and left_second > 0, "the kills came after the queue had drained: nothing was tested"

    deadline = time.monotonic() + 240
    delivered: set[str] = set()
    while not accepted <= delivered and time.monotonic() < deadline:
        time.sleep(0.5)
        delivered = {call["requestId"] for call in list(recorder.calls)}
    assert {call["condition"] for call in list(recorder.calls)} == {"Success"}
    missing = accepted - delivered
    assert not missing, f"{len(missing)} accepted events never reached their destination"
    assert os.path.exists(served.state_dir / "lambda-host.db")
