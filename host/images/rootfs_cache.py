"""A runtime image's files unpacked on the host, so containers can bind-mount them read-only.

Why: with Docker's ``fuse-overlayfs`` storage driver every new container reads its
image through its own FUSE mount with a cold cache, so a Node.js runtime takes
seconds to start in a fresh container (Python a few hundred milliseconds). Mounting
``/usr`` and the runtime's folders from one unpacked copy lets every container share
the host's page cache: the same files, read-only (as on Lambda), at local speed.

Copies are keyed by the image's content-hash tag, so they never go stale, and are
kept in a cache directory shared by every host on the machine.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tarfile
import tempfile
import threading
from pathlib import Path

import docker

# Read-only folders of an image that runtimes read at start; everything else stays the image's.
SHARED_FOLDERS = ("/usr", "/var/lang", "/var/runtime")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lambda-host"


class RootfsCache:
    def __init__(self, client: docker.DockerClient, cache_dir: Path) -> None:
        self.client = client
        self.root = cache_dir / "rootfs"
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def folder(self, tag: str) -> Path:
        return self.root / tag.replace("/", "_").replace(":", "_")

    def ensure(self, tag: str) -> Path:
        """The unpacked files of image ``tag``, unpacking them first if needed (seconds, once)."""
        target = self.folder(tag)
        if target.is_dir():
            return target
        # One unpacking at a time per image, across every host process on the machine.
        with self._lock, open(self.root / f".{target.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.is_dir():
                return target
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".unpacking-"))
            container = self.client.containers.create(tag, command=["true"], labels={"lambda-host": "1"})
            try:
                with tempfile.TemporaryFile(dir=self.root) as archive:
                    for chunk in container.export(chunk_size=1 << 20):
                        archive.write(chunk)
                    archive.seek(0)
                    with tarfile.open(fileobj=archive) as tar:
                        members = [m for m in tar if _shared(m.name) and not (m.ischr() or m.isblk() or m.isfifo())]
                        tar.extractall(staging, members=members, filter="tar")
                os.rename(staging, target)
            finally:
                container.remove(force=True)
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def mounts(self, tag: str) -> list[tuple[str, str]]:
        """(host folder, container path) for each shared folder the image has."""
        root = self.ensure(tag)
        found = []
        for folder in SHARED_FOLDERS:
            source = root / folder.lstrip("/")
            if source.is_dir() and not source.is_symlink():
                found.append((str(source), folder))
        return found


def _shared(name: str) -> bool:
    path = "/" + name.lstrip("./")
    return any(path == folder or path.startswith(folder + "/") for folder in SHARED_FOLDERS)
