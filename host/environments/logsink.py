"""Where function output and platform lines go: the host's console, one line per record.

Each line is prefixed with the function's name so several functions' output can be
told apart. Writes are collected and flushed once per event-loop turn, so a burst of
invocations costs one write, not three per invocation.
"""

from __future__ import annotations

import asyncio
import sys
from typing import BinaryIO, Protocol

MAX_LINE = 64 * 1024  # a line longer than this is written out before its end


class EnvLike(Protocol):
    partial_line: bytes

    @property
    def function(self): ...


class LogSink:
    def __init__(self, loop: asyncio.AbstractEventLoop, stream: BinaryIO | None = None, enabled: bool = True) -> None:
        self.loop = loop
        self.stream = stream if stream is not None else sys.stdout.buffer
        self.enabled = enabled
        self.buffer: list[bytes] = []
        self.scheduled = False

    def write(self, env: EnvLike, data: bytes) -> None:
        """Function output or platform lines of ``env``; partial lines wait for their end."""
        if not self.enabled:
            return
        data = env.partial_line + data
        cut = data.rfind(b"\n") + 1
        if not cut and len(data) > MAX_LINE:
            data, cut = data + b"\n", len(data) + 1
        env.partial_line = data[cut:]
        if cut:
            prefix = f"[{env.function.name}] ".encode()
            # Runtimes join a record's lines with carriage returns (so CloudWatch keeps it whole);
            # on a terminal they would overwrite each other, so they become line breaks here.
            lines = data[:cut].replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")[:-1]
            self._emit(b"".join(prefix + line + b"\n" for line in lines))

    def platform(self, env: EnvLike, lines: str) -> None:
        """The platform's own lines (INIT_START, START, END, REPORT): never glued to unfinished output."""
        if not self.enabled:
            return
        if env.partial_line:
            self.write(env, b"\n")
        self.write(env, lines.encode())

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
            self.enabled = False
