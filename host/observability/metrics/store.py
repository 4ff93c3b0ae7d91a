"""``metrics.db`` in the state directory: one row per metric, dimension set and minute.

Only the recorder's flusher writes (a batch a second at most, one transaction); API threads
read. A batch whose minute is already stored is merged into the row (counts and sums added,
samples joined) by SQLite itself, so a minute flushed twice is still one minute. Minutes
older than CloudWatch's 15 days of one-minute data are pruned.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from host.observability.metrics.stats import Aggregate, Dimensions

RETENTION = 15 * 24 * 3600
SCHEMA = """
CREATE TABLE IF NOT EXISTS minutes (
    namespace TEXT NOT NULL,
    metric TEXT NOT NULL,
    dims TEXT NOT NULL,
    minute INTEGER NOT NULL,
    unit TEXT NOT NULL,
    count REAL NOT NULL,
    total REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    exact INTEGER NOT NULL,
    samples TEXT NOT NULL,
    PRIMARY KEY (namespace, metric, dims, minute)
);
CREATE INDEX IF NOT EXISTS minutes_by_time ON minutes (minute);
"""
UPSERT = """
INSERT INTO minutes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (namespace, metric, dims, minute) DO UPDATE SET
    unit = excluded.unit,
    count = count + excluded.count,
    total = total + excluded.total,
    minimum = min(minimum, excluded.minimum),
    maximum = max(maximum, excluded.maximum),
    exact = exact AND excluded.exact,
    samples = merge_samples(samples, excluded.samples)
"""

Row = tuple[str, str, Dimensions, int, str, Aggregate]  # namespace, metric, dimensions, minute, unit, data


def _merge_samples(a: str, b: str) -> str:
    merged = Aggregate()
    for text in (a, b):
        for value, count in json.loads(text):
            merged.add(value, count)
    return _samples(merged)


def _samples(aggregate: Aggregate) -> str:
    return json.dumps([[v, c] for v, c in aggregate.values.items()], separators=(",", ":"))


def encode_dims(dims: Dimensions) -> str:
    return json.dumps(dims, separators=(",", ":"))


def decode_dims(text: str) -> Dimensions:
    return tuple((name, value) for name, value in json.loads(text))


class MetricStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.create_function("merge_samples", 2, _merge_samples, deterministic=True)
        self.conn.executescript(SCHEMA)
        self.pruned = 0.0

    def write(self, rows: list[Row], now: float | None = None) -> None:
        """Add a batch of minutes (merged into those already stored), in one transaction."""
        if not rows:
            return
        params = [
            (ns, metric, encode_dims(dims), minute, unit, a.count, a.total, a.minimum, a.maximum, int(a.exact),
             _samples(a))
            for ns, metric, dims, minute, unit, a in rows
        ]  # fmt: skip
        now = time.time() if now is None else now
        with self.lock:
            self.conn.execute("BEGIN")
            try:
                self.conn.executemany(UPSERT, params)
                if now - self.pruned > 3600:
                    self.conn.execute("DELETE FROM minutes WHERE minute < ?", (now - RETENTION,))
                    self.pruned = now
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def series(
        self, namespace: str, metric: str, dims: Dimensions, start: float, end: float, unit: str | None = None
    ) -> list[tuple[int, Aggregate]]:
        """The minutes of one metric in [start rounded down to its minute, end), oldest first."""
        query = (
            "SELECT minute, count, total, minimum, maximum, exact, samples, unit FROM minutes "
            "WHERE namespace = ? AND metric = ? AND dims = ? AND minute >= ? AND minute < ? ORDER BY minute"
        )
        with self.lock:
            rows = self.conn.execute(
                query, (namespace, metric, encode_dims(dims), int(start // 60 * 60), end)
            ).fetchall()
        found = []
        for minute, count, total, minimum, maximum, exact, samples, row_unit in rows:
            if unit is not None and row_unit != unit:
                continue
            aggregate = Aggregate()
            aggregate.count, aggregate.total, aggregate.minimum, aggregate.maximum = count, total, minimum, maximum
            aggregate.exact = bool(exact)
            aggregate.values = {value: n for value, n in json.loads(samples)}
            found.append((minute, aggregate))
        return found

    def unit(self, namespace: str, metric: str, dims: Dimensions) -> str | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT unit FROM minutes WHERE namespace = ? AND metric = ? AND dims = ? ORDER BY minute DESC LIMIT 1",
                (namespace, metric, encode_dims(dims)),
            ).fetchone()
        return row[0] if row else None

    def metrics(self, namespace: str | None = None, metric: str | None = None, since: float = 0) -> list:
        """Every (namespace, metric, dimensions) with data since ``since``, sorted."""
        query = "SELECT DISTINCT namespace, metric, dims FROM minutes WHERE minute >= ?"
        params: list = [int(since // 60 * 60)]
        if namespace is not None:
            query += " AND namespace = ?"
            params.append(namespace)
        if metric is not None:
            query += " AND metric = ?"
            params.append(metric)
        with self.lock:
            rows = self.conn.execute(query + " ORDER BY namespace, metric, dims", params).fetchall()
        return [(ns, name, decode_dims(dims)) for ns, name, dims in rows]

    def close(self) -> None:
        with self.lock:
            self.conn.close()
