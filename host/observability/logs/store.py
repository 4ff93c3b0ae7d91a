"""Log groups, streams and events in ``logs.db`` (SQLite, WAL) in the host's state directory.

1. Writes are batched: ``append`` only queues (it runs on the event loop, on the warm
   invoke path); a writer thread takes everything queued every ``interval`` seconds and
   commits it in one transaction. ``flush`` commits what is queued at once: readers call
   it first, so an API call sees every line written before it. The batch goes to SQLite as
   one JSON document in one statement (``json_each``): ``executemany`` would step once per
   row, and each step gives up and takes back the interpreter lock, which the event loop then
   has to hand over hundreds of times per batch (measured: a third of the throughput gone).
2. The store is bounded: once the events' bytes (message plus 26, as CloudWatch counts)
   pass ``max_bytes``, the oldest events go until 90% of it is left.
3. Retention: events older than their group's ``retentionInDays`` are deleted when the
   policy is set and then once a minute.
4. A group and a stream written to by a function come into being on first write, as
   Lambda creates them; the API creates them explicitly.

It must not know about functions or environments: it stores what it is handed.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from host.observability.logs.core.paging import bound_target, event_size, retention_cutoff
from host.store.db import Database

log = logging.getLogger("lambda_host.logs")
SCHEMA = """
CREATE TABLE IF NOT EXISTS log_groups (
    name TEXT PRIMARY KEY,
    created INTEGER NOT NULL,
    retention INTEGER
);
CREATE TABLE IF NOT EXISTS log_streams (
    group_name TEXT NOT NULL,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    first_event INTEGER,
    last_event INTEGER,
    last_ingestion INTEGER,
    PRIMARY KEY (group_name, name)
);
CREATE TABLE IF NOT EXISTS log_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_name TEXT NOT NULL,
    stream TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    ingestion INTEGER NOT NULL,
    message TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_stream ON log_events (group_name, stream, id);
CREATE INDEX IF NOT EXISTS log_events_time ON log_events (group_name, timestamp, id);
"""
Event = tuple[int, str]  # (timestamp ms, message)
RETENTION_EVERY = 60.0
INSERT_BATCH = (
    "INSERT INTO log_events (group_name, stream, timestamp, ingestion, message, size)"
    " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),"
    " json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]') FROM json_each(?)"
)
# The last event to drop so that the oldest ones freeing at least ? bytes go (one statement, see 1.).
DROP_THROUGH = (
    "SELECT id FROM (SELECT id, SUM(size) OVER (ORDER BY id) AS freed FROM log_events) WHERE freed >= ? LIMIT 1"
)


def now_ms() -> int:
    return int(time.time() * 1000)


class LogStore:
    def __init__(self, path: Path, max_bytes: int, interval: float = 0.05) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.interval = interval
        self.db = Database(path, SCHEMA)
        self.pending: collections.deque = collections.deque()
        self.wake = threading.Event()
        self.write_lock = threading.Lock()
        self.closed = False
        self.last_retention = 0.0
        self.total = self.db.connection().execute("SELECT COALESCE(SUM(size), 0) FROM log_events").fetchone()[0]
        self.thread = threading.Thread(target=self._run, name="lambda-host-logs", daemon=True)
        self.thread.start()

    # -- writing ---------------------------------------------------------------------------

    def append(self, group: str, stream: str, events: list[Event]) -> None:
        """Queue ``events`` for ``group``/``stream`` (created if new); cheap, any thread."""
        self.pending.append((group, stream, events, now_ms()))
        if not self.wake.is_set():
            self.wake.set()

    def append_lines(self, group: str, stream: str, timestamp: int, lines: list[bytes]) -> None:
        """Queue output ``lines`` (UTF-8, no newline) stamped ``timestamp``: the cheapest way in,
        for the event loop; the writer decodes them."""
        self.pending.append((group, stream, lines, timestamp))
        if not self.wake.is_set():
            self.wake.set()

    def flush(self) -> None:
        """Commit everything queued so far."""
        with self.write_lock:
            batch = []
            while self.pending:
                batch.append(self.pending.popleft())
            if batch:
                self._write(batch)
            if self.total > self.max_bytes:
                self._shrink()
            if time.monotonic() - self.last_retention > RETENTION_EVERY:
                self.enforce_retention()

    def _run(self) -> None:
        while not self.closed:
            self.wake.wait()
            if self.closed:
                break
            time.sleep(self.interval)  # let a burst gather: one transaction for all of it
            self.wake.clear()
            try:
                self.flush()
            except Exception:
                log.exception("writing log events failed")

    def _write(self, batch: list) -> None:
        rows = []
        streams: dict[tuple[str, str], list[int]] = {}
        for group, stream, events, ingestion in batch:
            seen = streams.setdefault((group, stream), [ingestion, 2**62, -1])
            seen[0] = max(seen[0], ingestion)
            if events and isinstance(events[0], bytes):  # output lines: (arrival time, text + newline)
                events = [(ingestion, line.rstrip(b"\r").decode("utf-8", "replace") + "\n") for line in events]
            for timestamp, message in events:
                size = event_size(message)
                self.total += size
                rows.append((group, stream, timestamp, ingestion, message, size))
                seen[1] = min(seen[1], timestamp)
                seen[2] = max(seen[2], timestamp)
        with self.db.transaction() as conn:
            for (group, stream), (ingestion, first, last) in streams.items():
                conn.execute("INSERT OR IGNORE INTO log_groups (name, created) VALUES (?, ?)", (group, ingestion))
                conn.execute(
                    "INSERT OR IGNORE INTO log_streams (group_name, name, created) VALUES (?, ?, ?)",
                    (group, stream, ingestion),
                )
                if last >= 0:
                    conn.execute(
                        "UPDATE log_streams SET first_event = MIN(COALESCE(first_event, ?), ?),"
                        " last_event = MAX(COALESCE(last_event, ?), ?), last_ingestion = ?"
                        " WHERE group_name = ? AND name = ?",
                        (first, first, last, last, ingestion, group, stream),
                    )
            conn.execute(INSERT_BATCH, (json.dumps(rows),))

    def _shrink(self) -> None:
        row = self.db.connection().execute(DROP_THROUGH, (self.total - bound_target(self.max_bytes),)).fetchone()
        self._delete("id <= ?", (row[0] if row else 2**62,))

    def _delete(self, where: str, params: tuple) -> None:
        with self.db.transaction() as conn:
            freed = conn.execute(f"SELECT COALESCE(SUM(size), 0) FROM log_events WHERE {where}", params).fetchone()[0]
            conn.execute(f"DELETE FROM log_events WHERE {where}", params)
        self.total -= freed

    def enforce_retention(self, now: int | None = None) -> None:
        """Delete the events older than their group's retention."""
        self.last_retention = time.monotonic()
        now = now if now is not None else now_ms()
        groups = self.db.connection().execute("SELECT name, retention FROM log_groups WHERE retention IS NOT NULL")
        for name, days in groups.fetchall():
            self._delete("group_name = ? AND timestamp < ?", (name, retention_cutoff(days, now)))

    def close(self) -> None:
        self.closed = True
        self.wake.set()
        self.thread.join(5)
        self.flush()

    # -- groups and streams ----------------------------------------------------------------

    def create_group(self, name: str, created: int) -> bool:
        """False when it exists already."""
        with self.write_lock, self.db.transaction() as conn:
            return (
                conn.execute("INSERT OR IGNORE INTO log_groups (name, created) VALUES (?, ?)", (name, created)).rowcount
                == 1
            )

    def delete_group(self, name: str) -> bool:
        self.flush()
        with self.write_lock:
            self._delete("group_name = ?", (name,))
            with self.db.transaction() as conn:
                conn.execute("DELETE FROM log_streams WHERE group_name = ?", (name,))
                return conn.execute("DELETE FROM log_groups WHERE name = ?", (name,)).rowcount == 1

    def set_retention(self, name: str, days: int | None) -> bool:
        with self.write_lock:
            with self.db.transaction() as conn:
                found = conn.execute("UPDATE log_groups SET retention = ? WHERE name = ?", (days, name)).rowcount == 1
            if found and days is not None:
                self._delete("group_name = ? AND timestamp < ?", (name, retention_cutoff(days, now_ms())))
        return found

    def groups(self) -> list[tuple[str, int, int | None, int]]:
        """Every group: (name, created, retention, stored bytes), by name."""
        self.flush()
        return (
            self.db.connection()
            .execute(
                "SELECT g.name, g.created, g.retention,"
                " (SELECT COALESCE(SUM(size), 0) FROM log_events e WHERE e.group_name = g.name)"
                " FROM log_groups g ORDER BY g.name"
            )
            .fetchall()
        )

    def retention(self, name: str) -> int | None:
        row = self.db.connection().execute("SELECT retention FROM log_groups WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def has_group(self, name: str) -> bool:
        self.flush()  # a function's group comes into being with its first lines
        return self.db.connection().execute("SELECT 1 FROM log_groups WHERE name = ?", (name,)).fetchone() is not None

    def create_stream(self, group: str, name: str, created: int) -> bool:
        with self.write_lock, self.db.transaction() as conn:
            sql = "INSERT OR IGNORE INTO log_streams (group_name, name, created) VALUES (?, ?, ?)"
            return conn.execute(sql, (group, name, created)).rowcount == 1

    def delete_stream(self, group: str, name: str) -> bool:
        self.flush()
        with self.write_lock:
            self._delete("group_name = ? AND stream = ?", (group, name))
            with self.db.transaction() as conn:
                sql = "DELETE FROM log_streams WHERE group_name = ? AND name = ?"
                return conn.execute(sql, (group, name)).rowcount == 1

    def streams(self, group: str) -> list[tuple]:
        """(name, created, first event, last event, last ingestion) of each stream of ``group``."""
        self.flush()
        return (
            self.db.connection()
            .execute(
                "SELECT s.name, s.created,"
                " (SELECT MIN(timestamp) FROM log_events e WHERE e.group_name = s.group_name AND e.stream = s.name),"
                " s.last_event, s.last_ingestion FROM log_streams s WHERE s.group_name = ? ORDER BY s.name",
                (group,),
            )
            .fetchall()
        )

    def has_stream(self, group: str, name: str) -> bool:
        self.flush()
        sql = "SELECT 1 FROM log_streams WHERE group_name = ? AND name = ?"
        return self.db.connection().execute(sql, (group, name)).fetchone() is not None

    # -- events ----------------------------------------------------------------------------

    def stream_events(
        self, group: str, stream: str, start: int | None, end: int | None, *, after: int | None = None,
        before: int | None = None, limit: int,
    ) -> list[tuple[int, int, str, int]]:  # fmt: skip
        """(position, timestamp, message, ingestion) in [start, end): oldest first after ``after``,
        or the newest ``limit`` before ``before`` (still oldest first)."""
        self.flush()
        where, params = ["group_name = ?", "stream = ?"], [group, stream]
        if start is not None:
            where.append("timestamp >= ?")
            params.append(start)
        if end is not None:
            where.append("timestamp < ?")
            params.append(end)
        if after is not None:
            where.append("id > ?")
            params.append(after)
        if before is not None:
            where.append("id < ?")
            params.append(before)
        order = "ASC" if before is None else "DESC"
        sql = (
            f"SELECT id, timestamp, message, ingestion FROM log_events WHERE {' AND '.join(where)}"
            f" ORDER BY id {order} LIMIT ?"
        )
        rows = self.db.connection().execute(sql, (*params, limit)).fetchall()
        return rows if before is None else rows[::-1]

    def newest_position(self) -> int:
        self.flush()
        return self.db.connection().execute("SELECT COALESCE(MAX(id), 0) FROM log_events").fetchone()[0]

    def events_since(self, groups: list[str], after: int, limit: int) -> list[tuple[int, int, str, str, str, int]]:
        """(position, timestamp, group, stream, message, ingestion) written after ``after``, in order."""
        self.flush()
        sql = (
            "SELECT id, timestamp, group_name, stream, message, ingestion FROM log_events"
            f" WHERE id > ? AND group_name IN ({','.join('?' * len(groups))}) ORDER BY id LIMIT ?"
        )
        return self.db.connection().execute(sql, (after, *groups, limit)).fetchall()

    def last_position(self, group: str, stream: str) -> int:
        sql = "SELECT COALESCE(MAX(id), 0) FROM log_events WHERE group_name = ? AND stream = ?"
        return self.db.connection().execute(sql, (group, stream)).fetchone()[0]

    def group_events(
        self, group: str, streams: list[str] | None, prefix: str | None, start: int | None, end: int | None,
        after: tuple[int, int] | None, limit: int | None = None,
    ) -> Iterator[tuple[int, int, str, str, int]]:  # fmt: skip
        """(position, timestamp, stream, message, ingestion) of ``group`` by time, lazily (``limit``: at most)."""
        self.flush()
        where, params = ["group_name = ?"], [group]
        if streams is not None:
            where.append(f"stream IN ({','.join('?' * len(streams))})")
            params.extend(streams)
        if prefix:
            where.append("substr(stream, 1, ?) = ?")
            params.extend([len(prefix), prefix])
        if start is not None:
            where.append("timestamp >= ?")
            params.append(start)
        if end is not None:
            where.append("timestamp < ?")
            params.append(end)
        if after is not None:
            where.append("(timestamp > ? OR (timestamp = ? AND id > ?))")
            params.extend([after[0], after[0], after[1]])
        sql = (
            f"SELECT id, timestamp, stream, message, ingestion FROM log_events WHERE {' AND '.join(where)}"
            " ORDER BY timestamp, id"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        cursor = self.db.connection().cursor()
        cursor.execute(sql, params)
        try:
            while True:
                rows = cursor.fetchmany(500)
                if not rows:
                    return
                yield from rows
        finally:
            cursor.close()
