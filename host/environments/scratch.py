"""An environment's /tmp: a file system of its own, as large as the function's EphemeralStorage.

Lambda's /tmp is disk, 512 to 10,240 MB: filling it gives the function ENOSPC and
nobody else anything. A folder of the host would share the host's disk, and a tmpfs
would count against the function's memory, so each environment gets a sparse image
file formatted ext4 and loop-mounted on the host (a few milliseconds), which its
container bind-mounts at /tmp. That needs root and ``mke2fs``; without them /tmp is a
plain folder, not size-limited, and the host says so once.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger("lambda_host.environment")

IMAGE_NAME = "tmp.img"
MOUNT_NAME = "tmp"
_warned = False


def _overhead_mb(size_mb: int) -> int:
    """ext4's own metadata, added so the function can use about ``size_mb`` itself."""
    return max(16, size_mb // 32)


def can_limit() -> bool:
    return os.geteuid() == 0 and shutil.which("mke2fs") is not None and shutil.which("mount") is not None


def make_scratch(slot: Path, size_mb: int) -> Path:
    """Create ``slot``/tmp holding a file system of ``size_mb``; the folder to mount at /tmp.

    Inode tables are written now (lazy_itable_init=0), not by a kernel thread in the
    background while the environment serves its first invocations."""
    global _warned
    folder = slot / MOUNT_NAME
    folder.mkdir(parents=True, exist_ok=True)
    if can_limit():
        image = slot / IMAGE_NAME
        try:
            with open(image, "wb") as f:
                f.truncate((size_mb + _overhead_mb(size_mb)) * 1024 * 1024)
            _run(
                "mke2fs",
                "-q",
                "-t",
                "ext4",
                "-O",
                "^has_journal",
                "-m",
                "0",
                "-E",
                "lazy_itable_init=0",
                "-F",
                str(image),
            )
            _run("mount", "-o", "loop,nosuid,nodev", str(image), str(folder))
        except (OSError, subprocess.CalledProcessError) as exc:
            image.unlink(missing_ok=True)
            if not _warned:
                log.warning("/tmp of environments is not size-limited: could not mount a file system (%s)", exc)
                _warned = True
    elif not _warned:
        log.warning("/tmp of environments is not size-limited: that needs root and mke2fs")
        _warned = True
    os.chmod(folder, 0o1777)  # as on Lambda: the function's user writes there
    return folder


def release_scratch(slot: Path) -> None:
    """Unmount ``slot``'s /tmp file system, if it has one (before its folder is removed)."""
    folder = slot / MOUNT_NAME
    if os.path.ismount(folder):
        _run("umount", "-l", str(folder), check=False)
    (slot / IMAGE_NAME).unlink(missing_ok=True)


def release_all(root: Path) -> None:
    """Unmount every /tmp file system under ``root`` (left mounted by a host that was killed)."""
    prefix = str(root.resolve()) + os.sep
    try:
        with open("/proc/self/mounts") as mounts:
            points = [line.split()[1] for line in mounts]
    except OSError:
        return
    for point in sorted((p for p in points if p.startswith(prefix)), reverse=True):
        _run("umount", "-l", point, check=False)


def _run(*command: str, check: bool = True) -> None:
    subprocess.run(command, check=check, capture_output=True, timeout=60)
