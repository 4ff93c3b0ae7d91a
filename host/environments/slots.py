"""Filling an environment's code and layer folders (its slots) with a function's files.

A stem's container mounts two empty folders of the host read-only at /var/task and
/opt; specialising it for a function fills them with hard links to the stored package
and merged layers (copies where the file system refuses links). Linking is fast and
takes no space; the container sees the files at once through its bind mounts.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from host.environments.scratch import release_all, release_scratch


def link_tree(source: str | Path, target: str | Path) -> None:
    """Make ``target`` (an existing, empty folder) hold what ``source`` holds."""
    source, target = Path(source), Path(target)
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        destination = target / relative
        for name in dirs:
            path = Path(folder) / name
            if path.is_symlink():
                os.symlink(os.readlink(path), destination / name)
            else:
                (destination / name).mkdir(exist_ok=True)
                os.chmod(destination / name, 0o755)
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                os.symlink(os.readlink(path), destination / name)
                continue
            try:
                os.link(path, destination / name)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                    raise
                shutil.copy2(path, destination / name)


def make_slots(root: Path) -> tuple[Path, Path]:
    task, opt = root / "task", root / "opt"
    task.mkdir(parents=True, exist_ok=True)
    opt.mkdir(exist_ok=True)
    for folder in (root, task, opt):
        os.chmod(folder, 0o755)
    return task, opt


def remove_slots(root: Path) -> None:
    release_scratch(root)  # its /tmp file system first: rmtree would empty it, not unmount it
    shutil.rmtree(root, ignore_errors=True)


def remove_all_slots(slots_dir: Path) -> None:
    """Every environment folder of an earlier run (a killed host leaves them, with their mounts)."""
    release_all(slots_dir)
    shutil.rmtree(slots_dir, ignore_errors=True)
