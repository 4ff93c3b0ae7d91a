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
import subprocess
import tempfile
from collections.abc import Iterable
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

    def folder(self, tag: str) -> Path:
        return self.root / tag.replace("/", "_").replace(":", "_")

    def ensure(self, tag: str) -> Path:
        """The unpacked files of image ``tag``, unpacking them first if needed (seconds, once)."""
        target = self.folder(tag)
        if target.is_dir():
            return target
        # One unpacking at a time per image, across every thread and host process on the machine.
        with open(self.root / f".{target.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.is_dir():
                return target
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".unpacking-"))
            container = self.client.containers.create(tag, command=["true"], labels={"lambda-host": "1"})
            try:
                _untar(container.export(chunk_size=1 << 20), staging)
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


def _untar(chunks: Iterable[bytes], target: Path) -> None:
    """Extract the shared folders of an exported image into ``target`` with GNU tar (twice as fast as
    ``tarfile`` on ~200 MB of small files). Folders an image lacks (``/var/lang`` of an OS-only
    runtime) are not an error."""
    members = [folder.lstrip("/") for folder in SHARED_FOLDERS]
    command = ["tar", "-x", "-C", str(target), *members]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as tar:
        try:
            for chunk in chunks:
                tar.stdin.write(chunk)
            tar.stdin.close()
        except BrokenPipeError:
            pass
        complaints = [
            line
            for line in tar.stderr.read().decode("utf-8", "replace").splitlines()
            if "Not found in archive" not in line and "due to previous errors" not in line
        ]
        code = tar.wait()
    if code not in (0, 2) or complaints:
        raise RuntimeError(f"unpacking an image failed (tar exit status {code}): {' '.join(complaints)[:500]}")
