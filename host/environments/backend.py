"""The seam between environments and the engine that runs their containers.

The host never calls an engine on an invocation's path: a backend creates a generic
container that starts the environment agent (which dials back to the host), sets its
memory limit when a function takes it over, and later removes it. Everything between
(spawning runtimes, resets, logs) goes through the agent.

A backend's methods block; the scheduler calls them from a thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Mount:
    source: str  # folder on the host
    target: str  # path in the container
    read_only: bool = True


@dataclass(frozen=True)
class ContainerSpec:
    """What an environment's container needs; nothing function-specific beyond limits and mounts."""

    name: str
    image: str
    agent_address: str  # host:port the agent dials, as seen from the container
    agent_token: str
    memory_mb: int
    mounts: tuple[Mount, ...] = ()
    read_only_root: bool = True  # only /tmp (a mount) is writable, as on Lambda
    labels: dict[str, str] = field(default_factory=dict)
    # (container port, host address, host port) to publish: only a debugger's (host.debugging), never a stem's.
    ports: tuple[tuple[int, str, int], ...] = ()
    entrypoint: tuple[str, ...] | None = None  # replaces the image's (a user's image: start the agent instead)


@dataclass(frozen=True)
class ContainerHandle:
    id: str
    name: str
    memory_peak_file: str | None = None  # a file on this host holding the container's peak memory use
    address: str | None = None  # the container's IP address: the only caller its Runtime API answers


class Backend(Protocol):
    def create(self, spec: ContainerSpec) -> ContainerHandle:
        """Create and start a container running the agent."""
        ...

    def set_memory(self, handle: ContainerHandle, memory_mb: int) -> None:
        """Change the container's memory limit (no swap), as a stem becomes a function's."""
        ...

    def destroy(self, handle: ContainerHandle) -> None:
        """Remove the container, whatever its state."""
        ...

    def remove_labelled(self, labels: dict[str, str]) -> int:
        """Remove every container carrying all of ``labels``; returns how many."""
        ...
