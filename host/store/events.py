"""The async invocation queue: every accepted Event invocation is a row until it is done.

``add`` commits before the caller answers 202, so an accepted event survives a crash
of the host; rows are removed only once the event has run to its end (success, or
retries exhausted). A crash mid-run leaves the row, so the event runs again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from host.store.db import Database


@dataclass(frozen=True)
class QueuedEvent:
    request_id: str
    function_name: str
    qualifier: str
    payload: bytes
    attempts: int
    due: float
    created: float


class EventQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, request_id: str, function_name: str, qualifier: str, payload: bytes) -> QueuedEvent:
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO async_events (request_id, function_name, qualifier, payload, attempts, due, created)"
                " VALUES (?, ?, ?, ?, 0, ?, ?)",
                (request_id, function_name, qualifier, payload, now, now),
            )
        return QueuedEvent(request_id, function_name, qualifier, payload, 0, now, now)

    def pending(self) -> list[QueuedEvent]:
        rows = self.db.connection().execute(
            "SELECT request_id, function_name, qualifier, payload, attempts, due, created"
            " FROM async_events ORDER BY due"
        )
        return [QueuedEvent(*row) for row in rows]

    def reschedule(self, request_id: str, attempts: int, due: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE async_events SET attempts = ?, due = ? WHERE request_id = ?", (attempts, due, request_id)
            )

    def remove(self, request_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM async_events WHERE request_id = ?", (request_id,))
