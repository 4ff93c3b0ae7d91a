"""Application log levels for LogFormat JSON: which of a function's lines Lambda keeps. No I/O.

AWS ("Log-level filtering"): with LogFormat JSON, Lambda keeps an application log line only
when its level is at or above the function's ApplicationLogLevel. A line's level is its JSON
``level`` (or ``log_level``, as AWS's Python runtime writes unhandled errors), case-insensitive;
a line that is not a JSON object, or whose level is missing or unknown, counts as INFO.
Example: with WARN, ``{"level": "error", ...}`` is kept, ``print("hi")`` and
``{"level": "DEBUG", ...}`` are dropped.
"""

from __future__ import annotations

import json

LEVELS = {"TRACE": 1, "DEBUG": 2, "INFO": 3, "WARN": 4, "WARNING": 4, "ERROR": 5, "FATAL": 6, "CRITICAL": 6}
INFO = LEVELS["INFO"]


def threshold(application_level: str | None) -> int:
    return LEVELS.get((application_level or "INFO").upper(), INFO)


def line_level(line: bytes) -> int:
    """The level Lambda reads from one line of output."""
    if not line.startswith(b"{"):
        return INFO
    try:
        record = json.loads(line)
    except ValueError:
        return INFO
    if not isinstance(record, dict):
        return INFO
    level = record.get("level", record.get("log_level"))
    return LEVELS.get(level.upper(), INFO) if isinstance(level, str) else INFO


def kept(lines: list[bytes], application_level: str | None) -> list[bytes]:
    """The lines at or above ``application_level``."""
    floor = threshold(application_level)
    if floor <= INFO and not any(line.startswith(b"{") for line in lines):
        return lines
    return [line for line in lines if line_level(line) >= floor]
