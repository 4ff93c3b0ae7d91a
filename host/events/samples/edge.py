"""CloudFront Lambda@Edge requests and responses, one template per AWS blueprint."""

from __future__ import annotations

from host.events.registry import Values, template


def _headers(pairs: list[tuple[str, str]]) -> dict:
    headers: dict[str, list[dict]] = {}
    for key, value in pairs:
        headers.setdefault(key.lower(), []).append({"key": key, "value": value})
    return headers


def _record(v: Values, event_type: str, extra_request: list[tuple[str, str]], response: dict | None = None) -> dict:
    request = {
        "clientIp": "203.0.113.178",
        "querystring": v["querystring"],
        "uri": v["uri"],
        "method": v["method"],
        "headers": _headers(
            [
                ("Host", v["domain"]),
                ("User-Agent", "curl/8.5.0"),
                ("Accept", "*/*"),
                *extra_request,
            ]
        ),
    }
    if event_type.startswith("origin"):
        request["origin"] = {
            "custom": {
                "customHeaders": {},
                "domainName": "example.org",
                "keepaliveTimeout": 5,
                "path": "",
                "port": 443,
                "protocol": "https",
                "readTimeout": 30,
                "sslProtocols": ["TLSv1.2"],
            }
        }
    cf: dict = {
        "config": {
            "distributionDomainName": v["domain"],
            "distributionId": v["distribution-id"],
            "eventType": event_type,
            "requestId": v.b64(v.id())[:56],
        },
        "request": request,
    }
    if response is not None:
        cf["response"] = response
    return {"Records": [{"cf": cf}]}


def _response(v: Values, status: str, description: str, extra: list[tuple[str, str]] = ()) -> dict:
    pairs = [
        ("Date", v.http_date()),
        ("Server", "ExampleCustomOriginServer"),
        ("Content-Type", "text/html; charset=UTF-8"),
        ("Content-Length", "9593"),
        *extra,
    ]
    return {"status": status, "statusDescription": description, "headers": _headers(pairs)}


EDGE = dict(
    uri="/test", method="GET", querystring="", domain="d111111abcdef8.cloudfront.net", distribution_id="EDFDVBD6EXAMPLE"
)


def _viewer_request(name: str, description: str, extra: list[tuple[str, str]] = (), **fields: str):
    @template("cloudfront", name, description, **{**EDGE, **fields})
    def build(v: Values) -> dict:
        return _record(v, "viewer-request", list(extra))

    return build


_viewer_request("ab-test", "Lambda@Edge viewer request for an A/B test", [("Cookie", "X-Experiment-Name=B")])
_viewer_request("http-redirect", "Lambda@Edge viewer request answered with an HTTP redirect")
_viewer_request(
    "modify-querystring", "Lambda@Edge viewer request whose query string is rewritten", querystring="size=LARGE"
)
_viewer_request(
    "normalize-querystring-to-improve-cache-hit",
    "Lambda@Edge viewer request whose query string is normalised for the cache",
    querystring="size=LARGE&color=RED",
)
_viewer_request(
    "redirect-on-viewer-country",
    "Lambda@Edge origin request redirected by the viewer's country",
    [("CloudFront-Viewer-Country", "TW")],
)
_viewer_request(
    "redirect-unauthenticated-users",
    "Lambda@Edge viewer request of a user without a session cookie",
)
_viewer_request(
    "response-generation", "Lambda@Edge viewer request answered with a generated response", uri="/index.html"
)
_viewer_request(
    "serve-object-on-viewer-device",
    "Lambda@Edge viewer request choosing an object by the viewer's device",
    [("CloudFront-Is-Desktop-Viewer", "true"), ("CloudFront-Is-Mobile-Viewer", "false")],
)
_viewer_request(
    "simple-remote-call",
    "Lambda@Edge viewer request that makes a remote call",
)
_viewer_request(
    "multiple-remote-calls-aggregate-response",
    "Lambda@Edge viewer request aggregating several remote calls",
    uri="/forecast/Seattle:NewYork:Chicago:SanFrancisco",
)


@template("cloudfront", "access-request-in-response", "Lambda@Edge viewer response that reads the request", **EDGE)
def access_request_in_response(v: Values) -> dict:
    return _record(v, "viewer-response", [], _response(v, "200", "OK"))


@template("cloudfront", "modify-response-header", "Lambda@Edge origin response whose headers are changed", **EDGE)
def modify_response_header(v: Values) -> dict:
    return _record(v, "origin-response", [], _response(v, "200", "OK", [("Last-Modified", v.http_date())]))
