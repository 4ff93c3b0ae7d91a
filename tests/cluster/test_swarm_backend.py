"""The Swarm backend on the test cluster: environments as services that dial back to the host."""

from __future__ import annotations

import secrets
import time

import docker
import pytest

from host.environments.backend import ContainerSpec, Mount
from host.environments.swarm_backend import PIDS_LIMIT, SwarmBackend, SwarmUnsupported
from host.testing.swarm_cluster import NETWORK, SwarmCluster

pytestmark = pytest.mark.timeout(600)

# Stands in for the agent: dials "host:port" (argv 1), sends the token (argv 2) and a file, then stays.
FAKE_AGENT = (
    "/usr/bin/python3",
    "-c",
    "import socket, sys, time; host, port = sys.argv[1].rsplit(':', 1); "
    "s = socket.create_connection((host, int(port)), timeout=10); "
    "s.sendall(sys.argv[2].encode() + b' ' + open('/var/task/hello.txt', 'rb').read() + b'\\n'); time.sleep(600)",
)


@pytest.fixture
def backend(swarm_cluster: SwarmCluster):
    engines = {node.address: node.client() for node in swarm_cluster.nodes}
    backend = SwarmBackend(
        swarm_cluster.manager.client(),
        swarm_cluster.host_address,
        network=NETWORK,
        shared_files=True,  # the nested daemons see this machine's folders
        node_engines=engines,
    )
    run = secrets.token_hex(4)
    backend.test_labels = {"lambda-host.test-run": run}
    yield backend
    backend.remove_labelled(backend.test_labels)


def spec(backend, server, tmp_path, memory_mb=128, **overrides) -> ContainerSpec:
    task = tmp_path / "task"
    task.mkdir(exist_ok=True)
    (task / "hello.txt").write_text("hello-from-the-slot")
    values = dict(
        name=f"lambda-host-python3.11-{secrets.token_hex(4)}",
        image="",
        agent_address=f"{server.address}:{server.port}",
        agent_token=secrets.token_hex(8),
        memory_mb=memory_mb,
        mounts=(Mount(str(task), "/var/task"),),
        labels=dict(backend.test_labels),
        entrypoint=FAKE_AGENT,
    )
    return ContainerSpec(**{**values, **overrides})


def node_container(swarm_cluster: SwarmCluster, address: str, service_id: str) -> dict:
    node = next(n for n in swarm_cluster.nodes if n.address == address)
    (container,) = node.client().api.containers(filters={"label": f"com.docker.swarm.service.id={service_id}"})
    return node.client().api.inspect_container(container["Id"])


def test_an_environment_runs_as_a_locked_down_service_that_dials_back_and_is_destroyed(
    swarm_cluster, backend, line_server, tmp_path
):
    container_spec = spec(backend, line_server, tmp_path, image=swarm_cluster.images[0])
    started = time.monotonic()
    handle = backend.create(container_spec)
    peer, line = line_server.lines.get(timeout=60)
    print(f"create and dial back: {time.monotonic() - started:.2f} s on {handle.address}")
    assert line == f"{container_spec.agent_token} hello-from-the-slot"
    assert peer == handle.address
    assert handle.address in {n.address for n in swarm_cluster.nodes}

    config = node_container(swarm_cluster, handle.address, handle.id)["HostConfig"]
    assert config["ReadonlyRootfs"] is True
    assert config["CapDrop"] == ["ALL"]
    assert sorted(config["CapAdd"]) == ["CAP_KILL", "CAP_SETGID", "CAP_SETUID"]
    assert config["PidsLimit"] == PIDS_LIMIT
    assert config["Memory"] == 128 * 2**20
    assert config["NanoCpus"] == 10**9

    backend.set_memory(handle, 512)
    assert node_container(swarm_cluster, handle.address, handle.id)["HostConfig"]["Memory"] == 512 * 2**20

    backend.destroy(handle)
    manager = swarm_cluster.manager.client()
    with pytest.raises(docker.errors.NotFound):
        manager.api.inspect_service(handle.id)
    node = next(n for n in swarm_cluster.nodes if n.address == handle.address).client()
    deadline = time.monotonic() + 20
    while node.api.containers(all=True, filters={"label": f"com.docker.swarm.service.id={handle.id}"}):
        assert time.monotonic() < deadline, "the task's container outlived its service"
        time.sleep(0.1)


def test_environments_spread_over_the_nodes_and_remove_labelled_removes_them_all(
    swarm_cluster, backend, line_server, tmp_path
):
    handles = [backend.create(spec(backend, line_server, tmp_path, image=swarm_cluster.images[0])) for _ in range(3)]
    assert {h.address for h in handles} == {n.address for n in swarm_cluster.nodes}
    assert backend.remove_labelled(backend.test_labels) == 3
    (label,) = (f"{k}={v}" for k, v in backend.test_labels.items())
    assert swarm_cluster.manager.client().api.services(filters={"label": label}) == []


def test_a_task_no_node_has_memory_for_fails_and_leaves_no_service(swarm_cluster, backend, line_server, tmp_path):
    backend.task_timeout = 3
    with pytest.raises(RuntimeError, match="not running within"):
        backend.create(spec(backend, line_server, tmp_path, image=swarm_cluster.images[0], memory_mb=10**7))
    assert backend.remove_labelled(backend.test_labels) == 0


def test_a_loopback_agent_address_is_refused(swarm_cluster, backend, line_server, tmp_path):
    with pytest.raises(SwarmUnsupported):
        backend.create(spec(backend, line_server, tmp_path, image="x", agent_address="127.0.0.1:9"))
