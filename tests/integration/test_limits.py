"""Limits the host enforces as Lambda does: timeout, memory, runtime exits, response size."""

import base64
import json
import time

STATEFUL = (
    "import json, os, time\n"
    "counter = 0\n"
    "def handler(event, context):\n"
    "    global counter\n"
    "    counter += 1\n"
    "    if event.get('write'):\n"
    "        open('/tmp/kept.txt', 'w').write(event['write'])\n"
    "    if event.get('sleep'):\n"
    "        time.sleep(event['sleep'])\n"
    "    if event.get('allocate_mb'):\n"
    "        hog = [bytearray(1024 * 1024) for _ in range(event['allocate_mb'])]\n"
    "    if 'exit' in event:\n"
    "        os._exit(event['exit'])\n"
    "    if event.get('respond_mb'):\n"
    "        return 'x' * int(event['respond_mb'] * 1024 * 1024)\n"
    "    kept = open('/tmp/kept.txt').read() if os.path.exists('/tmp/kept.txt') else None\n"
    "    return {'counter': counter, 'kept': kept}\n"
)


def call(client, name, event, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_a_timeout_answers_sandbox_timedout_promptly_and_resets_the_runtime(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL}, Timeout=1)
    _, first = call(lambda_client, name, {"write": "survives"})
    assert first == {"counter": 1, "kept": "survives"}
    started = time.monotonic()
    response, body = call(lambda_client, name, {"sleep": 5}, LogType="Tail")
    elapsed = time.monotonic() - started
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    assert 1.0 <= elapsed < 1.5
    report = base64.b64decode(response["LogResult"]).decode().splitlines()[-1]
    assert report.endswith("\tStatus: timeout")
    # The next invoke works: in-memory state is gone, /tmp is kept, as on AWS.
    _, after = call(lambda_client, name, {})
    assert after == {"counter": 1, "kept": "survives"}


def test_allocating_past_memory_size_is_killed_and_reported_as_runtime_exit_error(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL}, MemorySize=128, Timeout=30)
    response, body = call(lambda_client, name, {"allocate_mb": 400}, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
    }
    log = base64.b64decode(response["LogResult"]).decode()
    assert "Status: error\tError Type: Runtime.OutOfMemory" in log
    _, after = call(lambda_client, name, {})
    assert after["counter"] == 1


def test_a_runtime_that_exits_cleanly_mid_invoke_is_runtime_exit_error(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL})
    response, body = call(lambda_client, name, {"exit": 0})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited without providing a reason",
    }
    _, after = call(lambda_client, name, {})
    assert after["counter"] == 1


def test_a_runtime_that_exits_with_a_status_reports_it(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL})
    response, body = call(lambda_client, name, {"exit": 3})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 3",
    }


def test_a_response_over_6_mb_is_function_response_size_too_large(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL}, MemorySize=512)
    response, body = call(lambda_client, name, {"respond_mb": 7})
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    _, after = call(lambda_client, name, {})
    assert after["counter"] == 2


def test_a_response_just_under_the_limit_is_returned(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL}, MemorySize=512)
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"respond_mb": 5.9}))
    assert "FunctionError" not in response
    assert len(response["Payload"].read()) == int(5.9 * 1024 * 1024) + 2


def test_a_response_far_over_the_limit_ends_the_invocation_once(lambda_client, create_function):
    name = create_function({"app.py": STATEFUL}, MemorySize=512, Timeout=10)
    _, body = call(lambda_client, name, {"respond_mb": 9})
    assert body["errorType"] == "Function.ResponseSizeTooLarge"
    _, after = call(lambda_client, name, {})
    assert after["counter"] == 2  # the handler ran once for the oversized invocation, not again and again
