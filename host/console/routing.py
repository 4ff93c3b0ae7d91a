"""Which requests on the host's port are the console's (``host.api.front`` asks this).

1. Anything under ``/_lambda-host/console/`` (its script, styles and JSON endpoints).
2. A browser's page load: a GET of ``/`` that accepts HTML, or of ``/console`` and below,
   unsigned and without ``X-Amz-Target`` (so no AWS API request is ever taken for a page).

The Lambda API has no operation at these paths, so every path it has keeps its meaning.
"""

from __future__ import annotations

PREFIX = "/_lambda-host/console/"
PAGES = "/console"


def is_console_request(method: str, path: str, headers: dict[str, str]) -> bool:
    if path.startswith(PREFIX):
        return True
    if method not in ("GET", "HEAD") or "x-amz-target" in headers or "authorization" in headers:
        return False
    if path == PAGES or path.startswith(PAGES + "/"):
        return True
    return path == "/" and "text/html" in headers.get("accept", "")
