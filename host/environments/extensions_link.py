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
import json
import logging
import os
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from host.environments.agent_protocol import encode
from host.extensions import telemetry
from host.extensions.api import ExtensionsApi
from host.extensions.registry import Registry
from host.extensions.telemetry import Buffer, Subscription

EXTENSIONS_DIR = "/opt/extensions"
SHUTDOWN_SECONDS = 2.0
SANDBOX_NAMES = frozenset({"sandbox.localdomain", "sandbox", "localhost", "127.0.0.1"})
log = logging.getLogger(__name__)


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

    def __init__(
        self, loop: asyncio.AbstractEventLoop, registry: Registry, paths: list[str], address: str | None = None
    ) -> None:
        self.loop = loop
        self.registry = registry
        self.paths = paths
        self.address = address  # the container's IP: where sandbox.localdomain points
        self.failed = 0
        self.buffers: list[Buffer] = []
        self.timers: dict[int, asyncio.TimerHandle] = {}
        self.api = ExtensionsApi(registry, self._subscribed, self._changed)
        self.on_all_registered: Callable[[], None] | None = None
        self.on_all_waiting: Callable[[], None] | None = None
        self.on_init_error: Callable[[str, bytes], None] | None = None
        self.last_next = 0.0  # when the last extension came back to event/next (REPORT's extension time)

    def start(self, write: Callable[[bytes], None], env: dict[str, str], on_all_registered: Callable[[], None]) -> None:
        self.on_all_registered = on_all_registered
        for path in self.paths:
            write(extension_frame(path, env))

    # -- Telemetry and Logs API delivery ----------------------------------------------------
    def _subscribed(self, subscription: Subscription) -> None:
        self.buffers = [
            b
            for b in self.buffers
            if b.subscription.extension != subscription.extension or b.subscription.api != subscription.api
        ]
        self.buffers.append(Buffer(subscription))

    def emit(self, record: dict) -> None:
        """Hand a Telemetry record to every subscription that wants its type."""
        now = time.monotonic()
        for index, buffer in enumerate(self.buffers):
            batch = buffer.add(record, now)
            if batch:
                self._send(buffer.subscription, batch)
            elif buffer.records and index not in self.timers:
                self.timers[index] = self.loop.call_later(buffer.subscription.timeout_ms / 1000, self._due, index)

    def _due(self, index: int) -> None:
        self.timers.pop(index, None)
        if index < len(self.buffers):
            buffer = self.buffers[index]
            batch = buffer.take()
            if batch:
                self._send(buffer.subscription, batch)

    def _send(self, subscription: Subscription, batch: list[dict]) -> None:
        host = self.address if subscription.host in SANDBOX_NAMES and self.address else subscription.host
        url = f"http://{host}:{subscription.port}{subscription.path}"
        if subscription.api == "logs":
            batch = [shaped for r in batch for shaped in telemetry.logs_api_records(r)]
        body = json.dumps(batch)
        self.loop.run_in_executor(None, _post, url, body.encode())

    def flush(self) -> None:
        for index in list(self.timers):
            self.timers.pop(index).cancel()
            self._due(index)

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
        self.flush()
        deadline_ms = int((time.time() + SHUTDOWN_SECONDS) * 1000)
        if not self.registry.shutdown(reason, deadline_ms):
            return
        done = self.loop.create_future()
        self.when_all_waiting(lambda: done.done() or done.set_result(None))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, SHUTDOWN_SECONDS)


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
    except OSError as exc:  # a listener that went away loses its batch, as on Lambda
        log.info("telemetry batch to %s not delivered: %s", url, exc)
