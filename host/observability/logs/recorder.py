"""The one door the Lambda side writes logs through: lines of a log group's stream.

``LogSink`` (``host.environments.logsink``) calls ``record`` on the event loop with whole
lines, without their newline; each becomes one event stamped now, its message ending in a
newline as Lambda's do (``START RequestId: ... Version: $LATEST\\n``).
"""

from __future__ import annotations

import time

from host.observability.logs.store import LogStore


class LogRecorder:
    def __init__(self, store: LogStore) -> None:
        self.store = store

    def record(self, group: str, stream: str, lines: list[bytes]) -> None:
        """Queue ``lines`` (no newlines) as events of ``group``/``stream``; returns at once."""
        now = int(time.time() * 1000)
        self.store.append(
            group, stream, [(now, line.rstrip(b"\r").decode("utf-8", "replace") + "\n") for line in lines]
        )
