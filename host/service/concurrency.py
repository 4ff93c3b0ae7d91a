"""Reserved concurrency: at most N invocations of a function (all its versions) run at once.

A synchronous invocation over the limit is refused with 429 as on AWS and nothing
runs; an Event invocation waits and is tried again (``AsyncDispatcher``). Functions
without a reservation are not counted at all, so the hot path pays one dict lookup.
Runs on the event loop only.
"""

from __future__ import annotations

from host.core.errors import TooManyRequests
from host.store.functions import FunctionStore

RESERVED_LIMIT_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"


class ConcurrencyGate:
    def __init__(self, store: FunctionStore) -> None:
        self.store = store
        self.running: dict[str, int] = {}

    def limit(self, name: str) -> int | None:
        """The function's reserved concurrency, or None when it has none."""
        latest = self.store.get(name)
        return latest.reserved_concurrency if latest is not None else None

    def enter(self, name: str) -> bool:
        """Count one more invocation of ``name``: True when it was counted (call ``leave``),
        False when the function has no reservation. Raises 429 when it is at its limit."""
        limit = self.limit(name)
        if limit is None:
            return False
        running = self.running.get(name, 0)
        if running >= limit:
            raise TooManyRequests("Rate Exceeded.", RESERVED_LIMIT_REASON)
        self.running[name] = running + 1
        return True

    def leave(self, name: str) -> None:
        left = self.running.get(name, 0) - 1
        if left > 0:
            self.running[name] = left
        else:
            self.running.pop(name, None)
