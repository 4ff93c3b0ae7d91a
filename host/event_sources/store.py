"""Mappings and stream checkpoints in the host's SQLite database.

Two tables of this room's own: ``esm_mappings`` (each configuration as JSON) and
``esm_checkpoints`` (per mapping, shard and lane, the last sequence number done with; lane
-1 is the shard's floor, below which every lane is done, or ``SHARD_END``).

Checkpoints are written by ``CheckpointWriter``: a caller waits until its checkpoint is
committed (a completed batch must never run again after ``kill -9``), and every checkpoint
that arrives while a commit is under way shares the next one (group commit), so many
shards cost one transaction.
"""

from __future__ import annotations

import logging
import threading

from host.event_sources.core.config import MappingConfig
from host.event_sources.core.shapes import from_json, to_json
from host.store.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS esm_mappings (
    uuid TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS esm_checkpoints (
    uuid TEXT NOT NULL,
    shard TEXT NOT NULL,
    lane INTEGER NOT NULL,
    sequence TEXT NOT NULL,
    PRIMARY KEY (uuid, shard, lane)
);
"""
log = logging.getLogger("lambda_host.event_sources")
FLOOR = -1
SHARD_END = "SHARD_END"


class MappingStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.connection().executescript(SCHEMA)

    def put(self, mapping: MappingConfig) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO esm_mappings (uuid, config) VALUES (?, ?)", (mapping.uuid, to_json(mapping))
            )

    def get(self, uuid: str) -> MappingConfig | None:
        row = self.db.connection().execute("SELECT config FROM esm_mappings WHERE uuid = ?", (uuid,)).fetchone()
        return from_json(row[0]) if row else None

    def all(self) -> list[MappingConfig]:
        rows = self.db.connection().execute("SELECT config FROM esm_mappings ORDER BY uuid").fetchall()
        return [from_json(row[0]) for row in rows]

    def delete(self, uuid: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM esm_mappings WHERE uuid = ?", (uuid,))
            conn.execute("DELETE FROM esm_checkpoints WHERE uuid = ?", (uuid,))

    def checkpoints(self, uuid: str) -> dict[str, dict[int, str]]:
        """shard -> lane -> sequence."""
        found: dict[str, dict[int, str]] = {}
        rows = (
            self.db.connection()
            .execute("SELECT shard, lane, sequence FROM esm_checkpoints WHERE uuid = ?", (uuid,))
            .fetchall()
        )
        for shard, lane, sequence in rows:
            found.setdefault(shard, {})[lane] = sequence
        return found


class CheckpointWriter:
    """Group commit of checkpoints; ``save`` blocks until its rows are committed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.Condition()
        self.pending: dict[tuple[str, str, int], str] = {}
        self.generation = 0  # commits done
        self.closed = False
        self.writing = False
        self.thread = threading.Thread(target=self._run, name="lambda-host-checkpoints", daemon=True)
        self.thread.start()

    def save(self, rows: dict[tuple[str, str, int], str], timeout: float = 30.0) -> None:
        with self.lock:
            self.pending.update(rows)
            wanted = self.generation + 1 if not self.writing else self.generation + 2
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.generation >= wanted or self.closed, timeout)

    def _run(self) -> None:
        while True:
            with self.lock:
                self.lock.wait_for(lambda: self.pending or self.closed)
                if self.closed and not self.pending:
                    return
                rows, self.pending = self.pending, {}
                self.writing = True
            try:
                with self.db.transaction() as conn:
                    conn.executemany(
                        "INSERT OR REPLACE INTO esm_checkpoints (uuid, shard, lane, sequence) VALUES (?, ?, ?, ?)",
                        [(*key, sequence) for key, sequence in rows.items()],
                    )
            except Exception:  # the database is locked or gone: keep the rows for the next commit
                log.exception("writing %d checkpoint(s) failed; trying again", len(rows))
                with self.lock:
                    self.pending = {**rows, **self.pending}
                    self.writing = False
                    self.lock.wait(0.5)
                continue
            with self.lock:
                self.writing = False
                self.generation += 1
                self.lock.notify_all()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.lock.notify_all()
        self.thread.join(5)
