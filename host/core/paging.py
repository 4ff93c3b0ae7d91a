"""Lambda's list pagination: an opaque Marker after the last item of a page, MaxItems per page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from host.core.errors import InvalidParameterValue

T = TypeVar("T")


def page(
    items: Sequence[T], key: Callable[[T], str], marker: str | None, max_items: int | None, size: int = 50
) -> tuple[list[T], str | None]:
    """The page of ``items`` (sorted by ``key``) after ``marker``, and the marker of the next page if any."""
    start = 0
    if marker:
        try:
            after = base64.urlsafe_b64decode(marker.encode()).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidParameterValue("Invalid marker.") from exc
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    size = min(max_items or size, size)
    chunk = list(items[start : start + size])
    more = start + size < len(items)
    return chunk, base64.urlsafe_b64encode(key(chunk[-1]).encode()).decode() if more and chunk else None
