"""The lambda-host command: serve (as `make serve` runs it), one-shot invoke, images."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import docker
import pytest
from botocore.config import Config

from tests.integration.served import owner_label

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "sample_functions" / "template.yaml"
COMMAND = [sys.executable, "-m", "host.cli.main"]


def run(*args, **kwargs):
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=300, cwd=ROOT, **kwargs)


def test_one_shot_invoke_prints_the_payload_and_the_log_tail(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"name": "cli"}))
    done = run(
        "invoke",
        "greeter",
        "--event",
        str(event),
        "--template",
        str(TEMPLATE),
        "--state-dir",
        str(tmp_path),
        "--port",
        "0",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"message": "Hello, cli! (from a layer)"}
    assert re.search(r"START RequestId: \S+ Version: \$LATEST", done.stderr)
    assert "REPORT RequestId:" in done.stderr


def test_one_shot_invoke_exits_non_zero_on_a_function_error(tmp_path):
    done = run("invoke", "raises", "--template", str(TEMPLATE), "--state-dir", str(tmp_path), "--port", "0")
    assert done.returncode == 1
    assert json.loads(done.stdout)["errorType"] == "PaymentDeclined"


def test_one_shot_invoke_with_stream_prints_the_chunks_then_the_error_and_log_tail(tmp_path):
    done = run("invoke", "raises", "--stream", "--template", str(TEMPLATE), "--state-dir", str(tmp_path), "--port", "0")
    assert done.returncode == 1
    assert done.stdout.strip() == ""  # a failed buffered function streams no chunk
    assert "PaymentDeclined: " in done.stderr
    assert "REPORT RequestId:" in done.stderr


def test_images_list_shows_every_runtime():
    done = run("images", "list")
    assert done.returncode == 0, done.stderr
    for runtime in ("python3.11", "python3.13", "nodejs18.x", "nodejs20.x", "provided.al2023"):
        assert re.search(
            rf"^{re.escape(runtime)}\s+lambda-host/{re.escape(runtime)}:\w+\s+(built|missing)", done.stdout, re.M
        )


def own_containers(state_dir):
    """The containers of the host serving ``state_dir`` (other hosts on this machine are not its business)."""
    label = f"lambda-host.owner={owner_label(state_dir)}"
    return [c.name for c in docker.from_env().containers.list(all=True, filters={"label": label})]


@pytest.fixture
def served(tmp_path):
    """`lambda-host serve` with the sample template, as `make serve` starts it (on a free port)."""
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0", "--template", str(TEMPLATE), "--state-dir", str(tmp_path), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    endpoint = None
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # up to the boto3 example, the last line it prints
        line = process.stdout.readline()
        lines.append(line)
        match = re.search(r"serving the Lambda API on (http://\S+)", line)
        if match:
            endpoint = match.group(1)
        if "boto3.client(" in line or process.poll() is not None:
            break
    try:
        assert endpoint, "".join(lines)
        yield process, endpoint, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def test_serve_deploys_the_samples_and_sigterm_removes_every_container(served, tmp_path):
    process, endpoint, lines = served
    client = boto3.client(
        "lambda", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip
    names = {f["FunctionName"] for f in client.list_functions()["Functions"]}
    assert {"echo", "greeter", "node-hello", "shell-echo", "raises", "sleeper"} <= names
    assert any("aws lambda invoke --endpoint-url" in line for line in lines)
    assert f"Console: {endpoint}/\n" in lines  # the banner links the console
    answer = json.loads(client.invoke(FunctionName="node-hello", Payload=b'{"name": "serve"}')["Payload"].read())
    assert json.loads(answer["body"])["hello"] == "serve"
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    assert own_containers(tmp_path) == []


def test_the_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make serve" in readme and "make test" in readme
    assert os.path.exists(ROOT / ".ci" / "run")


SLOW = "import time\ndef handler(e, c):\n    time.sleep(3)\n    return 'finished'\n"


def test_sigterm_lets_a_running_invocation_finish_before_removing_containers(served, tmp_path):
    import concurrent.futures

    from host.testing.plugin import DEFAULT_ROLE, make_zip

    process, endpoint, _ = served
    client = boto3.client(
        "lambda", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=60),
    )  # fmt: skip
    client.create_function(
        FunctionName="drained", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=10,
        Code={"ZipFile": make_zip({"app.py": SLOW})},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="drained", WaiterConfig={"Delay": 0.2})
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(lambda: client.invoke(FunctionName="drained")["Payload"].read())
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        assert json.loads(running.result(timeout=30)) == "finished"
    assert process.wait(60) == 0
    assert own_containers(tmp_path) == []
