"""Debian root file systems from the package archive, for hosts with no container registry.

``mmdebstrap`` writes a minimal Debian (``--variant=minbase`` plus a runtime's packages)
straight into a tarball that ``docker import`` turns into a base image. Nothing is
pulled from a registry; only Debian's archive is needed. This module runs the tool and
installs it when it is missing and that is possible; it knows nothing of Docker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

DEFAULT_MIRROR = os.environ.get("LAMBDA_HOST_DEBIAN_MIRROR", "http://deb.debian.org/debian")

# Documentation, manuals and translations are dropped to keep images small.
_DPKG_EXCLUDES = (
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/locale/*",
    "path-exclude=/usr/share/lintian/*",
)


class BuildToolMissing(RuntimeError):
    """The host cannot build root file systems and cannot install the tool itself."""


def ensure_mmdebstrap(say: Callable[[str], None] = print) -> str:
    """Path of mmdebstrap, installing it with apt-get when running as root."""
    found = shutil.which("mmdebstrap")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        say("installing mmdebstrap (needed to build runtime images from Debian's archive)...")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run([apt, "update", "-q"], check=False, env=env)
        subprocess.run([apt, "install", "-y", "-q", "mmdebstrap"], check=True, env=env)
        found = shutil.which("mmdebstrap")
        if found:
            return found
    raise BuildToolMissing(
        "Building runtime images needs mmdebstrap, which is not installed. Install it with "
        "'sudo apt-get install mmdebstrap' (Debian/Ubuntu), or, if your Docker can pull from a "
        "registry, build from a registry base instead: 'lambda-host images build --registry-base'."
    )


def mmdebstrap_command(
    tool: str, suite: str, packages: Iterable[str], out: Path, mirror: str = DEFAULT_MIRROR
) -> list[str]:
    """The mmdebstrap invocation for a minimal ``suite`` with ``packages`` into ``out``."""
    command = [tool, "--variant=minbase", "--include=" + ",".join(sorted(packages))]
    command += ["--dpkgopt=" + option for option in _DPKG_EXCLUDES]
    command += ['--aptopt=Acquire::Retries "3"', suite, str(out), mirror]
    return command


def build_rootfs_tarball(suite: str, packages: Iterable[str], out: Path, say: Callable[[str], None] = print) -> None:
    """Write a tarball of a minimal Debian ``suite`` with ``packages`` to ``out``."""
    tool = ensure_mmdebstrap(say)
    command = mmdebstrap_command(tool, suite, packages, out)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            say(f"  [{suite}] {line.rstrip()}")
        code = proc.wait()
    if code != 0:
        raise RuntimeError(f"mmdebstrap failed for {suite} (exit status {code})")
