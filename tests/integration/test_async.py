"""Event invocations: accepted with 202, stored first, run on the same pools, retried after errors."""

import time

import pytest

from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip
from tests.integration.recorder import Recorder

REPORTER = (
    "import json, os, time, urllib.request\n"
    "def handler(event, context):\n"
    "    body = json.dumps({'request_id': context.aws_request_id, 'event': event}).encode()\n"
    "    urllib.request.urlopen(os.environ['RECORDER'], data=body, timeout=5)\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    if event.get('fail'):\n"
    "        raise RuntimeError('failing on purpose')\n"
    "    return 'ok'\n"
)


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.shutdown()


def reporter(client, host, recorder, name="reporter"):
    client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=30,
        Code={"ZipFile": make_zip({"app.py": REPORTER})},
        Environment={"Variables": {"RECORDER": recorder.url(host)}},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def test_an_event_invocation_runs_with_the_request_id_of_its_202(lambda_host_factory, recorder):
    host = lambda_host_factory()
    client = client_for(host)
    name = reporter(client, host, recorder)
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 202
    calls = recorder.wait_for(1)
    assert calls == [{"request_id": response["ResponseMetadata"]["RequestId"], "event": {"n": 1}}]


def test_a_failing_event_runs_three_times_with_the_same_request_id(lambda_host_factory, recorder):
    host = lambda_host_factory()
    client = client_for(host)
    name = reporter(client, host, recorder)
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    calls = recorder.wait_for(3)
    time.sleep(1)  # no fourth attempt follows
    assert len(recorder.calls) == 3
    assert {c["request_id"] for c in calls} == {response["ResponseMetadata"]["RequestId"]}


def test_an_accepted_event_survives_the_host_stopping_and_runs_after_restart(tmp_path, lambda_host_factory, recorder):
    first = lambda_host_factory(state_dir=tmp_path)
    client = client_for(first)
    name = reporter(client, first, recorder)
    response = client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"sleep": 5}')
    recorder.wait_for(1)  # running now; the host goes away before it finishes
    first.stop_thread()
    second = lambda_host_factory(state_dir=tmp_path)
    assert second.port != 0
    calls = recorder.wait_for(2)
    assert [c["request_id"] for c in calls] == [response["ResponseMetadata"]["RequestId"]] * 2
