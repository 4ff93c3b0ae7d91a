"""Functions on disk (SQLite) and in memory: the registry the invoke path reads.

Writes go to SQLite first and then replace the in-memory entry, so the invoke path
reads a dict and never touches the database. Writers are serialised by a lock;
readers take none (replacing a dict entry is atomic).
"""

from __future__ import annotations

import threading

from host.core.model import LATEST, FunctionConfig
from host.store.codec import dumps, function_from_json
from host.store.db import Database


class FunctionStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.RLock()
        self._latest: dict[str, FunctionConfig] = {}
        rows = db.connection().execute("SELECT config FROM functions WHERE version = ?", (LATEST,))
        for (config,) in rows:
            function = function_from_json(config)
            self._latest[function.name] = function

    def get(self, name: str) -> FunctionConfig | None:
        """The function's $LATEST configuration, or None."""
        return self._latest.get(name)

    def all(self) -> list[FunctionConfig]:
        return sorted(self._latest.values(), key=lambda f: f.name)

    def put(self, function: FunctionConfig) -> None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO functions (name, version, config) VALUES (?, ?, ?)",
                (function.name, function.version, dumps(function)),
            )
            self._latest[function.name] = function

    def delete(self, name: str) -> FunctionConfig | None:
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM functions WHERE name = ?", (name,))
            return self._latest.pop(name, None)
