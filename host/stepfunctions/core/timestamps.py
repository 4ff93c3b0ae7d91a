"""Timestamps as Step Functions reads them ("ISO-8601 extended offset date-time", RFC 3339)
and writes them (``2019-03-26T20:14:13.192Z`` in the context object).

Stricter than ``datetime.fromisoformat``: the ``T`` and the offset are required, so
``2016-12-05 21:29:29Z`` and ``2016-12-05T21:29:29`` are refused, as AWS refuses them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$")


def parse_timestamp(text: str) -> datetime | None:
    """The instant ``text`` names, or None when it is not an offset date-time."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    if zone in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if zone[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=tz)
    except ValueError:
        return None


def iso_millis(epoch: float) -> str:
    """``2019-03-26T20:14:13.192Z``: the context object's timestamps."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
