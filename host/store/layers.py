"""Layer versions in SQLite. Version numbers are never reused, even after deletion."""

from __future__ import annotations

from collections.abc import Callable

from host.core.model import LayerVersion
from host.store.codec import dumps, layer_from_json
from host.store.db import Database


class LayerStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def publish(self, name: str, build: Callable[[int], LayerVersion]) -> LayerVersion:
        """Store the next version of ``name``, made by ``build(version_number)``."""
        with self.db.transaction() as conn:
            version = self.db.next_number(conn, "layer_counters", name)
            layer = build(version)
            conn.execute(
                "INSERT INTO layer_versions (name, version, config) VALUES (?, ?, ?)",
                (name, version, dumps(layer)),
            )
        return layer

    def get(self, name: str, version: int) -> LayerVersion | None:
        row = (
            self.db.connection()
            .execute("SELECT config FROM layer_versions WHERE name = ? AND version = ?", (name, version))
            .fetchone()
        )
        return layer_from_json(row[0]) if row else None

    def versions(self, name: str) -> list[LayerVersion]:
        """Every stored version of ``name``, newest first."""
        rows = self.db.connection().execute(
            "SELECT config FROM layer_versions WHERE name = ? ORDER BY version DESC", (name,)
        )
        return [layer_from_json(config) for (config,) in rows]

    def names(self) -> list[str]:
        rows = self.db.connection().execute("SELECT DISTINCT name FROM layer_versions ORDER BY name")
        return [name for (name,) in rows]

    def put(self, layer: LayerVersion) -> None:
        """Store a changed version (its policy) in place; nothing if it was deleted meanwhile."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE layer_versions SET config = ? WHERE name = ? AND version = ?",
                (dumps(layer), layer.name, layer.version),
            )

    def delete(self, name: str, version: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM layer_versions WHERE name = ? AND version = ?", (name, version))
