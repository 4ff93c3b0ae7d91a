"""AWS's event stream framing (``application/vnd.amazon.eventstream``). No I/O.

One message: a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes, all
big-endian), the headers, the payload, and a CRC32 of everything before it. A header is its
name's length (1 byte), the name, a type byte (7: string), the value's length (2 bytes) and
the value. botocore's ``EventStreamBuffer`` reads what this writes. Used by StartLiveTail
(CloudWatch Logs) and InvokeWithResponseStream (Lambda).

Worked example: ``message({":message-type": "event"}, b"hi")`` is 12 + 22 (one header:
1 + 13 + 1 + 2 + 5) + 2 + 4 = 40 bytes, starting ``00 00 00 28 00 00 00 16``.
"""

from __future__ import annotations

import struct
import zlib

STRING = 7
CONTENT_TYPE = "application/vnd.amazon.eventstream"


def _header(name: str, value: str) -> bytes:
    key, data = name.encode(), value.encode()
    return struct.pack("!B", len(key)) + key + struct.pack("!BH", STRING, len(data)) + data


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One framed message: ``headers`` (string values) and ``payload``."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    body = prelude + encoded + payload
    return body + struct.pack("!I", zlib.crc32(body))
