"""Reading a runtime's output: its stdout and stderr are one socket to the host.

Output is read when the loop sees it, and drained on demand when the runtime answers
an invocation, so everything it printed before answering lands before END.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable


class RuntimeLog:
    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket, on_data: Callable[[bytes], None]) -> None:
        self.loop = loop
        self.sock = sock
        self.on_data = on_data
        self.open = True
        loop.add_reader(sock.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._stop_reading()
            return
        self.on_data(data)

    def drain(self) -> None:
        """Take whatever is already waiting, without blocking."""
        while self.open:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, OSError):
                return
            if not data:
                self._stop_reading()
                return
            self.on_data(data)

    def _stop_reading(self) -> None:
        if self.open:
            self.open = False
            with contextlib.suppress(ValueError, OSError):
                self.loop.remove_reader(self.sock.fileno())

    def close(self) -> None:
        self._stop_reading()
        self.sock.close()
