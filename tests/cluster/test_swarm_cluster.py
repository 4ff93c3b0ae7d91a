"""The test cluster itself: three nodes that schedule, reach the host and survive a cut link."""

from __future__ import annotations

import contextlib
import queue
import secrets
import time
from collections.abc import Iterator

import docker
import pytest
from docker.types import RestartPolicy, ServiceMode

from host.testing.swarm_cluster import NETWORK, SwarmCluster

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def services(swarm_cluster: SwarmCluster) -> Iterator[list]:
    """Services a test creates; removed after it."""
    made: list = []
    yield made
    for service in made:
        with contextlib.suppress(docker.errors.NotFound):
            service.remove()


def create(swarm_cluster: SwarmCluster, services: list, command: list[str], replicas: int = 1, node=None):
    client = swarm_cluster.manager.client()
    service = client.services.create(
        swarm_cluster.images[0],
        command=command,
        name=f"probe-{secrets.token_hex(4)}",
        mode=ServiceMode("replicated", replicas=replicas),
        restart_policy=RestartPolicy(condition="none"),
        networks=[NETWORK],
        constraints=[f"node.hostname=={node.hostname}"] if node is not None else None,
    )
    services.append(service)
    return service


def running_tasks(service, count: int, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = [t for t in service.tasks() if t["Status"]["State"] == "running"]
        if len(tasks) >= count:
            return tasks
        failed = [t["Status"].get("Err") for t in service.tasks() if t["Status"]["State"] in ("failed", "rejected")]
        assert not failed, failed
        time.sleep(0.2)
    raise AssertionError(f"{service.name}: not {count} running tasks within {timeout} s: {service.tasks()}")


DIAL_BACK = (
    "import socket, sys; "
    "socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10).sendall(sys.argv[3].encode() + b'\\n')"
)


def dial_back(server, word: str) -> list[str]:
    return ["/usr/bin/python3", "-c", DIAL_BACK, server.address, str(server.port), word]


def test_the_cluster_has_three_ready_managers(swarm_cluster):
    nodes = swarm_cluster.manager.client().nodes.list()
    assert sorted(n.attrs["Description"]["Hostname"] for n in nodes) == [n.hostname for n in swarm_cluster.nodes]
    assert all(n.attrs["Status"]["State"] == "ready" for n in nodes)
    assert all(n.attrs["Spec"]["Role"] == "manager" for n in nodes)


def test_three_replicas_spread_over_the_three_nodes(swarm_cluster, services):
    service = create(swarm_cluster, services, ["sleep", "300"], replicas=3)
    tasks = running_tasks(service, 3)
    assert len({t["NodeID"] for t in tasks}) == 3


def test_a_task_on_node_3_reaches_a_server_on_the_host(swarm_cluster, services, line_server):
    node = swarm_cluster.nodes[2]
    create(swarm_cluster, services, dial_back(line_server, "from-node-3"), node=node)
    peer, line = line_server.lines.get(timeout=60)
    assert line == "from-node-3"
    assert peer == node.address  # masqueraded behind its node's address


def test_cutting_one_nodes_link_leaves_the_others_working(swarm_cluster, services, line_server):
    cut = swarm_cluster.nodes[2]
    swarm_cluster.cut(cut)
    try:
        for node in swarm_cluster.nodes[:2]:
            create(swarm_cluster, services, dial_back(line_server, node.hostname), node=node)
        heard = {line_server.lines.get(timeout=60)[1] for _ in range(2)}
        assert heard == {n.hostname for n in swarm_cluster.nodes[:2]}
        with pytest.raises(queue.Empty):  # and the cut node cannot be heard
            create(swarm_cluster, services, dial_back(line_server, "cut"), node=cut)
            line_server.lines.get(timeout=5)
    finally:
        swarm_cluster.restore(cut)
