"""CloudWatch Logs assembled: the store in the state directory, the service, the endpoint and
the recorder the Lambda side writes through. ``Host`` builds one and registers its endpoint
for ``X-Amz-Target: Logs_20140328.*``.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

from host.http.server import Handler
from host.observability.logs.api import PREFIX, LogsEndpoint
from host.observability.logs.live_tail import LiveTail
from host.observability.logs.recorder import LogRecorder
from host.observability.logs.service import LogsService
from host.observability.logs.store import LogStore

__all__ = ["PREFIX", "CloudWatchLogs"]


class CloudWatchLogs:
    def __init__(
        self, state_dir: Path, max_bytes: int, region: str, account: str, executor: Executor,
        fallback: Handler | None = None,
    ) -> None:  # fmt: skip
        """``fallback`` answers the Logs operations not served here (the host's AWS endpoint)."""
        self.store = LogStore(state_dir / "logs.db", max_bytes)
        self.service = LogsService(self.store, region, account)
        self.live_tail = LiveTail(self.service, executor)
        self.endpoint = LogsEndpoint(self.service.operations(), executor, self.live_tail, fallback)
        self.recorder = LogRecorder(self.store)

    def close(self) -> None:
        """End live tails, commit what is queued and stop the writer."""
        self.live_tail.close()
        self.store.close()
