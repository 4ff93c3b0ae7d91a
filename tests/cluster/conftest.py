"""Cluster tests: a three-node Docker Swarm of nested daemons (``host.testing.swarm_cluster``).

Opt in with ``make test-cluster``: they need root, ``/usr/sbin/dockerd`` and about a minute to
start the cluster, so ``make test`` leaves them out (pyproject's ``testpaths``).
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import threading
from collections.abc import Iterator

import pytest

from host.testing.swarm_cluster import DOCKERD, SwarmCluster


def pytest_collection_modifyitems(items):
    for item in items:
        if "/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def swarm_cluster() -> Iterator[SwarmCluster]:
    """Three nested Docker daemons in a Swarm, the runtime images loaded; all removed at the end."""
    if os.geteuid() != 0 or not os.path.exists(DOCKERD) or shutil.which("ip") is None:
        pytest.skip("the cluster needs root, iproute2 and /usr/sbin/dockerd")
    cluster = SwarmCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


class LineServer:
    """A TCP server on the host's cluster address that records one line per connection."""

    def __init__(self, address: str) -> None:
        self.sock = socket.create_server((address, 0))
        self.address, self.port = self.sock.getsockname()
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, (peer, _) = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.lines.put((peer, data.decode().strip()))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def line_server(swarm_cluster: SwarmCluster) -> Iterator[LineServer]:
    server = LineServer(swarm_cluster.host_address)
    yield server
    server.close()
