"""Tokens, event ids and the bounds of what is kept: CloudWatch Logs' paging rules. No I/O.

GetLogEvents tokens read as AWS's do: ``f/<56 digits>/s`` to go forward, ``b/<56 digits>/s``
to go backward. Here the digits are a position in the store (an event's row id):

1. ``f/N``: the events after position N, oldest first;
2. ``b/N``: the events before position N, the newest ``limit`` of them;
3. a call that finds nothing gives back the forward token it was handed, which is how
   SDKs know they reached the end (boto3's paginator stops on a repeated token).

Other operations page with an opaque ``nextToken`` (base64 of JSON) naming where the next
page starts. Event ids are the same row ids as 56 digits, stable across calls (``aws logs
tail --follow`` drops the events it has seen by id).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from host.observability.logs.core.errors import InvalidParameter

RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
EVENT_OVERHEAD = 26  # bytes CloudWatch Logs counts for each event besides its message
DAY_MS = 86_400_000
_DIRECTION_TOKEN = re.compile(r"([fb])/(\d{1,56})(?:/s)?")


def event_id(position: int) -> str:
    return f"{position:056d}"


def forward_token(position: int) -> str:
    return f"f/{position:056d}/s"


def backward_token(position: int) -> str:
    return f"b/{position:056d}/s"


def read_direction_token(token: str) -> tuple[str, int]:
    """``("f", N)`` or ``("b", N)`` for a GetLogEvents token; InvalidParameter otherwise."""
    match = _DIRECTION_TOKEN.fullmatch(token)
    if match is None:
        raise InvalidParameter("The specified nextToken is invalid.")
    return match.group(1), int(match.group(2))


def page_token(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()


def read_page_token(token: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise InvalidParameter("The specified nextToken is invalid.") from None
    if not isinstance(state, dict):
        raise InvalidParameter("The specified nextToken is invalid.")
    return state


def check_retention(days: Any) -> int:
    """The retention in days if AWS accepts it, else AWS's InvalidParameterException."""
    if isinstance(days, bool) or not isinstance(days, int) or days not in RETENTION_DAYS:
        allowed = ", ".join(str(day) for day in RETENTION_DAYS)
        raise InvalidParameter(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{allowed}]"
        )
    return days


def retention_cutoff(days: int, now_ms: int) -> int:
    """Events older than this timestamp are past a retention of ``days``."""
    return now_ms - days * DAY_MS


def event_size(message: str) -> int:
    return len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD


def bound_target(max_bytes: int) -> int:
    """What the store shrinks to once it is over ``max_bytes``: 90%, so drops come in batches."""
    return max_bytes * 9 // 10
