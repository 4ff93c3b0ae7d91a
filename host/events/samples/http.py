"""HTTP front ends: API Gateway (REST, HTTP API, authorizers), Application Load Balancer, AppSync."""

from __future__ import annotations

from urllib.parse import parse_qsl

from host.events.registry import Values, template

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def _query(text: str) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    return query


def _body(v: Values, base64: str) -> tuple[str, bool]:
    encoded = base64.lower() in ("true", "1", "yes")
    return (v.b64(v["body"]) if encoded else v["body"]), encoded


def _rest_headers(v: Values, host: str) -> dict[str, str]:
    return {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate, br",
        "Content-Type": "application/json",
        "Host": host,
        "User-Agent": BROWSER,
        "X-Amzn-Trace-Id": f"Root=1-{int(v.epoch()):08x}-{v.id('trace').replace('-', '')[:24]}",
        "X-Forwarded-For": v["source-ip"],
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }


@template(
    "apigateway",
    "aws-proxy",
    "Amazon API Gateway REST API proxy integration request (payload format 1.0)",
    method="POST",
    path="/path/to/resource",
    resource="/{proxy+}",
    stage="prod",
    body='{"test":"body"}',
    base64="false",
    query="foo=bar",
    api_id="1234567890",
    source_ip="127.0.0.1",
)
def aws_proxy(v: Values) -> dict:
    host = f"{v['api-id']}.execute-api.{v.region}.amazonaws.com"
    headers = _rest_headers(v, host)
    query = _query(v["query"])
    body, encoded = _body(v, v["base64"])
    path = "/" + v["path"].lstrip("/")
    return {
        "body": body,
        "resource": v["resource"],
        "path": path,
        "httpMethod": v["method"],
        "isBase64Encoded": encoded,
        "queryStringParameters": {k: vs[-1] for k, vs in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")} if "{proxy+}" in v["resource"] else None,
        "stageVariables": None,
        "headers": headers,
        "multiValueHeaders": {k: [value] for k, value in headers.items()},
        "requestContext": {
            "accountId": v.account,
            "resourceId": "123456",
            "stage": v["stage"],
            "requestId": v.id(),
            "requestTime": v.now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": v.epoch_ms(),
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "accessKey": None,
                "sourceIp": v["source-ip"],
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": BROWSER,
                "user": None,
            },
            "path": f"/{v['stage']}{path}",
            "resourcePath": v["resource"],
            "httpMethod": v["method"],
            "apiId": v["api-id"],
            "protocol": "HTTP/1.1",
            "domainName": host,
            "domainPrefix": v["api-id"],
            "extendedRequestId": v.id("extended")[:16],
        },
    }


@template(
    "apigateway",
    "http-api-proxy",
    "Amazon API Gateway HTTP API request (payload format 2.0)",
    method="POST",
    path="/my/path",
    route_key="$default",
    stage="$default",
    body='{"test":"body"}',
    base64="false",
    query="parameter1=value1&parameter1=value2&parameter2=value",
    api_id="api-id",
    source_ip="192.0.2.1",
    cookies="cookie1=value1; cookie2=value2",
)
def http_api(v: Values) -> dict:
    host = f"{v['api-id']}.execute-api.{v.region}.amazonaws.com"
    query = _query(v["query"])
    body, encoded = _body(v, v["base64"])
    path = "/" + v["path"].lstrip("/")
    route = v["route-key"]
    event = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": v["query"],
        "cookies": [c.strip() for c in v["cookies"].split(";") if c.strip()],
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "content-length": str(len(v["body"].encode())),
            "host": host,
            "user-agent": BROWSER,
            "x-amzn-trace-id": f"Root=1-{int(v.epoch()):08x}-{v.id('trace').replace('-', '')[:24]}",
            "x-forwarded-for": v["source-ip"],
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "queryStringParameters": {k: ",".join(vs) for k, vs in query.items()},
        "requestContext": {
            "accountId": v.account,
            "apiId": v["api-id"],
            "domainName": host,
            "domainPrefix": v["api-id"],
            "http": {
                "method": v["method"],
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": v["source-ip"],
                "userAgent": BROWSER,
            },
            "requestId": v.id()[:16],
            "routeKey": route,
            "stage": v["stage"],
            "time": v.now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": v.epoch_ms(),
        },
        "body": body,
        "pathParameters": {},
        "isBase64Encoded": encoded,
        "stageVariables": {},
    }
    if not event["cookies"]:
        del event["cookies"]
    if not event["queryStringParameters"]:
        del event["queryStringParameters"]
    return event


@template(
    "apigateway",
    "authorizer",
    "Amazon API Gateway TOKEN authorizer request",
    token="allow",
    method="GET",
    resource="/request",
    stage="test",
    api_id="abcdef123",
)
def token_authorizer(v: Values) -> dict:
    return {
        "type": "TOKEN",
        "authorizationToken": v["token"],
        "methodArn": v.arn("execute-api", f"{v['api-id']}/{v['stage']}/{v['method']}{v['resource']}"),
    }


@template(
    "apigateway",
    "request-authorizer",
    "Amazon API Gateway REST API REQUEST authorizer request",
    method="GET",
    path="/request",
    resource="/request",
    stage="test",
    api_id="abcdef123",
    header_auth="headerValue1",
    query="QueryString1=queryValue1",
    source_ip="127.0.0.1",
)
def request_authorizer(v: Values) -> dict:
    host = f"{v['api-id']}.execute-api.{v.region}.amazonaws.com"
    headers = {**_rest_headers(v, host), "HeaderAuth1": v["header-auth"]}
    query = _query(v["query"])
    return {
        "type": "REQUEST",
        "methodArn": v.arn("execute-api", f"{v['api-id']}/{v['stage']}/{v['method']}{v['resource']}"),
        "resource": v["resource"],
        "path": v["path"],
        "httpMethod": v["method"],
        "headers": headers,
        "multiValueHeaders": {k: [value] for k, value in headers.items()},
        "queryStringParameters": {k: vs[-1] for k, vs in query.items()},
        "multiValueQueryStringParameters": query,
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": {
            "path": f"/{v['stage']}{v['path']}",
            "accountId": v.account,
            "resourceId": "05c7jb",
            "stage": v["stage"],
            "requestId": v.id(),
            "identity": {"apiKey": "", "sourceIp": v["source-ip"], "clientCert": None},
            "resourcePath": v["resource"],
            "httpMethod": v["method"],
            "apiId": v["api-id"],
        },
    }


@template(
    "apigateway",
    "request-authorizer-v2",
    "Amazon API Gateway HTTP API Lambda authorizer request (payload format 2.0)",
    method="GET",
    path="/request",
    route_key="GET /request",
    stage="$default",
    api_id="abcdef123",
    authorization="allow",
    source_ip="192.0.2.1",
)
def request_authorizer_v2(v: Values) -> dict:
    host = f"{v['api-id']}.execute-api.{v.region}.amazonaws.com"
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": v.arn("execute-api", f"{v['api-id']}/{v['stage']}/{v['method']}{v['path']}"),
        "identitySource": [v["authorization"]],
        "routeKey": v["route-key"],
        "rawPath": v["path"],
        "rawQueryString": "",
        "headers": {"authorization": v["authorization"], "host": host, "user-agent": BROWSER},
        "requestContext": {
            "accountId": v.account,
            "apiId": v["api-id"],
            "domainName": host,
            "domainPrefix": v["api-id"],
            "http": {
                "method": v["method"],
                "path": v["path"],
                "protocol": "HTTP/1.1",
                "sourceIp": v["source-ip"],
                "userAgent": BROWSER,
            },
            "requestId": v.id()[:16],
            "routeKey": v["route-key"],
            "stage": v["stage"],
            "time": v.now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": v.epoch_ms(),
        },
        "pathParameters": {},
        "stageVariables": {},
    }


@template(
    "alb",
    "request",
    "Application Load Balancer request to a Lambda target group",
    method="GET",
    path="/lambda",
    query="query=1234ABCD",
    body="",
    base64="false",
    target_group="lambda-279XGJDqGZ5rsrHC2Fjr",
    source_ip="72.12.164.125",
)
def alb(v: Values) -> dict:
    body, encoded = _body(v, v["base64"])
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": v.arn("elasticloadbalancing", f"targetgroup/{v['target-group']}/49e9d65c45c6791a")
            }
        },
        "httpMethod": v["method"],
        "path": v["path"],
        "queryStringParameters": {k: vs[-1] for k, vs in _query(v["query"]).items()},
        "headers": {
            "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8",
            "accept-encoding": "gzip",
            "accept-language": "en-US,en;q=0.9",
            "connection": "keep-alive",
            "host": f"lambda-alb-123578498.{v.region}.elb.amazonaws.com",
            "upgrade-insecure-requests": "1",
            "user-agent": BROWSER,
            "x-amzn-trace-id": f"Root=1-{int(v.epoch()):08x}-{v.id('trace').replace('-', '')[:24]}",
            "x-forwarded-for": v["source-ip"],
            "x-forwarded-port": "80",
            "x-forwarded-proto": "http",
            "x-imforwards": "20",
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


@template(
    "appsync",
    "direct-resolver",
    "AWS AppSync direct Lambda resolver request",
    field_name="getPost",
    parent_type="Query",
    arguments='{"id": "123"}',
    username="johndoe",
    source_ip="192.0.2.1",
)
def appsync(v: Values) -> dict:
    import json

    return {
        "arguments": json.loads(v["arguments"]),
        "identity": {
            "claims": {
                "sub": v.id("sub"),
                "email_verified": True,
                "iss": f"https://cognito-idp.{v.region}.amazonaws.com/{v.region}_example",
                "cognito:username": v["username"],
                "aud": "7471s60os7h0uu77i1tk27sp9n",
                "event_id": v.id("event"),
                "token_use": "id",
                "auth_time": int(v.epoch()),
                "exp": int(v.epoch()) + 3600,
                "iat": int(v.epoch()),
                "email": f"{v['username']}@example.com",
            },
            "defaultAuthStrategy": "ALLOW",
            "groups": None,
            "issuer": f"https://cognito-idp.{v.region}.amazonaws.com/{v.region}_example",
            "sourceIp": [v["source-ip"]],
            "sub": v.id("sub"),
            "username": v["username"],
        },
        "source": None,
        "request": {
            "headers": {
                "x-forwarded-for": v["source-ip"],
                "accept-encoding": "gzip, deflate, br",
                "cloudfront-viewer-country": "US",
                "cloudfront-is-tablet-viewer": "false",
                "content-type": "application/json",
                "host": f"example.appsync-api.{v.region}.amazonaws.com",
                "user-agent": BROWSER,
            },
            "domainName": None,
        },
        "prev": None,
        "info": {
            "selectionSetList": ["id", "title", "content"],
            "selectionSetGraphQL": "{\n  id\n  title\n  content\n}",
            "parentTypeName": v["parent-type"],
            "fieldName": v["field-name"],
            "variables": {},
        },
        "stash": {},
    }
