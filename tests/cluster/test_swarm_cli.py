"""``lambda-host images copy --to`` and ``lambda-host serve --engine swarm`` on the test cluster."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from host.testing.plugin import DEFAULT_ROLE, make_zip
from host.testing.swarm_cluster import NETWORK, SwarmCluster

pytestmark = pytest.mark.timeout(600)
LAMBDA_HOST = [sys.executable, "-m", "host.cli.main"]


def test_images_copy_loads_a_runtime_image_into_a_node(swarm_cluster: SwarmCluster):
    node = swarm_cluster.nodes[2]
    done = subprocess.run(
        [*LAMBDA_HOST, "images", "copy", "--runtime", "python3.13", "--to", node.url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "copied 1 image(s) to 1 engine(s)" in done.stdout
    tags = [tag for image in node.client().images.list() for tag in image.tags]
    assert any(tag.startswith("lambda-host/python3.13:") for tag in tags), tags


def test_serve_on_the_swarm_invokes_and_leaves_no_service_after_sigterm(swarm_cluster: SwarmCluster, tmp_path: Path):
    import boto3
    from botocore.config import Config

    argv = [
        *LAMBDA_HOST,
        "serve",
        "--port", "0",
        "--state-dir", str(tmp_path / "state"),
        "--engine", "swarm",
        "--swarm-manager", swarm_cluster.manager.url,
        "--cluster-address", swarm_cluster.host_address,
        "--swarm-network", NETWORK,
        "--swarm-shared-files",
        "--shutdown-grace", "2",
    ]  # fmt: skip
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    try:
        endpoint = None
        seen = []
        deadline = time.monotonic() + 120
        while endpoint is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line or server.poll() is None, "".join(seen)
            seen.append(line)
            found = re.search(r"serving the Lambda API on (http://\S+)", line)
            endpoint = found.group(1) if found else None
        assert endpoint, "".join(seen)
        client = boto3.client(
            "lambda",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1}),
        )
        name = f"cli-{secrets.token_hex(4)}"
        code = make_zip({"app.py": "def handler(event, context):\n    return {'pong': event}\n"})
        client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Code={"ZipFile": code}
        )
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        answer = client.invoke(FunctionName=name, Payload=b'"ping"')
        assert json.loads(answer["Payload"].read()) == {"pong": "ping"}
        manager = swarm_cluster.manager.client()
        assert manager.api.services(filters={"label": "lambda-host"}), "its environments are Swarm services"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
    assert server.returncode == 0, server.stdout.read()
    assert swarm_cluster.manager.client().api.services(filters={"label": "lambda-host"}) == []
