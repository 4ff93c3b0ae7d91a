"""Hot reload: functions whose code is a local folder follow that folder's edits.

One watchdog observer (inotify on Linux) watches every such folder. Editors save in
bursts (a temporary file, a rename, a chmod), so events are gathered for a short
moment and each touched function is refreshed once: its code fingerprint moves, its
idle environments are retired at once and busy ones after their current invocation
(``FunctionService.refresh_local_code``). Published versions never follow: their code
was frozen into a zip when they were published.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger("lambda_host.hot_reload")

# Files whose changes do not change what a function runs.
_IGNORED_PARTS = ("__pycache__", ".git", ".mypy_cache", ".pytest_cache")
_IGNORED_SUFFIXES = (".pyc", ".swp", ".swx", "~", ".tmp")


def _matters(path: str) -> bool:
    name = os.path.basename(path)
    if name.startswith(".#") or name.endswith(_IGNORED_SUFFIXES):
        return False
    parts = path.split(os.sep)
    return not any(part in _IGNORED_PARTS for part in parts)


class _Events(FileSystemEventHandler):
    def __init__(self, touched: Callable[[str], None]) -> None:
        self.touched = touched

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading is no change
        if event.is_directory and event.event_type == "modified":
            return  # a file in it changed, and that file has an event of its own
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path and _matters(os.fsdecode(path)):
                self.touched(os.fsdecode(path))


class CodeWatcher:
    def __init__(
        self,
        folders_of: Callable[[], dict[str, list[str]]],
        refresh: Callable[[str], bool],
        settle: float = 0.1,
    ) -> None:
        """``folders_of()`` maps each watched folder to the functions running it; ``refresh(name)``
        brings one function up to date."""
        self.folders_of = folders_of
        self.refresh = refresh
        self.settle = settle
        self.observer = Observer()
        self.observer.daemon = True
        self.watches: dict[str, object] = {}
        self.lock = threading.Lock()
        self.pending: set[str] = set()
        self.timer: threading.Timer | None = None
        self.closed = False

    def start(self) -> None:
        self.observer.start()
        self.follow()

    def follow(self) -> None:
        """Watch exactly the folders that functions run from now (after any deploy, update or delete)."""
        folders = self.folders_of()
        with self.lock:
            if self.closed:
                return
            for folder in set(self.watches) - set(folders):
                self.observer.unschedule(self.watches.pop(folder))
            for folder in set(folders) - set(self.watches):
                try:
                    self.watches[folder] = self.observer.schedule(_Events(self._touched), folder, recursive=True)
                except OSError as exc:  # gone, or out of inotify watches: say so, keep serving
                    log.warning("cannot watch %s for changes: %s", folder, exc)

    def _touched(self, path: str) -> None:
        with self.lock:
            if self.closed:
                return
            for folder in self.watches:
                if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
                    self.pending.add(folder)
            if self.pending and self.timer is None:
                self.timer = threading.Timer(self.settle, self._settled)
                self.timer.daemon = True
                self.timer.start()

    def _settled(self) -> None:
        with self.lock:
            folders, self.pending, self.timer = self.pending, set(), None
        functions = self.folders_of()
        for folder in folders:
            for name in functions.get(folder, ()):
                try:
                    self.refresh(name)
                except Exception:  # one function's trouble must not stop reloads of the others
                    log.exception("could not reload %s", name)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self.timer is not None:
                self.timer.cancel()
        self.observer.stop()
        self.observer.join(timeout=5)
