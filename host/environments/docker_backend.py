"""The Docker backend: one container per environment, through the Docker SDK for Python.

Containers run the agent as PID 1, on the default bridge network so the agent and the
runtime reach the host through the bridge's gateway. They are locked down as Lambda's
are: a read-only root file system (only /tmp, a mount, is writable), every capability
dropped but the three the agent needs to start the runtime as Lambda's unprivileged
user and to kill its processes, no privilege escalation, at most ``PIDS_LIMIT``
processes and threads (a fork bomb hurts only its own environment), memory limited to
the function's MemorySize with no swap, and CPU weighted by MemorySize as Lambda
allots it (1,769 MB is one vCPU). Every container carries the host's labels, so
leftovers can always be found and removed.
"""

from __future__ import annotations

import fcntl
import ipaddress
import logging
import socket
import struct
from pathlib import Path

import docker
import docker.errors

from host.environments.backend import ContainerHandle, ContainerSpec

log = logging.getLogger("lambda_host.docker")

LABEL = "lambda-host"
HOST_ALIAS = "host.docker.internal"  # how containers reach the host when the bridge gateway is not local
AGENT_CAPABILITIES = ("SETUID", "SETGID", "KILL")  # become Lambda's user; kill the runtime's processes
PIDS_LIMIT = 1024  # Lambda's limit on processes and threads in an execution environment
MB_PER_VCPU = 1769
CPU_PERIOD_US = 100_000
DEFAULT_BRIDGE = "docker0"  # the interface of Docker's default bridge network
SIOCGIFADDR = 0x8915


def cpu_limits(memory_mb: int) -> dict[str, int]:
    """CPU in proportion to memory: a weight (shares) that splits a busy machine as Lambda
    splits its cores, and a ceiling of ``memory_mb / 1769`` vCPUs, but never below one vCPU.

    Lambda gives a 128 MB function 7% of a vCPU; capping it so hard here would make every
    local invoke wait on CPU quota (the runtime's own work per invoke included), so
    functions of up to 1,769 MB may use one whole core when it is free.
    """
    vcpus = max(1.0, memory_mb / MB_PER_VCPU)
    return {
        "cpu_shares": max(2, round(1024 * memory_mb / MB_PER_VCPU)),
        "cpu_period": CPU_PERIOD_US,
        "cpu_quota": int(vcpus * CPU_PERIOD_US),
    }


def bridge_gateway(client: docker.DockerClient) -> str | None:
    """The default bridge's gateway address: where containers reach this host.

    Read from the kernel (the ``docker0`` interface's address) when the engine is local,
    else from Docker, which reports it as the IPAM gateway, or only the subnet, whose first
    address the bridge then takes. The kernel comes first because Docker 20.10 can deadlock
    (moby/moby#46661) when networks are inspected while containers come and go.
    """
    if _local_engine(client):
        address = _interface_address(DEFAULT_BRIDGE)
        if address is not None:
            return address
    try:
        network = client.networks.get("bridge")
    except docker.errors.DockerException:
        return None
    for config in network.attrs.get("IPAM", {}).get("Config") or []:
        if config.get("Gateway"):
            return config["Gateway"].split("/")[0]
        if config.get("Subnet"):
            subnet = ipaddress.ip_network(config["Subnet"], strict=False)
            if subnet.version == 4:
                return str(next(subnet.hosts()))
    return None


def _local_engine(client: docker.DockerClient) -> bool:
    return str(getattr(client.api, "base_url", "")).startswith(
        ("http+docker://localhost", "http+docker://localunixsocket")
    )


def _interface_address(name: str) -> str | None:
    """The IPv4 address of network interface ``name`` on this machine, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            packed = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def memory_peak_file(pid: int) -> str | None:
    """The cgroup file with the peak memory of the container whose init is ``pid``, if visible."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            candidate = Path("/sys/fs/cgroup") / path.lstrip("/") / "memory.peak"
        elif "memory" in controllers.split(","):
            candidate = Path("/sys/fs/cgroup/memory") / path.lstrip("/") / "memory.max_usage_in_bytes"
        else:
            continue
        if candidate.is_file():
            return str(candidate)
    return None


class DockerBackend:
    def __init__(self, client: docker.DockerClient | None = None) -> None:
        self.client = client or docker.from_env(max_pool_size=64)

    def create(self, spec: ContainerSpec) -> ContainerHandle:
        mounts = [docker.types.Mount(m.target, m.source, type="bind", read_only=m.read_only) for m in spec.mounts]
        container = self.client.containers.run(
            spec.image,
            command=[spec.agent_address, spec.agent_token],
            entrypoint=list(spec.entrypoint) if spec.entrypoint else None,
            name=spec.name,
            detach=True,
            labels={LABEL: "1", **spec.labels},
            mounts=mounts,
            mem_limit=f"{spec.memory_mb}m",
            memswap_limit=f"{spec.memory_mb}m",
            **cpu_limits(spec.memory_mb),
            read_only=spec.read_only_root,
            cap_drop=["ALL"],
            cap_add=list(AGENT_CAPABILITIES),
            security_opt=["no-new-privileges"],
            pids_limit=PIDS_LIMIT,
            network_mode="bridge",
            # Docker writes "<ip> sandbox.localdomain sandbox" into /etc/hosts: the name extensions give
            # their Telemetry/Logs listener resolves to the container's own address, as on Lambda.
            hostname="sandbox",
            domainname="localdomain",
            stop_signal="SIGKILL",
            extra_hosts={HOST_ALIAS: "host-gateway"} if spec.agent_address.startswith(HOST_ALIAS) else None,
            log_config={"type": "none"},
            ports={f"{inner}/tcp": (address, outer) for inner, address, outer in spec.ports} or None,
        )
        container.reload()
        pid = container.attrs.get("State", {}).get("Pid") or 0
        address = (container.attrs.get("NetworkSettings") or {}).get("IPAddress") or None
        return ContainerHandle(container.id, spec.name, memory_peak_file(pid) if pid else None, address)

    def set_memory(self, handle: ContainerHandle, memory_mb: int) -> None:
        self.client.api.update_container(
            handle.id, mem_limit=f"{memory_mb}m", memswap_limit=f"{memory_mb}m", **cpu_limits(memory_mb)
        )

    def destroy(self, handle: ContainerHandle) -> None:
        try:
            self.client.api.remove_container(handle.id, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if "already in progress" not in str(exc):
                log.warning("could not remove container %s: %s", handle.name, exc)

    def remove_labelled(self, labels: dict[str, str]) -> int:
        filters = {"label": [f"{k}={v}" for k, v in labels.items()]}
        removed = 0
        for info in self.client.api.containers(all=True, filters=filters):
            self.destroy(ContainerHandle(info["Id"], info["Names"][0].lstrip("/") if info.get("Names") else ""))
            removed += 1
        return removed
