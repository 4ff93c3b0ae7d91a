"""A whole host on the Swarm backend: functions invoked through environments on the cluster's nodes."""

from __future__ import annotations

import json
import secrets
import time

import pytest

from host.environments.swarm_backend import SwarmBackend
from host.testing.plugin import _start_host, client_for, make_zip
from host.testing.swarm_cluster import NETWORK, SwarmCluster

pytestmark = pytest.mark.timeout(600)

HANDLER = """
import os, socket
def handler(event, context):
    with open("/tmp/probe", "w") as f:
        f.write("x")
    return {"echo": event, "hostname": socket.gethostname(), "memory": context.memory_limit_in_mb,
            "task_root": os.environ.get("LAMBDA_TASK_ROOT"), "limit": limit()}

def limit():
    for path in ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max"):
        if os.path.exists(path):
            return int(open(path).read()) // 2**20

"""


@pytest.fixture(scope="module")
def swarm_host(swarm_cluster: SwarmCluster, tmp_path_factory):
    backend = SwarmBackend(
        swarm_cluster.manager.client(),
        swarm_cluster.host_address,
        network=NETWORK,
        shared_files=True,
        node_engines={node.address: node.client() for node in swarm_cluster.nodes},
    )
    run_id = secrets.token_hex(6)
    host = _start_host(
        tmp_path_factory.mktemp("swarm-host"),
        run_id,
        backend=backend,
        container_host=swarm_cluster.host_address,
        prewarm=3,
    )
    try:
        yield host, backend
    finally:
        host.stop_thread()
        backend.remove_labelled({"lambda-host.test-run": run_id})


def test_a_python_function_runs_on_the_cluster_and_answers(swarm_cluster, swarm_host):
    host, _backend = swarm_host
    client = client_for(host)
    name = f"swarm-{secrets.token_hex(4)}"
    client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role="arn:aws:iam::123456789012:role/lambda-host-test",
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER})},
        MemorySize=256,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    started = time.monotonic()
    first = client.invoke(FunctionName=name, Payload=b'{"n": 1}')
    cold = time.monotonic() - started
    body = json.loads(first["Payload"].read())
    assert "FunctionError" not in first, body
    assert body == {"echo": {"n": 1}, "hostname": "sandbox", "memory": "256", "task_root": "/var/task", "limit": 256}
    warm = []
    for n in range(20):
        started = time.monotonic()
        answer = client.invoke(FunctionName=name, Payload=json.dumps({"n": n}).encode())
        warm.append(time.monotonic() - started)
        assert json.loads(answer["Payload"].read())["echo"] == {"n": n}
    warm.sort()
    print(f"first invoke {cold * 1000:.0f} ms, warm p50 {warm[len(warm) // 2] * 1000:.1f} ms")
    services = swarm_cluster.manager.client().api.services(filters={"label": "lambda-host.test-run"})
    assert services, "the environments are Swarm services"
    client.delete_function(FunctionName=name)
