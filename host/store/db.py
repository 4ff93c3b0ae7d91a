"""The host's SQLite database: one file in the state directory, in WAL mode.

Every thread gets its own connection (SQLite connections are not shared across
threads); writes are short transactions. ``synchronous=NORMAL`` under WAL keeps a
committed transaction through a crash of the host process (``kill -9``), which is the
durability the async queue promises; it does not fsync on every commit.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS functions (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS version_counters (
    name TEXT PRIMARY KEY,
    last_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    function_name TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, name)
);
CREATE TABLE IF NOT EXISTS function_urls (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
);
CREATE TABLE IF NOT EXISTS function_policies (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
);
CREATE TABLE IF NOT EXISTS event_invoke_configs (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
);
CREATE TABLE IF NOT EXISTS provisioned_configs (
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (function_name, qualifier)
);
CREATE TABLE IF NOT EXISTS layer_versions (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS layer_counters (
    name TEXT PRIMARY KEY,
    last_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS async_events (
    request_id TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    payload BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due REAL NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS async_events_due ON async_events (due);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    body BLOB NOT NULL,
    attributes TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    due REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT,
    created REAL NOT NULL
);
"""


class Database:
    """One SQLite file in WAL mode, a connection per thread; ``schema`` is created if missing
    (the host's tables by default; the CloudWatch Logs store keeps its own file)."""

    def __init__(self, path: Path, schema: str = SCHEMA) -> None:
        self.path = path
        self._local = threading.local()
        self.connection().executescript(schema)

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @staticmethod
    def next_number(conn: sqlite3.Connection, counters: str, name: str) -> int:
        """Take the next number of ``name`` from a counter table (version numbers are never reused)."""
        row = conn.execute(f"SELECT last_version FROM {counters} WHERE name = ?", (name,)).fetchone()
        number = (row[0] if row else 0) + 1
        conn.execute(f"INSERT OR REPLACE INTO {counters} (name, last_version) VALUES (?, ?)", (name, number))
        return number

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE) so writers never deadlock."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
