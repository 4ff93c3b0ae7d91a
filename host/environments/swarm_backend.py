"""The Swarm backend: one Swarm service (one replica) per environment, placed by Swarm's scheduler.

It implements ``host.environments.backend.Backend`` against a Swarm manager's Docker API and
nothing else: where a task runs is Swarm's decision (memory reservations, the constraints and
preferences given here, node availability), never the host's. The agent in the task dials
``spec.agent_address``, which must be an address of this host that every node can route to
(its address on the cluster's network: 10.77.0.1 in ``host.testing.swarm_cluster``); a
loopback address is refused. The module must not import the rest of the host beyond the
backend's value types, so that it can move behind a wider engine seam unchanged.

How a ``ContainerSpec`` maps onto a service, and where Swarm (API 1.41, Docker 20.10) falls short:

1. One replica, restart policy ``none``: a task that ends is not replaced; its agent's
   connection closes and the host removes the environment, as for a container.
2. MemorySize: ``Resources.Limits.MemoryBytes`` and the same ``Reservations.MemoryBytes``, so
   Swarm places a task only where that much memory is unreserved. Swarm has no
   ``MemorySwap``: the container gets Docker's default (swap up to the limit again where the
   node has swap and swap accounting), so run nodes without swap for Lambda's behaviour.
3. CPU: Swarm has no CPU shares; the limit is ``max(1, MemorySize / 1769)`` vCPUs as in the
   Docker backend and the reservation ``MemorySize / 1769`` vCPUs, which Swarm's scheduler
   counts, so a node's CPUs bound how many large functions it takes.
4. Read-only root, every capability dropped but SETUID, SETGID and KILL, ``Limits.Pids`` = 1024,
   hostname ``sandbox``, SIGKILL to stop, no log driver: all in the service spec (1.41).
   Swarm 1.41 cannot set ``no-new-privileges`` (``Privileges`` gained ``NoNewPrivileges``
   only in API 1.46), nor the ``localdomain`` domain name. What would close the first gap:
   the agent setting ``PR_SET_NO_NEW_PRIVS`` itself before it execs a runtime.
5. Memory changes in place (``set_memory``): any change to a service's spec makes Swarm
   replace its task, which would kill a stem. So the service keeps the reservation it was
   created with and the running container's limits are changed through its node's engine
   when this backend was given one (``node_engines``, as the test cluster can); without one
   ``set_memory`` raises ``SwarmUnsupported``, and a pool for Swarm should keep stems per
   memory size instead.
6. Published ports (a debugger's) are refused: the ingress routing mesh needs IPVS, and a
   host-mode port would pin the environment to one node.
7. The Runtime API only answers its own environment's address. Tasks reach this host
   masqueraded behind their node's address, so ``ContainerHandle.address`` is the node's
   address: on Swarm that check tells nodes apart, not tasks on the same node (the agent's
   token still does). Routing the nodes' ``docker_gwbridge`` subnets to this host without
   masquerading would restore per-task addresses.

Code, layers and /tmp (``spec.mounts``): a bind mount names a folder on this host, which a
remote node does not have. A writable mount (/tmp) becomes a tmpfs of the size of the slot's
file system, on every node (a slot's loop mount would not reach the test cluster's daemons
anyway: their mount namespaces are slaves of a root whose propagation here is private).
``shared_files=True`` passes the read-only ones through as bind mounts; that is right only when
every node sees this host's folders at the same paths (the one-machine test cluster, or an NFS
export mounted alike everywhere). The plan for a real cluster, not built:

1. Content addresses. A function's code and each layer version are already immutable; name
   each by the SHA-256 of its unpacked tree's tar (computed once, when the package is stored).
2. An artifact endpoint on this host, on the address tasks dial: ``GET /artifacts/<sha256>``
   serves that tar, readable only with an environment's agent token (the host knows which
   digests that environment's function may read).
3. A per-node cache: every environment's task mounts the node-local named volume
   ``lambda-host-artifacts`` at ``/var/lambda-host/artifacts`` (root-only, mode 0700). On
   ``assign`` the agent gets the digests of the code and layers; for each one missing from the
   cache it downloads the tar, checks the digest, unpacks into ``<sha>.partial`` and renames it
   to ``<sha>`` (atomic, so concurrent stems on a node fetch at worst twice and never see half a
   tree). Nothing is ever rewritten in place, so no invalidation is needed; a node evicts
   least-recently-used digests above a size budget when no running environment uses them.
4. Exposure to the runtime, with no mount made after the task starts (the agent has no
   CAP_SYS_ADMIN) and no copy: the runtime images make ``/var/task`` and ``/opt`` symlinks into
   a per-environment tmpfs (``/var/lambda-host/slot``, root's, mode 0755), and on ``assign``
   the agent points ``slot/task`` and ``slot/opt`` at the cached trees, whose files are root's
   and read-only to Lambda's user, under a cache root that user may traverse but not list
   (0711), so a function reaches only the digests the host named for it.
5. /tmp (built): a tmpfs mount of the function's ephemeral storage size
   (``TmpfsOptions.SizeBytes``), so the /tmp limit holds on every node; tmpfs pages count
   against the task's memory limit, which is the one departure from Lambda this costs.
6. Runtime images are loaded onto every node (``host.testing.swarm_cluster.load_images`` does
   it from the main daemon; a ``lambda-host images push --to-nodes`` command would do the same
   for a real cluster) or pulled from a registry the cluster uses.

Without ``shared_files``, read-only bind mounts raise ``SwarmUnsupported`` until that exists.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Mapping

import docker
import docker.errors
from docker.types import ContainerSpec as SwarmContainerSpec
from docker.types import DriverConfig, Mount, Placement, Resources, RestartPolicy, ServiceMode, TaskTemplate

from host.environments.backend import ContainerHandle, ContainerSpec

log = logging.getLogger("lambda_host.swarm")

LABEL = "lambda-host"
AGENT_CAPABILITIES = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")
PIDS_LIMIT = 1024
MB = 2**20
MB_PER_VCPU = 1769
NANO = 10**9
HOST_ALIAS = "host.docker.internal"
TASK_TIMEOUT = 60.0  # seconds a new task may take to be placed and to run
FAILED_STATES = ("failed", "rejected", "shutdown", "complete", "orphaned", "remove")


class SwarmUnsupported(RuntimeError):
    """What a ContainerSpec asks for has no Swarm equivalent here (see the module docstring)."""


def service_name(name: str) -> str:
    """A valid Swarm service name (letters, digits, ``-`` and ``_``; at most 63) for ``name``."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_") or "lambda-host"
    return cleaned[:63].rstrip("-_")


def nano_cpus(memory_mb: int) -> int:
    """The CPU limit, in billionths of a vCPU: ``memory_mb / 1769`` vCPUs, but never below one."""
    return int(max(1.0, memory_mb / MB_PER_VCPU) * NANO)


def resources(memory_mb: int) -> Resources:
    """Limits and reservations for a task of ``memory_mb``, with Lambda's pids limit."""
    result = Resources(
        cpu_limit=nano_cpus(memory_mb),
        mem_limit=memory_mb * MB,
        cpu_reservation=int(memory_mb / MB_PER_VCPU * NANO),
        mem_reservation=memory_mb * MB,
    )
    result["Limits"]["Pids"] = PIDS_LIMIT  # API 1.41; docker-py's Resources does not name it
    return result


class SwarmBackend:
    """Environments as Swarm services, through one manager's Docker API.

    ``host_address``: this host's address on the cluster network, put in tasks' /etc/hosts as
    ``host.docker.internal``. ``network``: an attachable overlay network tasks join (optional;
    they reach the host without one). ``node_engines``: node address -> Docker client of that
    node's engine, used only by ``set_memory``.
    """

    def __init__(
        self,
        client: docker.DockerClient,
        host_address: str,
        *,
        network: str | None = None,
        shared_files: bool = False,
        constraints: tuple[str, ...] = (),
        preferences: tuple[tuple[str, str], ...] = (("spread", "node.id"),),
        node_engines: Mapping[str, docker.DockerClient] | None = None,
        task_timeout: float = TASK_TIMEOUT,
    ) -> None:
        self.client = client
        self.host_address = host_address
        self.network = network
        self.shared_files = shared_files
        self.constraints = constraints
        self.preferences = preferences
        self.node_engines = dict(node_engines or {})
        self.task_timeout = task_timeout
        self._nodes: dict[str, str] = {}  # node id -> its address
        self._containers: dict[str, tuple[str, str]] = {}  # service id -> (node address, container id)
        self._lock = threading.Lock()

    # -- Backend ----------------------------------------------------------------------------

    def create(self, spec: ContainerSpec) -> ContainerHandle:
        """Create the service and wait until Swarm has placed its task and started it."""
        self._check_reachable(spec.agent_address)
        if spec.ports:
            raise SwarmUnsupported("published ports (a debugger's) are not supported on Swarm")
        labels = {LABEL: "1", **spec.labels}
        container = SwarmContainerSpec(
            spec.image,
            command=list(spec.entrypoint) if spec.entrypoint else None,
            args=[spec.agent_address, spec.agent_token],
            hostname="sandbox",
            labels=labels,
            mounts=[self._mount(m.source, m.target, m.read_only) for m in spec.mounts],
            read_only=spec.read_only_root,
            stop_signal="SIGKILL",
            stop_grace_period=0,
            hosts={HOST_ALIAS: self.host_address},
            cap_drop=["ALL"],
            cap_add=list(AGENT_CAPABILITIES),
        )
        template = TaskTemplate(
            container,
            resources=resources(spec.memory_mb),
            restart_policy=RestartPolicy(condition="none"),
            placement=Placement(constraints=list(self.constraints), preferences=list(self.preferences)),
            log_driver=DriverConfig("none"),
            networks=[self.network] if self.network else None,
        )
        name = service_name(spec.name)
        service_id = self.client.api.create_service(
            template, name=name, labels=labels, mode=ServiceMode("replicated", 1)
        )["ID"]
        try:
            node_id, container_id = self._wait_running(service_id)
            address = self._node_address(node_id)
        except BaseException:
            self._remove(service_id)
            raise
        with self._lock:
            self._containers[service_id] = (address, container_id)
        return ContainerHandle(service_id, name, None, address)

    def set_memory(self, handle: ContainerHandle, memory_mb: int) -> None:
        """Change the running container's limits through its node's engine (Swarm would replace the task)."""
        with self._lock:
            address, container_id = self._containers.get(handle.id, ("", ""))
        engine = self.node_engines.get(address)
        if engine is None:
            raise SwarmUnsupported(f"no engine for node {address or '?'}: Swarm cannot resize a running task")
        # docker-py's update_container has no nano_cpus, and the task was created with NanoCpus (which
        # excludes a CPU period and quota): the Engine API's update endpoint, through the SDK's session.
        api = engine.api
        update = {"Memory": memory_mb * MB, "MemorySwap": memory_mb * MB, "NanoCpus": nano_cpus(memory_mb)}
        response = api.post(f"{api.base_url}/v{api.api_version}/containers/{container_id}/update", json=update)
        if response.status_code >= 400:
            raise docker.errors.APIError(f"updating {container_id}: {response.text.strip()}", response)

    def destroy(self, handle: ContainerHandle) -> None:
        with self._lock:
            self._containers.pop(handle.id, None)
        self._remove(handle.id)

    def remove_labelled(self, labels: dict[str, str]) -> int:
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        services = self.client.api.services(filters=filters)
        for service in services:
            self._remove(service["ID"])
        return len(services)

    # -- inside -----------------------------------------------------------------------------

    def _check_reachable(self, agent_address: str) -> None:
        host = agent_address.rsplit(":", 1)[0].strip("[]")
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(host).is_loopback:
                raise SwarmUnsupported(f"tasks on other nodes cannot dial a loopback address ({agent_address})")

    def _mount(self, source: str, target: str, read_only: bool) -> Mount:
        if not read_only:  # /tmp: a tmpfs of the size of the slot's own file system, on whichever node
            stat = os.statvfs(source)
            return Mount(target, None, type="tmpfs", tmpfs_size=stat.f_blocks * stat.f_frsize, tmpfs_mode=0o1777)
        if self.shared_files:
            return Mount(target, source, type="bind", read_only=True)
        raise SwarmUnsupported(f"{source} is on this host only; see the code delivery plan in {__name__}")

    def _wait_running(self, service_id: str) -> tuple[str, str]:
        """(node id, container id) of the service's task once it runs; raises if it fails or stays pending."""
        deadline = time.monotonic() + self.task_timeout
        last = "no task yet"
        while time.monotonic() < deadline:
            for task in self.client.api.tasks(filters={"service": service_id}):
                status = task.get("Status") or {}
                state = status.get("State")
                last = f"{state}: {status.get('Err') or status.get('Message') or ''}"
                if state == "running":
                    return task["NodeID"], (status.get("ContainerStatus") or {}).get("ContainerID", "")
                if state in FAILED_STATES:
                    raise RuntimeError(f"the environment's task did not start ({last})")
            time.sleep(0.05)
        raise RuntimeError(f"the environment's task was not running within {self.task_timeout:.0f} s ({last})")

    def _node_address(self, node_id: str) -> str:
        with self._lock:
            known = self._nodes.get(node_id)
        if known is None:
            known = self.client.api.inspect_node(node_id)["Status"]["Addr"]
            with self._lock:
                self._nodes[node_id] = known
        return known

    def _remove(self, service_id: str) -> None:
        try:
            self.client.api.remove_service(service_id)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            log.warning("could not remove service %s: %s", service_id, exc)
