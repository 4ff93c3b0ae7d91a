"""A three-node Docker Swarm on one machine, for tests: Docker daemons in network namespaces.

Each node is a Docker daemon of its own (``/usr/sbin/dockerd``, run as root) inside its own
network namespace (``host.testing.netns``: a veth into the bridge ``lhswarm0``, node ``n`` at
10.77.0.<n+1>, this host at 10.77.0.1), with its own data root, exec root, pidfile, socket
(``/run/lambda-host-swarm/node<n>/docker.sock``), default bridge (10.78.<n>.1/24), address
pools (10.79.<16n>.0/20) and cgroup parent (``/lambda-host-swarm-node<n>``). Node 1 runs
``swarm init``; nodes 2 and 3 join as managers (three managers keep a quorum when one is cut
off, so a test can cut any node). An attachable overlay network (``lambda-host-swarm``, from
10.80.0.0/16) spans them. Runtime images are saved from the main daemon once and loaded into
every node through the Docker SDK (``LAMBDA_HOST_SWARM_IMAGES``: comma-separated patterns,
default ``lambda-host/python3.11:*``).

It must never touch the main daemon beyond reading images from it, and never anything it did
not create: every name it makes carries a fixed prefix, ``start`` first sweeps what an
interrupted run left (daemons by their pidfiles, processes by their socket paths, mounts,
cgroups, data folders, namespaces, veths, the bridge, the iptables rule), and ``stop`` (run
also when ``start`` fails) removes everything in reverse.

What nested daemons need here (Docker 20.10.24, cgroup v1, iptables-nft, kernel 6.18), found
by trying:

1. Their own ``--config-file``: dockerd always reads ``/etc/docker/daemon.json`` too, and
   refuses to start when a flag repeats one of its keys (data-root, storage-driver, mtu).
2. The cgroup hierarchies mounted again: ``ip netns exec`` gives the command a mount
   namespace with a fresh ``/sys`` (so ``/sys/class/net`` shows the namespace's links), which
   hides ``/sys/fs/cgroup``; dockerd then fails with "Devices cgroup isn't mounted". The start
   script mounts the same hierarchies again (copied from ``/proc/self/mounts``) before it
   execs dockerd. Mounts made there (overlay2, netns files) stay in that private namespace
   and vanish with the daemon.
3. overlay2 works on a data root under ``/var/lib`` (ext4); the main daemon uses
   fuse-overlayfs, which the nodes do not need.
4. A FORWARD rule: ``br_netfilter`` is loaded (``bridge-nf-call-iptables=1``) and the main
   daemon's FORWARD policy is DROP, so frames between two nodes' veths are dropped unless
   ``-i lhswarm0 -o lhswarm0 -j ACCEPT`` comes first. Traffic from a node to 10.77.0.1 is
   INPUT and needs nothing; tasks reach it masqueraded as their node's address (10.77.0.<n+1>).
5. ``DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1``: a task's image is otherwise pulled first, and
   with no route out of the namespaces each new task waited ≈20 s in "Preparing".
6. No IPVS in this kernel (dockerd logs ``net.ipv4.vs.*`` errors): service virtual IPs and the
   ingress routing mesh do not work. Tasks that only dial out, and containers talking by
   their overlay addresses, do; use ``endpoint_mode="dnsrr"`` for name lookups.
7. ``unshare --uts`` with a hostname per node, or every node is called "vm" in ``node ls``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from host.images.distribute import copy_images
from host.testing.netns import Plumbing, run

log = logging.getLogger("lambda_host.swarm_cluster")

RUN_ROOT = Path("/run/lambda-host-swarm")
DATA_ROOT = Path("/var/lib/lambda-host-swarm")
CGROUP_PREFIX = "lambda-host-swarm-node"
NETWORK = "lambda-host-swarm"
LABEL = "lambda-host.swarm-cluster"
DOCKERD = "/usr/sbin/dockerd"
DEFAULT_IMAGES = "lambda-host/python3.11:*"
START_SCRIPT = """set -e
hostname "$1"
{mounts}
exec {dockerd} --config-file "$2"
"""


@dataclass(frozen=True)
class Node:
    index: int
    hostname: str
    address: str  # on the cluster bridge
    namespace: str

    @property
    def run_dir(self) -> Path:
        return RUN_ROOT / f"node{self.index}"

    @property
    def data_root(self) -> Path:
        return DATA_ROOT / f"node{self.index}"

    @property
    def socket(self) -> Path:
        return self.run_dir / "docker.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self, timeout: int = 60) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, timeout=timeout)

    def daemon_config(self) -> dict:
        n = self.index
        return {
            "data-root": str(self.data_root),
            "exec-root": str(self.run_dir / "exec"),
            "pidfile": str(self.run_dir / "docker.pid"),
            "hosts": [self.url],
            "storage-driver": "overlay2",
            "bip": f"10.78.{n}.1/24",
            "default-address-pools": [{"base": f"10.79.{16 * n}.0/20", "size": 24}],
            "cgroup-parent": f"/{CGROUP_PREFIX}{n}",
            "log-level": "warn",
            "labels": [f"{LABEL}=node{n}"],
        }


class SwarmCluster:
    """Start with ``start()`` (which cleans up after itself if it fails), end with ``stop()``."""

    def __init__(self, size: int = 3, plumbing: Plumbing | None = None, images: Iterable[str] | None = None) -> None:
        self.plumbing = plumbing or Plumbing()
        self.nodes = [
            Node(n, f"{self.plumbing.prefix}-node{n}", self.plumbing.address(n), self.plumbing.namespace(n))
            for n in range(1, size + 1)
        ]
        patterns = os.environ.get("LAMBDA_HOST_SWARM_IMAGES", DEFAULT_IMAGES)
        self.image_patterns = tuple(images) if images is not None else tuple(p for p in patterns.split(",") if p)
        self.processes: dict[int, subprocess.Popen] = {}
        self.images: list[str] = []

    @property
    def host_address(self) -> str:
        """Where tasks on every node reach this host (the root namespace's bridge address)."""
        return self.plumbing.host_address

    @property
    def manager(self) -> Node:
        return self.nodes[0]

    def start(self) -> SwarmCluster:
        sweep(self.plumbing)
        try:
            self.plumbing.make_bridge()
            for node in self.nodes:
                self.plumbing.make_node(node.index)
                self._start_daemon(node)
            for node in self.nodes:
                self._wait_ready(node)
            self._form_swarm()
            self.images = self.load_images(self.image_patterns)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Remove everything ``start`` made, whatever state it is in."""
        started = time.monotonic()
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(_empty_node, self.nodes))
            emptied = time.monotonic()
            list(pool.map(lambda node: _stop_daemon(node, self.processes.pop(node.index, None)), self.nodes))
        stopped = time.monotonic()
        sweep(self.plumbing)
        log.info(
            "cluster removed: nodes emptied in %.1f s, daemons stopped in %.1f s, swept in %.1f s",
            emptied - started,
            stopped - emptied,
            time.monotonic() - stopped,
        )

    # -- faults ---------------------------------------------------------------------------

    def cut(self, node: Node) -> None:
        """Take ``node``'s only link down: it can reach, and be reached by, nothing."""
        self.plumbing.set_link(node.index, up=False)

    def restore(self, node: Node) -> None:
        self.plumbing.set_link(node.index, up=True)

    # -- images ---------------------------------------------------------------------------

    def load_images(self, patterns: Iterable[str]) -> list[str]:
        """Copy the main daemon's images matching ``patterns`` (``repo:tag`` globs) to every node."""
        main = docker.from_env(timeout=600)
        patterns = tuple(patterns)
        names = sorted(
            tag
            for image in main.images.list()
            for tag in image.tags
            if any(fnmatch.fnmatchcase(tag, pattern) for pattern in patterns)
        )
        DATA_ROOT.mkdir(parents=True, exist_ok=True)
        targets = [node.client(timeout=600) for node in self.nodes]
        copy_images(main, names, targets, scratch=DATA_ROOT)
        return names

    # -- starting -------------------------------------------------------------------------

    def _start_daemon(self, node: Node) -> None:
        node.run_dir.mkdir(parents=True, exist_ok=True)
        node.data_root.mkdir(parents=True, exist_ok=True)
        config = node.run_dir / "daemon.json"
        config.write_text(json.dumps(node.daemon_config(), indent=1))
        script = node.run_dir / "start.sh"
        script.write_text(START_SCRIPT.format(mounts=_cgroup_mount_commands(), dockerd=DOCKERD))
        log = (node.run_dir / "dockerd.log").open("ab")
        env = {**os.environ, "DOCKER_SERVICE_PREFER_OFFLINE_IMAGE": "1"}
        argv = ["ip", "netns", "exec", node.namespace, "unshare", "--uts", "sh", str(script), node.hostname]
        self.processes[node.index] = subprocess.Popen(
            [*argv, str(config)], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        log.close()

    def _wait_ready(self, node: Node, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        process = self.processes[node.index]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dockerd of {node.hostname} exited: {_log_tail(node)}")
            with contextlib.suppress(docker.errors.DockerException, OSError):
                if node.client(timeout=5).ping():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"dockerd of {node.hostname} did not answer within {timeout:.0f} s: {_log_tail(node)}")

    def _form_swarm(self) -> None:
        manager = self.manager.client()
        address = self.manager.address
        manager.swarm.init(
            advertise_addr=address,
            listen_addr=f"{address}:2377",
            default_addr_pool=["10.80.0.0/16"],
            subnet_size=24,
        )
        manager.swarm.reload()
        token = manager.swarm.attrs["JoinTokens"]["Manager"]
        for node in self.nodes[1:]:
            node.client().swarm.join(
                remote_addrs=[f"{address}:2377"],
                join_token=token,
                listen_addr=f"{node.address}:2377",
                advertise_addr=node.address,
            )
        deadline = time.monotonic() + 60
        while sum(n.attrs["Status"]["State"] == "ready" for n in manager.nodes.list()) < len(self.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the nodes did not all become ready within 60 s")
            time.sleep(0.2)
        manager.networks.create(NETWORK, driver="overlay", attachable=True, labels={LABEL: "1"})


def _cgroup_mount_commands() -> str:
    """Shell lines that mount this machine's cgroup hierarchies again (see the docstring, point 2)."""
    lines = []
    for entry in Path("/proc/self/mounts").read_text().splitlines():
        _source, target, fstype, options, *_ = entry.split()
        if target.startswith("/sys/fs/cgroup") and fstype in ("tmpfs", "cgroup", "cgroup2"):
            lines.append(f"mkdir -p {target} && mount -t {fstype} -o {options} {fstype} {target}")
    return "\n".join(lines)


def _log_tail(node: Node, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join((node.run_dir / "dockerd.log").read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


# -- stopping and sweeping ----------------------------------------------------------------


def _empty_node(node: Node) -> None:
    """Remove services, containers and the swarm membership of a running node; quiet if it is not."""
    if not node.socket.exists():
        return
    with contextlib.suppress(docker.errors.DockerException, OSError):
        client = node.client(timeout=15)
        client.ping()
        with contextlib.suppress(docker.errors.DockerException):
            for service in client.services.list():
                service.remove()
        for container in client.containers.list(all=True):
            with contextlib.suppress(docker.errors.DockerException):
                container.remove(force=True)
        client.swarm.leave(force=True)


def _stop_daemon(node: Node, process: subprocess.Popen | None) -> None:
    pids = set()
    if process is not None:
        pids.add(process.pid)
    with contextlib.suppress(OSError, ValueError):
        pids.add(int((node.run_dir / "docker.pid").read_text().strip()))
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        if process is not None:
            process.poll()
        time.sleep(0.1)
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    if process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


def sweep(plumbing: Plumbing) -> None:
    """Remove whatever a cluster (this one or an interrupted earlier one) left on this machine."""
    for pidfile in RUN_ROOT.glob("node*/docker.pid"):
        with contextlib.suppress(OSError, ValueError):
            _signal(int(pidfile.read_text().strip()), signal.SIGTERM)
    time.sleep(0.5) if RUN_ROOT.exists() else None
    for pid in _processes_mentioning(str(RUN_ROOT) + "/"):  # daemons, their containerd and shims
        _signal(pid, signal.SIGKILL)
    for target in reversed(Path("/proc/self/mounts").read_text().splitlines()):
        mountpoint = target.split()[1]
        if mountpoint.startswith((str(RUN_ROOT), str(DATA_ROOT))):
            run("umount", "-l", mountpoint, check=False)
    _remove_cgroups()
    plumbing.remove_all()
    for root in (RUN_ROOT, DATA_ROOT):
        shutil.rmtree(root, ignore_errors=True)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if text.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return found


def _remove_cgroups() -> None:
    """Kill what still runs in the nodes' cgroups (containers whose shim was killed), then remove them."""
    for procs in Path("/sys/fs/cgroup").glob(f"*/{CGROUP_PREFIX}*/**/cgroup.procs"):
        with contextlib.suppress(OSError, ValueError):
            for pid in procs.read_text().split():
                _signal(int(pid), signal.SIGKILL)
    for parent in Path("/sys/fs/cgroup").glob(f"*/{CGROUP_PREFIX}*"):
        for folder in sorted((p for p in parent.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            with contextlib.suppress(OSError):
                folder.rmdir()
        with contextlib.suppress(OSError):
            parent.rmdir()


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except OSError:
        return False
