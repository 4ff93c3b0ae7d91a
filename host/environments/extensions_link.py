"""One environment's external extensions: discovery in ``/opt/extensions``, the init and invoke barriers, SHUTDOWN.

Exists only for environments whose layers bring ``extensions/``: an environment without
extensions never creates one, so its invokes pay nothing (no thread, process or Docker call).

Contract (as Lambda runs them):
1. ``start`` asks the agent to start every executable file in ``/opt/extensions``, in name order,
   with the runtime's variables; the runtime is started once all of them have registered
   (or exited, or the init deadline passes): ``on_all_registered``.
2. Init is complete when the runtime has called ``/next`` and every extension ``event/next``.
3. An invoke's INVOKE event goes out when the runtime receives the invocation; the environment
   becomes free again when the runtime has answered and every extension calls ``event/next``.
4. ``shutdown`` sends SHUTDOWN (reason ``spindown``) and resolves when every subscriber is back in
   ``event/next`` or after 2 s; the caller then kills the container.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from host.environments.agent_protocol import encode
from host.extensions.api import ExtensionsApi
from host.extensions.registry import Registry
from host.extensions.telemetry import Subscription

EXTENSIONS_DIR = "/opt/extensions"
SHUTDOWN_SECONDS = 2.0


def find_extensions(opt_dir: str | None) -> list[str]:
    """The container paths of the executables a function's merged layers put in ``extensions/``."""
    if not opt_dir:
        return []
    folder = Path(opt_dir) / "extensions"
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and os.access(p, os.X_OK))
    except OSError:
        return []
    return [f"{EXTENSIONS_DIR}/{name}" for name in names]


def extension_frame(path: str, env: dict[str, str]) -> bytes:
    return encode("extension", "/opt", 1, path, *(f"{k}={v}" for k, v in env.items()))


class ExtensionsLink:
    """The extensions of one environment and the barriers they hold."""

    def __init__(self, loop: asyncio.AbstractEventLoop, registry: Registry, paths: list[str]) -> None:
        self.loop = loop
        self.registry = registry
        self.paths = paths
        self.started = 0
        self.failed = 0
        self.subscriptions: list[Subscription] = []
        self.api = ExtensionsApi(registry, self.subscriptions.append, self._changed)
        self.on_all_registered: Callable[[], None] | None = None
        self.on_all_waiting: Callable[[], None] | None = None
        self.on_init_error: Callable[[str, bytes], None] | None = None
        self.last_next = 0.0  # when the last extension came back to event/next (REPORT's extension time)

    def start(self, write: Callable[[bytes], None], env: dict[str, str], on_all_registered: Callable[[], None]) -> None:
        self.on_all_registered = on_all_registered
        for path in self.paths:
            write(extension_frame(path, env))

    def extension_failed(self) -> None:
        self.failed += 1
        self._changed()

    def _changed(self) -> None:
        failure = self.registry.init_failure
        if failure is not None and self.on_init_error is not None:
            callback, self.on_init_error = self.on_init_error, None
            callback(failure.error_type, failure.body)
            return
        if self.on_all_registered is not None and len(self.registry.extensions) + self.failed >= len(self.paths):
            callback, self.on_all_registered = self.on_all_registered, None
            self.registry.close_registration()
            callback()
        if self.registry.all_waiting():
            self.last_next = time.perf_counter()
            if self.on_all_waiting is not None:
                callback, self.on_all_waiting = self.on_all_waiting, None
                callback()

    def when_all_waiting(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once every extension is back in ``event/next`` (now, if they are)."""
        if self.registry.all_waiting():
            callback()
        else:
            self.on_all_waiting = callback

    async def shutdown(self, reason: str = "spindown") -> None:
        deadline_ms = int((time.time() + SHUTDOWN_SECONDS) * 1000)
        if not self.registry.shutdown(reason, deadline_ms):
            return
        done = self.loop.create_future()
        self.when_all_waiting(lambda: done.done() or done.set_result(None))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, SHUTDOWN_SECONDS)
