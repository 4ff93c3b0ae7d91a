"""Where environment agents call in: one listener for every environment of the host.

An agent opens two connections, each starting with a hello frame: ``control <token>``
and ``log <token>``. The token says which environment it belongs to; connections
with an unknown token are closed. Control frames go to the environment's
``on_agent_frame``; the log connection's socket is handed over as it is, so the
environment can read function output straight from it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Protocol

from host.environments.agent_protocol import read_frame

log = logging.getLogger("lambda_host.agent")
HELLO_TIMEOUT = 10.0


class AgentPeer(Protocol):
    def attach_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None: ...

    def attach_log(self, sock: socket.socket) -> None: ...


class AgentListener:
    def __init__(self) -> None:
        self.peers: dict[str, AgentPeer] = {}
        self.server: asyncio.Server | None = None

    async def start(self, host: str) -> int:
        self.server = await asyncio.start_server(self._accept, host, 0, backlog=1024)
        return self.server.sockets[0].getsockname()[1]

    def expect(self, token: str, peer: AgentPeer) -> None:
        self.peers[token] = peer

    def forget(self, token: str) -> None:
        self.peers.pop(token, None)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            kind, token = await asyncio.wait_for(read_frame(reader, limit=256), HELLO_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, ValueError, OSError):
            writer.close()
            return
        peer = self.peers.get(token)
        if peer is None:
            log.warning("agent with unknown token %s... refused", token[:6])
            writer.close()
            return
        if kind == "control":
            peer.attach_control(reader, writer)
        elif kind == "log":
            # Take the socket away from asyncio's transport; the environment reads it itself.
            raw = sock.dup()
            writer.transport.abort()
            raw.setblocking(False)
            peer.attach_log(raw)
        else:
            writer.close()

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
