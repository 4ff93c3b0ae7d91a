"""How a debugged function's environment starts: its container's port and mounts, its runtime's command.

``Debugging`` is the host's choice of functions and ports; ``Debugging.launch`` gives one
environment its ``DebugLaunch``, which ``host.environments.environment`` applies to the
container it creates and to the runtime it spawns. Nothing here talks to Docker.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from host.environments.backend import ContainerSpec, Mount

log = logging.getLogger("lambda_host.debugging")

DEBUGPY_MOUNT = "/lambda-host/debugpy"  # holds debugpy/, read-only
PYTHON_PORT = 5678  # debugpy's usual port, inside the container
NODE_PORT = 9229  # the Node.js inspector's usual port, inside the container
PUBLISH_ADDRESS = "127.0.0.1"  # a debugger runs any code it likes: never published beyond this machine


class DebuggingUnavailable(RuntimeError):
    """The function cannot be debugged this way (its runtime, a wrapper, debugpy missing); the message says why."""


@dataclass(frozen=True)
class DebugLaunch:
    """One debugged environment: the port published on this machine and the runtime it runs."""

    function: str
    client: str  # "python" or "nodejs"
    port: int  # on 127.0.0.1
    debugpy_dir: str | None = None  # the host folder holding debugpy/, for Python

    @property
    def container_port(self) -> int:
        return PYTHON_PORT if self.client == "python" else NODE_PORT

    def container_spec(self, spec: ContainerSpec) -> ContainerSpec:
        """``spec`` with the debugger's port published and, for Python, debugpy mounted."""
        mounts = spec.mounts
        if self.debugpy_dir is not None:
            mounts = (*mounts, Mount(self.debugpy_dir, DEBUGPY_MOUNT))
        ports = (*spec.ports, (self.container_port, PUBLISH_ADDRESS, self.port))
        return dataclasses.replace(spec, mounts=mounts, ports=ports)

    def argv(self, argv: list[str]) -> list[str]:
        """The runtime's command, waiting for a debugger before it loads the handler."""
        if self.client == "python":
            if len(argv) != 2 or not argv[1].endswith("/bootstrap.py"):
                raise DebuggingUnavailable(
                    f"{self.function} starts through AWS_LAMBDA_EXEC_WRAPPER; debugging needs it unset"
                )
            listen = f"0.0.0.0:{PYTHON_PORT}"
            debugpy = f"{DEBUGPY_MOUNT}/debugpy"
            # -Xfrozen_modules=off: with frozen stdlib modules (3.11+) debugpy can miss breakpoints, and says so.
            return [argv[0], "-Xfrozen_modules=off", debugpy, "--listen", listen, "--wait-for-client", argv[1]]
        if argv and argv[0].endswith("/node"):
            return [argv[0], f"--inspect-brk=0.0.0.0:{NODE_PORT}", *argv[1:]]
        raise DebuggingUnavailable(f"{self.function} starts through AWS_LAMBDA_EXEC_WRAPPER; debugging needs it unset")


class Debugging:
    """The functions this host debugs and the local port of each (chosen once, kept for the host's life)."""

    def __init__(self, targets: Mapping[str, int | None], cache_dir: Path) -> None:
        self.targets = dict(targets)
        self.cache_dir = cache_dir
        self.ports: dict[str, int] = {name: port for name, port in self.targets.items() if port is not None}
        self.lock = threading.Lock()

    def wants(self, function: str) -> bool:
        return function in self.targets

    def port(self, function: str, client: str) -> int:
        """The port given, else the runtime's usual one (5678, 9229), or the next one no other function has."""
        with self.lock:
            if function not in self.ports:
                port = PYTHON_PORT if client == "python" else NODE_PORT
                while port in self.ports.values():
                    port += 1
                self.ports[function] = port
            return self.ports[function]

    def launch(self, function: str, client: str) -> DebugLaunch:
        """How to start an environment of ``function`` (a runtime whose client is ``client``) under a debugger."""
        if client not in ("python", "nodejs"):
            kind = {"image": "a container image", "provided": "a custom runtime"}.get(client, f"a {client} runtime")
            raise DebuggingUnavailable(
                f"{function}: step-through debugging is for Python and Node.js runtimes; this function runs {kind}"
            )
        debugpy_dir = str(self.debugpy_dir()) if client == "python" else None
        launch = DebugLaunch(function, client, self.port(function, client), debugpy_dir)
        log.info(
            "debugging %s: its environment waits for a debugger on %s:%d (%s)",
            function, PUBLISH_ADDRESS, launch.port, "debugpy, DAP" if client == "python" else "Node.js inspector",
        )  # fmt: skip
        return launch

    def debugpy_dir(self) -> Path:
        """A read-only copy of the installed debugpy, made once per version (blocks: call from a thread)."""
        spec = importlib.util.find_spec("debugpy")
        if spec is None or not spec.submodule_search_locations:
            raise DebuggingUnavailable(
                "debugging a Python function needs debugpy on the host: pip install 'lambda-host[debug]'"
            )
        source = Path(next(iter(spec.submodule_search_locations)))
        version = _version(source)
        target = self.cache_dir / f"debugpy-{version}"
        with self.lock:
            if not (target / "debugpy" / "__main__.py").is_file():
                partial = self.cache_dir / f".debugpy-{version}.{os.getpid()}"
                shutil.rmtree(partial, ignore_errors=True)
                shutil.copytree(source, partial / "debugpy", ignore=shutil.ignore_patterns("__pycache__"))
                _readable(partial)
                shutil.rmtree(target, ignore_errors=True)
                os.replace(partial, target)
        return target


def _version(package: Path) -> str:
    """The installed debugpy's version (names its copy, so an upgrade makes a new one)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("debugpy")
    except PackageNotFoundError:  # a debugpy on sys.path but not installed: its folder's age tells copies apart
        return f"local-{int(package.stat().st_mtime)}"


def _readable(root: Path) -> None:
    """Lambda's unprivileged user in the container must read (and traverse) every file."""
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, 0o755 if os.access(path, os.X_OK) else 0o644)
