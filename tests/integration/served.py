"""``lambda-host serve`` in a process of its own, as a user runs it, which a test can stop or kill."""

from __future__ import annotations

import hashlib
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import boto3
import docker
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "host.cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def owner_label(state_dir: Path) -> str:
    """The label value every container of ``state_dir``'s host carries (``Host.owner``)."""
    return hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:16]


class ServedHost:
    def __init__(self, state_dir: Path, *options: str, log: Path | None = None) -> None:
        self.state_dir = state_dir
        self.options = options
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.mounts_before_kill: list[str] = []
        self.log = open(log or state_dir.parent / f"{state_dir.name}.log", "ab")  # noqa: SIM115 (kept across restarts)

    def start(self) -> None:
        command = [
            *COMMAND, "serve", "--port", str(self.port), "--state-dir", str(self.state_dir), "--quiet", *self.options,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log, cwd=ROOT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.endpoint + "/2015-03-31/functions", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert self.process.poll() is None, "the host exited while starting"
            time.sleep(0.2)
        raise TimeoutError("the host did not start")

    def client(self, **config):
        options = {"retries": {"total_max_attempts": 1}, "read_timeout": 120, **config}
        return boto3.client(
            "lambda", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x", config=Config(**options),
        )  # fmt: skip

    def kill(self) -> None:
        self.mounts_before_kill = self.mounts()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def containers(self) -> list[str]:
        """Ids of the containers of this state directory (of any run)."""
        label = f"lambda-host.owner={owner_label(self.state_dir)}"
        listed = docker.from_env().api.containers(all=True, filters={"label": label})
        return [c["Id"] for c in listed]  # the low-level list: no inspect that races with removals

    def mounts(self) -> list[str]:
        """/tmp file systems mounted under the state directory."""
        prefix = str(self.state_dir.resolve())
        with open("/proc/self/mounts") as mounts:
            return [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]

    def stop(self) -> int | None:
        """SIGTERM, as Ctrl-C does; the exit status."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return None if self.process is None else self.process.returncode

    def close(self) -> None:
        self.stop()
        self.log.close()

    def queued(self) -> int:
        with sqlite3.connect(self.state_dir / "lambda-host.db") as db:
            return db.execute("SELECT COUNT(*) FROM async_events").fetchone()[0]
