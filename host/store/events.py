"""The async invocation queue and the outbox of what it delivers, both in SQLite.

Every accepted Event invocation is a row until it has run to its end: ``add`` commits
before the caller gets its 202, so an accepted event survives a crash of the host, and a
crash mid-run leaves the row, so the event runs again (at least once, as on AWS).

An event that ends hands its results to the outbox in the same transaction that removes
it (``finish``): a destination's record or a dead-letter message is never lost between
the two. A delivery row is removed once delivered; one that cannot be delivered after
its retries stays, marked ``failed``, for ``lambda-host dlq list`` to show.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace

from host.store.db import Database


@dataclass(frozen=True)
class QueuedEvent:
    request_id: str
    function_name: str
    qualifier: str
    payload: bytes | None  # None while it waits: read back from the row when it runs (``payload``)
    attempts: int
    due: float
    created: float


@dataclass(frozen=True)
class Delivery:
    """One message for a destination (``OnSuccess``/``OnFailure``) or a dead-letter queue."""

    request_id: str
    function_arn: str
    kind: str  # OnSuccess, OnFailure or DeadLetter
    target: str  # the ARN it goes to
    body: bytes
    attributes: dict = field(default_factory=dict)  # message attributes (dead-letter messages)
    attempts: int = 0
    due: float = 0.0
    status: str = "pending"
    last_error: str | None = None
    created: float = 0.0
    id: int | None = None


_DELIVERY_COLUMNS = (
    "request_id, function_arn, kind, target, body, attributes, attempts, due, status, last_error, created"
)


def _delivery(row) -> Delivery:
    """A row of ``SELECT {_DELIVERY_COLUMNS}, id``."""
    (request_id, function_arn, kind, target, body, attributes, attempts, due, status, last_error, created, id_) = row
    return Delivery(
        request_id, function_arn, kind, target, bytes(body), json.loads(attributes or "{}"), attempts, due, status,
        last_error, created, id_,
    )  # fmt: skip


class EventQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- events -----------------------------------------------------------------------------

    def add(self, request_id: str, function_name: str, qualifier: str, payload: bytes) -> QueuedEvent:
        return self.add_many([(request_id, function_name, qualifier, payload)])[0]

    def add_many(self, entries: list[tuple[str, str, str, bytes]]) -> list[QueuedEvent]:
        """Several events (request id, function, qualifier, payload) in one transaction."""
        now = time.time()
        events = [
            QueuedEvent(request_id, name, qualifier, payload, 0, now, now)
            for request_id, name, qualifier, payload in entries
        ]
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO async_events"
                " (request_id, function_name, qualifier, payload, attempts, due, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(e.request_id, e.function_name, e.qualifier, e.payload, e.attempts, e.due, e.created) for e in events],
            )
        return events

    def pending(self) -> list[QueuedEvent]:
        """Every queued event, without its payload (a backlog must not have to fit in memory)."""
        rows = self.db.connection().execute(
            "SELECT request_id, function_name, qualifier, NULL, attempts, due, created FROM async_events ORDER BY due"
        )
        return [QueuedEvent(*row) for row in rows]

    def payload(self, request_id: str) -> bytes | None:
        """A queued event's payload; None when the event is no longer queued."""
        row = (
            self.db.connection()
            .execute("SELECT payload FROM async_events WHERE request_id = ?", (request_id,))
            .fetchone()
        )
        return bytes(row[0]) if row is not None else None

    def count(self) -> int:
        return self.db.connection().execute("SELECT COUNT(*) FROM async_events").fetchone()[0]

    def reschedule(self, request_id: str, attempts: int, due: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE async_events SET attempts = ?, due = ? WHERE request_id = ?", (attempts, due, request_id)
            )

    def remove_function(self, function_name: str) -> int:
        """Drop the queued events of a deleted function; how many."""
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM async_events WHERE function_name = ?", (function_name,)).rowcount

    def finish(self, request_id: str, deliveries: list[Delivery]) -> list[Delivery]:
        """Remove the event and queue what it delivers, in one transaction; the stored deliveries."""
        stored = []
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM async_events WHERE request_id = ?", (request_id,))
            for delivery in deliveries:
                cursor = conn.execute(
                    f"INSERT INTO deliveries ({_DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        delivery.request_id, delivery.function_arn, delivery.kind, delivery.target, delivery.body,
                        json.dumps(delivery.attributes), delivery.attempts, delivery.due, delivery.status,
                        delivery.last_error, delivery.created,
                    ),
                )  # fmt: skip
                stored.append(Delivery(**{**delivery.__dict__, "id": cursor.lastrowid}))
        return stored

    # -- deliveries -------------------------------------------------------------------------

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        query = f"SELECT {_DELIVERY_COLUMNS}, id FROM deliveries"
        rows = self.db.connection().execute(
            query + (" WHERE status = ? ORDER BY id" if status else " ORDER BY id"), (status,) if status else ()
        )
        return [_delivery(row) for row in rows]

    def delivered(self, delivery_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM deliveries WHERE id = ?", (delivery_id,))

    def delivery_failed(self, delivery_id: int, attempts: int, due: float, error: str, gave_up: bool) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET attempts = ?, due = ?, last_error = ?, status = ? WHERE id = ?",
                (attempts, due, error, "failed" if gave_up else "pending", delivery_id),
            )

    def redrive(self) -> int:
        """Failed deliveries become pending again (tried by the next host to start); how many."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE deliveries SET status = 'pending', attempts = 0, due = ? WHERE status = 'failed'",
                (time.time(),),
            )
            return cursor.rowcount

    def requeue_failed(self, delivery_id: int | None = None) -> list[Delivery]:
        """Failed deliveries (one, or all) become pending again, due now; the rows as they now are."""
        where, args = (
            ("status = 'failed' AND id = ?", (delivery_id,)) if delivery_id is not None else ("status = 'failed'", ())
        )
        with self.db.transaction() as conn:
            rows = conn.execute(f"SELECT {_DELIVERY_COLUMNS}, id FROM deliveries WHERE {where}", args).fetchall()
            ids = [row[-1] for row in rows]
            now = time.time()
            conn.executemany(
                "UPDATE deliveries SET status = 'pending', attempts = 0, due = ? WHERE id = ?", [(now, i) for i in ids]
            )
        return [replace(_delivery(row), status="pending", attempts=0, due=now) for row in rows]
