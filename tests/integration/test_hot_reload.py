"""Hot reload: a function running a local folder follows edits to it, without a restart."""

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from host.testing.plugin import DEFAULT_ROLE

SOURCE = (
    "import time\n"
    "MARK = {mark!r}\n"
    "COUNT = 0\n"
    "def handler(event, context):\n"
    "    global COUNT\n"
    "    COUNT += 1\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    return {{'mark': MARK, 'count': COUNT}}\n"
)


def write(folder, mark: str) -> None:
    path = folder / "app.py"
    path.write_text(SOURCE.format(mark=mark))
    os.utime(path)  # a new modification time even within the file system's timestamp granularity


def invoke(client, name, event=None) -> dict:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event or {}))
    assert "FunctionError" not in response
    return json.loads(response["Payload"].read())


@pytest.fixture
def local_function(lambda_client, tmp_path):
    folder = tmp_path / "code"
    folder.mkdir()
    write(folder, "one")
    name = f"hot-{uuid.uuid4().hex[:8]}"
    lambda_client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=30,
        Code={"S3Bucket": "hot-reload", "S3Key": str(folder)},
    )  # fmt: skip
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    yield name, folder
    lambda_client.delete_function(FunctionName=name)


def test_an_edit_is_seen_by_the_next_invoke_within_a_second(lambda_client, local_function):
    name, folder = local_function
    assert invoke(lambda_client, name) == {"mark": "one", "count": 1}
    assert invoke(lambda_client, name) == {"mark": "one", "count": 2}  # warm
    before = lambda_client.get_function(FunctionName=name)["Configuration"]
    write(folder, "two")
    time.sleep(1.0)
    assert invoke(lambda_client, name) == {"mark": "two", "count": 1}  # a fresh environment, new code
    after = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert after["CodeSha256"] != before["CodeSha256"] and after["RevisionId"] != before["RevisionId"]
    (folder / "helper.py").write_text("X = 1\n")  # a new file counts too
    time.sleep(1.0)
    assert invoke(lambda_client, name)["count"] == 1


def test_a_busy_environment_finishes_its_invocation_then_retires(lambda_client, lambda_host, local_function):
    name, folder = local_function
    invoke(lambda_client, name)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(invoke, lambda_client, name, {"sleep": 2})
        time.sleep(0.5)  # the invocation runs the old code now
        write(folder, "two")
        time.sleep(1.0)
        assert invoke(lambda_client, name) == {"mark": "two", "count": 1}
        assert slow.result() == {"mark": "one", "count": 2}  # not cut short
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        marks = [
            env.function.code.sha256 for env in lambda_host.scheduler.environments()
            if env.function is not None and env.function.name == name
        ]  # fmt: skip
        if len(marks) == 1:
            break
        time.sleep(0.1)
    assert len(marks) == 1  # the old environment is gone once its invocation ended


def test_published_versions_keep_their_code(lambda_client, local_function):
    name, folder = local_function
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"
    write(folder, "two")
    time.sleep(1.0)
    assert invoke(lambda_client, name)["mark"] == "two"
    assert invoke(lambda_client, f"{name}:1")["mark"] == "one"
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "2"
