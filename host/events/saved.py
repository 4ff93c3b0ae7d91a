"""Saved test events, one JSON file per function under the state directory, as the AWS console keeps them.

The console keeps a function's shareable test events as one schema document (in the EventBridge
schema registry ``lambda-testevent-schemas``) whose ``components.examples`` holds each event by
name. Here that document is ``<state>/test-events/<function>.json``, in the same shape, with each
example's time of change beside it:

    {"openapi": "3.0.0", "info": {...}, "paths": {},
     "components": {"examples": {"<name>": {"value": <event>, "x-last-modified": "<ISO 8601>"}}}}

1. Event names are the console's: 1 to 25 characters of letters, digits, ``.``, ``-`` and ``_``.
2. Writes replace the file atomically (a crash leaves the old or the new file, never half of one).
3. Nothing here checks that the function exists: the API does, against the function store.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NAME = re.compile(r"[A-Za-z0-9_.-]{1,25}")
FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InvalidEventName(ValueError):
    """An event name outside the console's rules (the message says which)."""


@dataclass(frozen=True)
class SavedEvent:
    name: str
    event: Any  # any JSON value
    last_modified: str  # ISO 8601, UTC

    def shape(self) -> dict:
        return {"Name": self.name, "Event": self.event, "LastModified": self.last_modified}


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise InvalidEventName(
            f"Invalid test event name {name!r}: use 1 to 25 characters of letters, digits, periods (.),"
            " hyphens (-) and underscores (_)"
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TestEventStore:
    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.Lock()

    def _path(self, function: str) -> Path:
        if not FUNCTION_NAME.fullmatch(function):  # the API resolves names first; never a path outside root
            raise ValueError(f"not a function name: {function!r}")
        return self.root / f"{function}.json"

    def _read(self, function: str) -> dict:
        try:
            document = json.loads(self._path(function).read_text())
        except FileNotFoundError:
            return _document(function)
        return document if isinstance(document, dict) else _document(function)

    def _write(self, function: str, document: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=f".{function}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(document, out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self._path(function))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def list(self, function: str) -> list[SavedEvent]:
        """The function's saved events, by name."""
        examples = self._read(function).get("components", {}).get("examples", {})
        return [_saved(name, examples[name]) for name in sorted(examples)]

    def get(self, function: str, name: str) -> SavedEvent | None:
        check_name(name)
        example = self._read(function).get("components", {}).get("examples", {}).get(name)
        return None if example is None else _saved(name, example)

    def put(self, function: str, name: str, event: Any) -> tuple[SavedEvent, bool]:
        """Save ``event`` as ``name``; True when it is new."""
        check_name(name)
        with self.lock:
            document = self._read(function)
            examples = document.setdefault("components", {}).setdefault("examples", {})
            created = name not in examples
            examples[name] = {"value": event, "x-last-modified": _now()}
            self._write(function, document)
        return _saved(name, examples[name]), created

    def delete(self, function: str, name: str) -> bool:
        """Forget ``name``; False when there was no such event."""
        check_name(name)
        with self.lock:
            document = self._read(function)
            examples = document.get("components", {}).get("examples", {})
            if name not in examples:
                return False
            del examples[name]
            if examples:
                self._write(function, document)
            else:
                self._path(function).unlink(missing_ok=True)
        return True


def _document(function: str) -> dict:
    return {
        "openapi": "3.0.0",
        "info": {"version": "1.0.0", "title": "Event"},
        "paths": {},
        "x-lambda-function": function,
        "components": {"examples": {}},
    }


def _saved(name: str, example: dict) -> SavedEvent:
    return SavedEvent(name, example.get("value"), example.get("x-last-modified", ""))
