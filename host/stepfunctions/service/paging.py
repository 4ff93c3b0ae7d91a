"""List paging as AWS does it: ``maxResults`` up to 1000 (0 or none: the default), and an
opaque ``nextToken`` (here the offset, encoded) whose length and content are checked."""

from __future__ import annotations

import base64
import binascii
import json

from host.stepfunctions.service.errors import InvalidToken, ValidationException

MAX_RESULTS = 1000


def limit(max_results: int | None, default: int = 100) -> int:
    if max_results is None or max_results == 0:
        return default
    if max_results > MAX_RESULTS:
        raise ValidationException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member "
            "must have value less than or equal to 1000"
        )
    if max_results < 0:
        raise ValidationException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member "
            "must have value greater than or equal to 0"
        )
    return max_results


def offset(token: str | None, max_length: int = 1024) -> int:
    if token is None:
        return 0
    if len(token) > max_length:
        raise ValidationException(
            f"1 validation error detected: Value '{token}' at 'nextToken' failed to satisfy constraint: Member must "
            f"have length less than or equal to {max_length}"
        )
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidToken("Invalid Token: 'Invalid token'") from None
    if not isinstance(value, int) or value < 0:
        raise InvalidToken("Invalid Token: 'Invalid token'")
    return value


def token(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": position}).encode()).decode()


def page(
    items: list, max_results: int | None, next_token: str | None, max_length: int = 1024
) -> tuple[list, str | None]:
    start = offset(next_token, max_length)
    size = limit(max_results)
    chunk = items[start : start + size]
    return chunk, token(start + size) if start + size < len(items) else None
