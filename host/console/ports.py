"""What the console reads from the rest of the host: a few narrow calls, never internals.

The host builds one ``ConsolePorts`` (``host.host``); the console's views call only these.
Each call is safe from a worker thread: calls into the scheduler hop onto the event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class QueueReader(Protocol):
    """The async queue's reads the console uses (``host.store.events.EventQueue``)."""

    def pending(self) -> list: ...

    def deliveries(self, status: str | None = None) -> list: ...


@dataclass(frozen=True)
class ConsolePorts:
    pool: Callable[[], Any]  # the warm pool's ``PoolSnapshot`` (host.environments.snapshot)
    queue: QueueReader
    redrive: Callable[[int | None], int]  # try failed deliveries again: one by id, or all; how many
    machine_definition: Callable[[str], str]  # a state machine's (or version's) definition; LookupError if none
    region: str = "us-east-1"
    account: str = "123456789012"


def on_loop(loop: asyncio.AbstractEventLoop, call: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Run ``call`` on ``loop`` and wait for its result, from another thread."""
    future: concurrent.futures.Future = concurrent.futures.Future()

    def run() -> None:
        try:
            future.set_result(call())
        except Exception as exc:  # handed to the waiting thread
            future.set_exception(exc)

    loop.call_soon_threadsafe(run)
    return future.result(timeout)
