"""Where function output and platform lines go: the host's console, one line per record.

Each line is prefixed with the function's name so several functions' output can be
told apart. Writes are collected and flushed once per event-loop turn, so a burst of
invocations costs one write, not three per invocation. With a ``recorder`` (CloudWatch Logs,
``host.observability.logs``) every line also goes to the environment's log stream; functions
with LogFormat JSON get the platform's lines as ``platform.*`` records there and here.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import BinaryIO, Protocol

from host.observability.logs.core.levels import kept
from host.observability.logs.core.platform import platform_records

MAX_LINE = 64 * 1024  # a line longer than this is written out before its end


class EnvLike(Protocol):
    partial_line: bytes
    log_stream: str

    @property
    def function(self): ...


class Recorder(Protocol):
    def record(self, group: str, stream: str, lines: list[bytes]) -> None: ...


class LogSink:
    def __init__(
        self, loop: asyncio.AbstractEventLoop, stream: BinaryIO | None = None, enabled: bool = True,
        recorder: Recorder | None = None,
    ) -> None:  # fmt: skip
        self.loop = loop
        self.stream = stream if stream is not None else sys.stdout.buffer
        self.console = enabled  # print to the host's console
        self.recorder = recorder
        self.enabled = enabled or recorder is not None  # anyone reading the lines at all
        self.buffer: list[bytes] = []
        self.scheduled = False

    def write(self, env: EnvLike, data: bytes, application: bool = True) -> None:
        """Function output (``application``) or platform lines of ``env``; partial lines wait for their end."""
        if not self.enabled:
            return
        data = env.partial_line + data
        cut = data.rfind(b"\n") + 1
        if not cut and len(data) > MAX_LINE:
            data, cut = data + b"\n", len(data) + 1
        env.partial_line = data[cut:]
        if not cut:
            return
        lines = data[:cut].split(b"\n")[:-1]
        function = env.function
        if application and getattr(function, "log_format", "Text") == "JSON":
            lines = kept(lines, function.application_log_level)  # Lambda's ApplicationLogLevel filter
        if self.recorder is not None and lines:
            self.recorder.record(function.log_group_name, env.log_stream, lines)
        if self.console and lines:
            prefix = f"[{function.name}] ".encode()
            # Runtimes join a record's lines with carriage returns (so CloudWatch keeps it whole);
            # on a terminal they would overwrite each other, so they become line breaks here.
            text = (b"\n".join(lines) + b"\n").replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")[:-1]
            self._emit(b"".join(prefix + line + b"\n" for line in text))

    def platform(self, env: EnvLike, lines: str) -> None:
        """The platform's own lines (INIT_START, START, END, REPORT): never glued to unfinished output."""
        if not self.enabled:
            return
        if env.partial_line:
            self.write(env, b"\n")
        function = env.function
        if getattr(function, "log_format", "Text") == "JSON":
            now = int(time.time() * 1000)
            initialization = "provisioned-concurrency" if getattr(env, "provisioned", False) else "on-demand"
            named = (function.name, function.version)
            lines = platform_records(lines, function.system_log_level, now, named, initialization)
        if lines:
            self.write(env, lines.encode(), application=False)

    def _emit(self, data: bytes) -> None:
        self.buffer.append(data)
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        data, self.buffer = b"".join(self.buffer), []
        try:
            self.stream.write(data)
            self.stream.flush()
        except (OSError, ValueError):
            self.console = False
            self.enabled = self.recorder is not None
