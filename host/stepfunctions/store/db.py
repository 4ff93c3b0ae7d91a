"""Step Functions' tables in the host's SQLite database (WAL), and the queries on them.

State machines, their versions and aliases, activities, tags and map runs are rows of
JSON; executions are rows with their status columns, the machine they run (frozen at
start) and the engine's checkpoint; history events are rows of JSON text keyed by
(execution, id). ``write_batch`` stores everything the engine produced since the last
batch in one transaction: the events, the checkpoints, the statuses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from host.store.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS sfn_state_machines (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sfn_versions (
    arn TEXT PRIMARY KEY,
    machine_arn TEXT NOT NULL,
    version INTEGER NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sfn_versions_machine ON sfn_versions (machine_arn, version);
CREATE TABLE IF NOT EXISTS sfn_version_counters (
    name TEXT PRIMARY KEY,
    last_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sfn_aliases (
    arn TEXT PRIMARY KEY,
    machine_arn TEXT NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sfn_activities (
    arn TEXT PRIMARY KEY,
    created REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sfn_tags (
    resource_arn TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
);
CREATE TABLE IF NOT EXISTS sfn_executions (
    id INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    machine_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    start REAL NOT NULL,
    stop REAL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    machine TEXT NOT NULL,
    checkpoint TEXT,
    redrive_count INTEGER NOT NULL DEFAULT 0,
    redrive_date REAL,
    extra TEXT
);
CREATE INDEX IF NOT EXISTS sfn_executions_machine ON sfn_executions (machine_arn, start);
CREATE INDEX IF NOT EXISTS sfn_executions_status ON sfn_executions (status);
CREATE TABLE IF NOT EXISTS sfn_events (
    execution INTEGER NOT NULL,
    id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sfn_map_runs (
    arn TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class ExecutionRow:
    id: int
    arn: str
    machine_arn: str
    name: str
    status: str
    start: float
    stop: float | None
    input: str
    output: str | None
    error: str | None
    cause: str | None
    machine: dict
    checkpoint: dict | None
    redrive_count: int
    redrive_date: float | None
    extra: dict


@dataclass(frozen=True)
class ExecutionWrite:
    """One execution's part of a batch."""

    id: int
    status: str
    stop: float | None
    output: str | None
    error: str | None
    cause: str | None
    checkpoint: str | None
    events: list[tuple[int, str]]
    redrive_count: int = 0
    redrive_date: float | None = None


_EXEC_COLUMNS = (
    "id, arn, machine_arn, name, status, start, stop, input, output, error, cause, machine, checkpoint, "
    "redrive_count, redrive_date, extra"
)


def _execution(row: tuple) -> ExecutionRow:
    return ExecutionRow(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        json.loads(row[11]),
        json.loads(row[12]) if row[12] else None,
        row[13],
        row[14],
        json.loads(row[15]) if row[15] else {},
    )


class SfnStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.connection().executescript(SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.connection()

    # -- documents (state machines, versions, aliases, activities, map runs) ---------------------------

    def put(self, table: str, arn: str, body: dict, created: float, **columns: Any) -> None:
        names = ["arn", "created", "body", *columns]
        values = [arn, created, json.dumps(body), *columns.values()]
        marks = ", ".join("?" for _ in names)
        with self.db.transaction() as conn:
            conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({marks})", values)

    def get(self, table: str, arn: str) -> dict | None:
        row = self.conn.execute(f"SELECT body FROM {table} WHERE arn = ?", (arn,)).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, table: str, arn: str) -> bool:
        with self.db.transaction() as conn:
            return conn.execute(f"DELETE FROM {table} WHERE arn = ?", (arn,)).rowcount > 0

    def all(self, table: str, where: str = "", args: Iterable = ()) -> list[dict]:
        query = f"SELECT body FROM {table} {where} ORDER BY created, arn"
        return [json.loads(row[0]) for row in self.conn.execute(query, tuple(args))]

    def next_version(self, machine_arn: str) -> int:
        with self.db.transaction() as conn:
            return Database.next_number(conn, "sfn_version_counters", machine_arn)

    def last_version(self, machine_arn: str) -> int:
        row = self.conn.execute(
            "SELECT last_version FROM sfn_version_counters WHERE name = ?", (machine_arn,)
        ).fetchone()
        return row[0] if row else 0

    # -- tags ----------------------------------------------------------------------------------------

    def tags(self, arn: str) -> list[dict]:
        rows = self.conn.execute("SELECT key, value FROM sfn_tags WHERE resource_arn = ? ORDER BY rowid", (arn,))
        return [{"key": k, "value": v} for k, v in rows]

    def tag(self, arn: str, tags: list[dict]) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO sfn_tags (resource_arn, key, value) VALUES (?, ?, ?)",
                [(arn, t["key"], t.get("value", "")) for t in tags],
            )

    def untag(self, arn: str, keys: list[str] | None = None) -> None:
        with self.db.transaction() as conn:
            if keys is None:
                conn.execute("DELETE FROM sfn_tags WHERE resource_arn = ?", (arn,))
            else:
                conn.executemany("DELETE FROM sfn_tags WHERE resource_arn = ? AND key = ?", [(arn, k) for k in keys])

    # -- executions ------------------------------------------------------------------------------------

    def insert_execution(
        self,
        arn: str,
        machine_arn: str,
        name: str,
        start: float,
        input_text: str,
        machine: dict,
        checkpoint: str | None,
        extra: dict | None = None,
    ) -> int:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO sfn_executions (arn, machine_arn, name, status, start, input, machine, checkpoint, extra)"
                " VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)",
                (
                    arn,
                    machine_arn,
                    name,
                    start,
                    input_text,
                    json.dumps(machine),
                    checkpoint,
                    json.dumps(extra) if extra else None,
                ),
            )
            return cursor.lastrowid

    def execution(self, arn: str) -> ExecutionRow | None:
        row = self.conn.execute(f"SELECT {_EXEC_COLUMNS} FROM sfn_executions WHERE arn = ?", (arn,)).fetchone()
        return _execution(row) if row else None

    def running_executions(self) -> list[ExecutionRow]:
        rows = self.conn.execute(f"SELECT {_EXEC_COLUMNS} FROM sfn_executions WHERE status = 'RUNNING' ORDER BY id")
        return [_execution(row) for row in rows]

    def list_executions(
        self,
        machine_arns: list[str],
        status: str | None,
        offset: int,
        limit: int,
        version_arn: str | None = None,
        map_run_arn: str | None = None,
    ) -> list[ExecutionRow]:
        marks = ", ".join("?" for _ in machine_arns)
        query = f"SELECT {_EXEC_COLUMNS} FROM sfn_executions WHERE machine_arn IN ({marks})"
        args: list[Any] = list(machine_arns)
        if status:
            query += " AND status = ?"
            args.append(status)
        if version_arn:
            query += " AND json_extract(machine, '$.version_arn') = ?"
            args.append(version_arn)
        if map_run_arn:
            query += " AND json_extract(extra, '$.map_run_arn') = ?"
            args.append(map_run_arn)
        else:
            query += " AND (extra IS NULL OR json_extract(extra, '$.map_run_arn') IS NULL)"
        query += " ORDER BY start DESC, id DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [_execution(row) for row in self.conn.execute(query, args)]

    def events(self, execution_id: int, offset: int, limit: int, reverse: bool) -> list[str]:
        order = "DESC" if reverse else "ASC"
        rows = self.conn.execute(
            f"SELECT body FROM sfn_events WHERE execution = ? ORDER BY id {order} LIMIT ? OFFSET ?",
            (execution_id, limit, offset),
        )
        return [row[0] for row in rows]

    def write_batch(self, writes: list[ExecutionWrite]) -> None:
        """One transaction for everything the engine did since the last batch."""
        with self.db.transaction() as conn:
            events = [(w.id, event_id, body) for w in writes for event_id, body in w.events]
            if events:
                conn.executemany("INSERT OR REPLACE INTO sfn_events (execution, id, body) VALUES (?, ?, ?)", events)
            conn.executemany(
                "UPDATE sfn_executions SET status = ?, stop = ?, output = ?, error = ?, cause = ?, checkpoint = ?, "
                "redrive_count = ?, redrive_date = ? WHERE id = ?",
                [
                    (w.status, w.stop, w.output, w.error, w.cause, w.checkpoint, w.redrive_count, w.redrive_date, w.id)
                    for w in writes
                ],
            )

    def delete_events_after(self, execution_id: int, event_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sfn_events WHERE execution = ? AND id > ?", (execution_id, event_id))
