"""Faults the host survives: each caller gets a prompt, AWS-shaped answer and the host keeps serving."""

import base64
import json
import os
import signal
import subprocess
import time

import docker
import pytest

from host.testing.plugin import make_zip

FAST = "def handler(event, context):\n    return 'fine'\n"
SLEEPER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'done'\n"


def payload(response):
    return json.loads(response["Payload"].read())


def test_a_container_killed_from_outside_mid_invocation_fails_that_call_only(
    lambda_host, lambda_client, create_function
):
    import concurrent.futures

    name = create_function({"app.py": SLEEPER}, Timeout=30)
    assert payload(lambda_client.invoke(FunctionName=name)) == "done"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        running = pool.submit(lambda_client.invoke, FunctionName=name, Payload=b'{"sleep": 20}')
        time.sleep(1.5)
        busy = [
            env.container.name
            for env in lambda_host.scheduler.environments()
            if env.function is not None and env.function.name == name and env.state.value == "Invoking"
        ]
        assert len(busy) == 1
        docker.from_env().containers.get(busy[0]).kill()  # as `docker kill` would, behind the host's back
        response = running.result(timeout=60)
        elapsed = time.monotonic() - started
    assert response.get("FunctionError") == "Unhandled"
    assert payload(response)["errorType"] in ("Runtime.ExitError", "Sandbox.Failure")
    assert elapsed < 15  # prompt: not the function's 30 s timeout
    assert payload(lambda_client.invoke(FunctionName=name)) == "done"


def test_a_runtime_that_never_asks_for_work_ends_in_an_init_error_not_a_hang(lambda_client, create_function):
    bootstrap = "#!/bin/sh\nexec sleep 600\n"
    name = create_function({"bootstrap": bootstrap}, runtime="provided.al2023", handler="x", Timeout=3)
    started = time.monotonic()
    response = lambda_client.invoke(FunctionName=name)
    assert time.monotonic() - started < 30
    assert response.get("FunctionError") == "Unhandled"
    assert payload(response)["errorType"].startswith(("Runtime.", "Sandbox."))


def test_a_function_writing_100_mb_to_stdout_is_answered_and_its_tail_is_4_kb(lambda_client, create_function):
    code = (
        "import sys\n"
        "def handler(event, context):\n"
        "    line = 'x' * 1023 + '\\n'\n"
        "    for _ in range(100 * 1024):\n"
        "        sys.stdout.write(line)\n"
        "    sys.stdout.flush()\n"
        "    return 'written'\n"
    )
    name = create_function({"app.py": code}, Timeout=120, MemorySize=512)
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    assert payload(response) == "written"
    assert len(base64.b64decode(response["LogResult"])) <= 4096
    assert payload(lambda_client.invoke(FunctionName=name, Payload=b"{}")) == "written"


def test_a_response_that_never_ends_times_out_as_the_function(lambda_client, create_function):
    code = (
        "import os, socket, time\n"
        "def handler(event, context):\n"
        "    host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')\n"
        "    s = socket.create_connection((host, int(port)))\n"
        "    path = f'/2018-06-01/runtime/invocation/{context.aws_request_id}/response'\n"
        "    s.sendall(f'POST {path} HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000000\\r\\n\\r\\n'.encode() + b'{')\n"
        "    time.sleep(60)\n"
    )
    name = create_function({"app.py": code}, Timeout=3)
    started = time.monotonic()
    response = lambda_client.invoke(FunctionName=name)
    assert time.monotonic() - started < 15
    assert response.get("FunctionError") == "Unhandled"
    assert payload(response)["errorType"] == "Sandbox.Timedout"
    fast = make_zip({"app.py": FAST})
    lambda_client.update_function_code(FunctionName=name, ZipFile=fast)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert payload(lambda_client.invoke(FunctionName=name)) == "fine"


RESTART = os.environ.get("LAMBDA_HOST_DOCKER_RESTART_TEST") == "1"


def _restart_docker() -> None:
    pid = int(subprocess.check_output(["pgrep", "-x", "dockerd"]).split()[0])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "dockerd did not stop"
        time.sleep(0.2)
    subprocess.Popen("dockerd >/tmp/dockerd.log 2>&1 &", shell=True)
    while subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        assert time.monotonic() < deadline + 60, "dockerd did not come back"
        time.sleep(0.3)


@pytest.mark.skipif(not RESTART, reason="restarts the machine's Docker daemon: LAMBDA_HOST_DOCKER_RESTART_TEST=1")
def test_the_host_keeps_serving_across_a_docker_daemon_restart(lambda_host_factory):
    from host.testing.plugin import DEFAULT_ROLE, client_for

    host = lambda_host_factory()
    client = client_for(host)
    client.create_function(
        FunctionName="survivor", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": FAST})},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="survivor")
    assert payload(client.invoke(FunctionName="survivor")) == "fine"
    _restart_docker()
    answers = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        started = time.monotonic()
        response = client.invoke(FunctionName="survivor")
        answers.append((time.monotonic() - started, response.get("FunctionError"), payload(response)))
        if answers[-1][2] == "fine":
            break
    assert answers[-1][2] == "fine", answers
    assert all(seconds < 30 for seconds, _, _ in answers), answers  # prompt, even while it recovers
    assert all(error is None or body["errorType"] == "Sandbox.Failure" for _, error, body in answers[:-1]), answers
