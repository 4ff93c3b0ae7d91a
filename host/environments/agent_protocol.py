"""The host's side of the agent's frame format (see ``runtimes/_agent/agent.py``).

A frame is a 4-byte big-endian length and the UTF-8 fields joined by NUL bytes.
"""

from __future__ import annotations

import asyncio
import struct


def encode(*fields: object) -> bytes:
    body = b"\0".join(str(f).encode("utf-8", "surrogateescape") for f in fields)
    return struct.pack("!I", len(body)) + body


def decode(body: bytes) -> list[str]:
    return [f.decode("utf-8", "surrogateescape") for f in body.split(b"\0")]


MAX_FRAME = 1 << 20  # an agent's frames are small; anything larger is not an agent


async def read_frame(reader: asyncio.StreamReader, limit: int = MAX_FRAME) -> list[str]:
    (length,) = struct.unpack("!I", await reader.readexactly(4))
    if length > limit:
        raise ValueError(f"frame of {length} bytes refused")
    return decode(await reader.readexactly(length) if length else b"")


def spawn_frame(cwd: str, argv: list[str], env: dict[str, str], verb: str = "spawn") -> bytes:
    """A ``spawn`` frame; ``prestart`` and ``resume`` frames carry the same fields."""
    return encode(verb, cwd, len(argv), *argv, *(f"{k}={v}" for k, v in env.items()))
