"""Which host owns a state directory: one at a time, and provably gone before anything of its is removed.

A host takes an exclusive ``flock`` on ``<state dir>/host.lock`` before it touches the
directory and holds it until it has removed its containers and mounts. The kernel drops
the lock when the process dies, however it dies (``kill -9`` included), so:

1. a second host on the same directory finds the lock taken and refuses to start, naming
   the owner (pid and endpoint, which the owner writes into the file);
2. a host that gets the lock knows the previous owner is gone, so the containers and
   ``/tmp`` mounts labelled with the directory are leftovers and may be removed;
3. anyone may ask who serves a directory (``current_owner``) without disturbing the owner.

``flock`` locks belong to an open file, not a process, so two hosts in one process
(the pytest plugin's) exclude each other too. This module knows nothing of Docker.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "host.lock"
ACQUIRE_PATIENCE = 0.5  # seconds: a reader's brief shared lock must not make a starting host give up


@dataclass(frozen=True)
class Owner:
    """The host holding a state directory."""

    pid: int
    endpoint: str | None  # where its Lambda API answers, once it is listening

    def describe(self) -> str:
        where = f" serving {self.endpoint}" if self.endpoint else " (still starting)"
        return f"lambda-host pid {self.pid}{where}"


class StateDirInUse(RuntimeError):
    """Another live host owns the state directory."""

    def __init__(self, state_dir: Path, owner: Owner | None) -> None:
        self.state_dir = state_dir
        self.owner = owner
        holder = owner.describe() if owner else "another lambda-host"
        super().__init__(
            f"the state directory {state_dir} is in use by {holder}. Use that host, stop it first, or give this "
            "one a state directory (and port) of its own: --state-dir DIR --port N"
        )


class StateDirLock:
    """The exclusive right to a state directory, held from ``acquire`` to ``release``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the directory, or raise ``StateDirInUse`` naming its owner; touches nothing else."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + ACQUIRE_PATIENCE
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:  # held this long: a host, not a passing reader
                    owner = _read_owner(fd)
                    os.close(fd)
                    raise StateDirInUse(self.state_dir, owner) from None
                time.sleep(0.02)
        self._fd = fd
        self.announce(None)

    def announce(self, endpoint: str | None) -> None:
        """Write who holds the directory (and, once listening, where) for others to read."""
        if self._fd is None:
            return
        data = json.dumps({"pid": os.getpid(), "endpoint": endpoint}).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing drops the flock
        self._fd = None


def current_owner(state_dir: Path) -> Owner | None:
    """The live host owning ``state_dir``, if any (a stale file left by a killed host is not one)."""
    path = state_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # held: someone owns it
            return _read_owner(fd) or Owner(pid=0, endpoint=None)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_owner(fd: int) -> Owner | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"null")
        return Owner(pid=int(data["pid"]), endpoint=data.get("endpoint"))
    except (OSError, ValueError, TypeError, KeyError):
        return None
