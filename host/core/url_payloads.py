"""Function URLs' two translations: an HTTP request into a payload format 2.0 event, and
the function's result back into an HTTP response, as Lambda does them.

Pure functions over plain values, so the HTTP side only moves bytes. The rules follow
AWS's recorded behaviour where it differs from its documentation: a string result is
sent without JSON quotes, other results are re-serialised compactly, and an event for
an unauthenticated URL says ``accountId: "anonymous"`` and leaves out what is empty.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

# Request headers Lambda does not pass on (the cookie header becomes ``cookies``).
_DROPPED_HEADERS = frozenset(("connection", "cookie", "keep-alive", "transfer-encoding", "upgrade"))
# Response headers the host itself writes.
_OWN_HEADERS = frozenset(("content-length", "connection", "transfer-encoding", "keep-alive"))
_TEXT_TYPES = ("text/", "application/json", "+json", "application/xml", "+xml", "application/javascript")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class UrlRequest:
    """An HTTP request to a function URL, as the listener read it."""

    method: str
    raw_path: str  # as sent, still percent-encoded
    path: str  # percent-decoded
    query: str  # without the "?"
    headers: Mapping[str, str]  # names lower-cased; repeated headers joined with ","
    body: bytes
    source_ip: str
    url_id: str
    request_id: str
    authorizer: dict | None = None  # the IAM caller, for AuthType AWS_IAM


class UnmappableResult(ValueError):
    """The function's result cannot be an HTTP response (Lambda answers 502)."""


def request_event(request: UrlRequest, now: float | None = None) -> dict[str, Any]:
    """The payload format 2.0 event Lambda sends a function behind a URL."""
    now = time.time() if now is None else now
    headers = {name: value for name, value in request.headers.items() if name not in _DROPPED_HEADERS}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.raw_path or "/",
        "rawQueryString": request.query,
    }
    cookie = request.headers.get("cookie")
    if cookie:
        event["cookies"] = [part.strip() for part in cookie.split(";") if part.strip()]
    event["headers"] = headers
    if request.query:
        values: dict[str, list[str]] = {}
        for key, value in parse_qsl(request.query, keep_blank_values=True):
            values.setdefault(key, []).append(value)
        event["queryStringParameters"] = {key: ",".join(parts) for key, parts in values.items()}
    domain = request.headers.get("host", "")
    context: dict[str, Any] = {
        "accountId": "anonymous",
        "apiId": request.url_id,
    }
    if request.authorizer is not None:
        context["accountId"] = request.authorizer["iam"]["accountId"]
        context["authorizer"] = request.authorizer
    context.update(
        {
            "domainName": domain,
            "domainPrefix": request.url_id,
            "http": {
                "method": request.method,
                "path": request.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": request.request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": _clf_time(now),
            "timeEpoch": int(now * 1000),
        }
    )
    event["requestContext"] = context
    if request.body:
        if _is_text(request.headers.get("content-type", "")):
            try:
                event["body"] = request.body.decode("utf-8")
                event["isBase64Encoded"] = False
                return event
            except UnicodeDecodeError:
                pass
        event["body"] = base64.b64encode(request.body).decode("ascii")
        event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def http_response(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for the function's result; ``UnmappableResult`` if it cannot be one."""
    try:
        value = json.loads(payload)
    except ValueError:
        return 200, [("Content-Type", "application/json")], payload  # not JSON: sent as it is
    if not isinstance(value, dict) or "statusCode" not in value:
        return 200, [("Content-Type", "application/json")], _plain_body(value)
    try:
        status = int(value["statusCode"])
    except (TypeError, ValueError) as exc:
        raise UnmappableResult(f"statusCode {value['statusCode']!r} is not a number") from exc
    if not 100 <= status <= 599:
        raise UnmappableResult(f"statusCode {status} is not an HTTP status")
    headers: list[tuple[str, str]] = []
    given = value.get("headers") or {}
    if not isinstance(given, dict):
        raise UnmappableResult("headers must be an object")
    for name, header in given.items():
        if str(name).lower() in _OWN_HEADERS:
            continue
        shown = ",".join(map(_header_text, header)) if isinstance(header, list) else _header_text(header)
        headers.append((str(name), shown))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.insert(0, ("Content-Type", "application/json"))
    cookies = value.get("cookies") or ()
    for cookie in [cookies] if isinstance(cookies, str) else cookies:
        headers.append(("Set-Cookie", str(cookie)))
    return status, headers, _response_body(value)


def _response_body(value: dict) -> bytes:
    body = value.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        return _compact(body)
    if value.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UnmappableResult("body is not valid base64") from exc
    return body.encode("utf-8")


def _plain_body(value: Any) -> bytes:
    """A result without statusCode is the body itself: a string as its text, the rest as compact JSON."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return _compact(value)


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return any(kind.startswith(t) if t.endswith("/") else (kind == t or kind.endswith(t)) for t in _TEXT_TYPES)


def _clf_time(now: float) -> str:
    """``10/Apr/2022:13:30:05 +0000``: English month names whatever the locale."""
    t = time.gmtime(now)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


# -- CORS, which Lambda answers itself when the URL has a Cors configuration ----------------------


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    return method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def cors_headers(cors: Mapping[str, Any] | None, headers: Mapping[str, str], preflight: bool) -> list[tuple[str, str]]:
    """The Access-Control-* headers for a request from an allowed origin (none otherwise)."""
    origin = headers.get("origin")
    if not cors or not origin:
        return []
    allowed = cors.get("AllowOrigins") or []
    if "*" not in allowed and origin not in allowed:
        return []
    credentials = bool(cors.get("AllowCredentials"))
    out = [("Access-Control-Allow-Origin", origin if credentials or "*" not in allowed else "*")]
    if credentials:
        out.append(("Access-Control-Allow-Credentials", "true"))
    if preflight:
        methods = cors.get("AllowMethods") or []
        if methods:
            out.append(("Access-Control-Allow-Methods", ",".join(methods)))
        allow_headers = cors.get("AllowHeaders") or []
        if allow_headers:
            out.append(("Access-Control-Allow-Headers", ",".join(allow_headers)))
        if cors.get("MaxAge") is not None:
            out.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
    else:
        expose = cors.get("ExposeHeaders") or []
        if expose:
            out.append(("Access-Control-Expose-Headers", ",".join(expose)))
    return out
