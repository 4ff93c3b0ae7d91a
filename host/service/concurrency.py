"""Concurrency limits: a function's reserved concurrency, and the host's own limit.

At most N invocations of a function with reserved concurrency N run at once (all its
versions together), and at most ``host_limit`` invocations run on the host at all
(``--max-concurrency``; by default as many 128 MB environments as the machine's memory
holds, at most AWS's default account limit of 1,000). A synchronous invocation over
either is refused with 429 as on AWS, with the Reason saying which
(``ReservedFunctionConcurrentInvocationLimitExceeded`` or
``ConcurrentInvocationLimitExceeded``), and nothing runs; an Event invocation waits and
is tried again (``AsyncDispatcher``). Runs on the event loop only: the counters are
plain integers.
"""

from __future__ import annotations

import os

from host.core.errors import TooManyRequests
from host.store.functions import FunctionStore

RESERVED_LIMIT_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"
HOST_LIMIT_REASON = "ConcurrentInvocationLimitExceeded"
ACCOUNT_DEFAULT = 1000
SMALLEST_ENVIRONMENT_MB = 128


def default_host_limit() -> int:
    """As many of the smallest environments as this machine's memory holds (at least 10, at most 1,000)."""
    try:
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):
        return ACCOUNT_DEFAULT
    return max(10, min(ACCOUNT_DEFAULT, memory_mb // SMALLEST_ENVIRONMENT_MB))


class ConcurrencyGate:
    def __init__(self, store: FunctionStore, host_limit: int | None = None) -> None:
        self.store = store
        self.host_limit = host_limit or default_host_limit()
        self.running: dict[str, int] = {}  # per function name
        self.total = 0

    def limit(self, name: str) -> int | None:
        """The function's reserved concurrency, or None when it has none."""
        latest = self.store.get(name)
        return latest.reserved_concurrency if latest is not None else None

    def on_demand_limit(self, name: str, version: str) -> int | None:
        """What reserved concurrency leaves for this version: provisioned concurrency is carved
        out of it for the versions that have it, so others get the rest (AWS throttles $LATEST
        when reserved equals provisioned)."""
        limit = self.limit(name)
        if limit is None:
            return None
        configs = self.store.provisioned_configs(name)
        if not configs:
            return limit
        covered = set()
        for config in configs:
            alias = None if config.qualifier.isdigit() else self.store.alias(name, config.qualifier)
            covered.add(config.qualifier if alias is None else alias.function_version)
        return limit if version in covered else limit - sum(c.requested for c in configs)

    def enter(self, name: str, version: str = "$LATEST") -> bool:
        """Count one more invocation of ``name`` (call ``leave`` when it ends; True, always).
        Raises 429 when the function or the host is at its limit."""
        running = self.running.get(name, 0)
        limit = self.on_demand_limit(name, version)
        if limit is not None and running >= limit:
            raise TooManyRequests("Rate Exceeded.", RESERVED_LIMIT_REASON)
        if self.total >= self.host_limit:
            raise TooManyRequests("Rate Exceeded.", HOST_LIMIT_REASON)
        self.running[name] = running + 1
        self.total += 1
        return True

    def leave(self, name: str) -> None:
        self.total = max(0, self.total - 1)
        left = self.running.get(name, 0) - 1
        if left > 0:
            self.running[name] = left
        else:
            self.running.pop(name, None)
