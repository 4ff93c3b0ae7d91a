"""Function URLs: their configuration through boto3, and their HTTP endpoints through curl and urllib."""

import base64
import contextlib
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid
from functools import partial

import pytest
from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function"
URL_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"

# Echoes the event, or answers in the shape the request's path names.
HANDLER = """
import base64, json
def handler(event, context):
    path = event['rawPath']
    if path == '/fail':
        raise RuntimeError('failing on purpose')
    if path == '/string':
        return 'hello'
    if path == '/object':
        return {'hello': 'world', 'n': [1, 2.5, True]}
    if path == '/number':
        return 3
    if path == '/teapot':
        return {'statusCode': '418', 'body': "i'm a teapot"}
    if path == '/shaped':
        return {'statusCode': 201, 'headers': {'Content-Type': 'text/plain', 'My-Custom-Header': 'Custom Value'},
                'cookies': ['a=1; Path=/', 'b=2'], 'body': 'made'}
    if path == '/binary':
        return {'statusCode': 200, 'headers': {'content-type': 'application/octet-stream'},
                'body': base64.b64encode(bytes(range(256))).decode(), 'isBase64Encoded': True}
    if path == '/bad-status':
        return {'statusCode': 'lots'}
    if path == '/version':
        return {'version': context.function_version, 'arn': context.invoked_function_arn}
    return event
"""


@pytest.fixture
def url_function(lambda_client):
    names = []

    def create(**params) -> str:
        name = f"url-{uuid.uuid4().hex[:8]}"
        lambda_client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})}, **params,
        )  # fmt: skip
        names.append(name)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        return name

    yield create
    for name in names:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


def error_of(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def body_of(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# -- the configuration API ------------------------------------------------------------------------


def test_url_config_lifecycle_in_aws_shapes(lambda_client, url_function):
    name = url_function()
    created = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert set(body_of(created)) == {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime"}
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", created["FunctionUrl"])
    assert created["FunctionArn"] == f"{ACCOUNT_ARN}:{name}"
    assert re.fullmatch(URL_TIME, created["CreationTime"])
    got = lambda_client.get_function_url_config(FunctionName=name)
    assert body_of(got) == {
        **body_of(created), "InvokeMode": "BUFFERED", "LastModifiedTime": created["CreationTime"],
    }  # fmt: skip
    updated = lambda_client.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert set(body_of(updated)) == {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime", "LastModifiedTime"}
    assert updated["AuthType"] == "AWS_IAM" and updated["FunctionUrl"] == created["FunctionUrl"]
    assert updated["CreationTime"] == created["CreationTime"]
    streaming = lambda_client.update_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM")
    assert streaming["InvokeMode"] == "RESPONSE_STREAM" and streaming["AuthType"] == "AWS_IAM"
    assert lambda_client.update_function_url_config(FunctionName=name)["InvokeMode"] == "RESPONSE_STREAM"
    listed = lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [created["FunctionUrl"]]
    conflict = error_of(lambda: lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE"))
    assert conflict == (
        409, "ResourceConflictException",
        f"Failed to create function url config for [functionArn = {ACCOUNT_ARN}:{name}]. "
        "Error message:  FunctionUrlConfig exists for this Lambda function",
    )  # fmt: skip
    deleted = lambda_client.delete_function_url_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: lambda_client.get_function_url_config(FunctionName=name)) == (
        404, "ResourceNotFoundException", "The resource you requested does not exist.",
    )  # fmt: skip
    assert lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []


def test_create_echoes_invoke_mode_and_cors_only_when_given(lambda_client, url_function):
    name = url_function()
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
    created = lambda_client.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="BUFFERED", Cors=cors
    )
    assert created["InvokeMode"] == "BUFFERED"
    assert created["Cors"] == cors
    assert lambda_client.get_function_url_config(FunctionName=name)["Cors"] == cors


def test_url_config_errors_follow_aws(lambda_client, url_function):
    name = url_function()
    for qualifier in ("1", "$LATEST"):
        for call, params in (
            (lambda_client.create_function_url_config, {"FunctionName": name, "AuthType": "NONE"}),
            (lambda_client.get_function_url_config, {"FunctionName": "never-made"}),
            (lambda_client.delete_function_url_config, {"FunctionName": name}),
        ):
            assert error_of(partial(call, Qualifier=qualifier, **params)) == (
                400, "ValidationException",
                f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}",
            )  # fmt: skip
    missing = "never-made"
    expected = {
        "create": "Function does not exist", "update": "Function does not exist", "list": "Function does not exist",
        "get": "The resource you requested does not exist.", "delete": "The resource you requested does not exist.",
    }  # fmt: skip
    calls = {
        "create": lambda fn, q: lambda_client.create_function_url_config(FunctionName=fn, AuthType="NONE", **q),
        "update": lambda fn, q: lambda_client.update_function_url_config(FunctionName=fn, AuthType="NONE", **q),
        "get": lambda fn, q: lambda_client.get_function_url_config(FunctionName=fn, **q),
        "delete": lambda fn, q: lambda_client.delete_function_url_config(FunctionName=fn, **q),
    }
    for operation, call in calls.items():
        assert error_of(partial(call, missing, {})) == (404, "ResourceNotFoundException", expected[operation])
        assert error_of(partial(call, name, {"Qualifier": "v1"})) == (
            404, "ResourceNotFoundException", expected[operation],
        )  # fmt: skip
    assert error_of(lambda: lambda_client.list_function_url_configs(FunctionName=missing)) == (
        404, "ResourceNotFoundException", "Function does not exist",
    )  # fmt: skip
    assert error_of(lambda: lambda_client.update_function_url_config(FunctionName=name, AuthType="NONE")) == (
        404, "ResourceNotFoundException", "The resource you requested does not exist.",
    )  # fmt: skip
    assert error_of(
        lambda: lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="UNKNOWN")
    ) == (
        400, "ValidationException",
        "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]",
    )  # fmt: skip
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="urlalias", FunctionVersion="1")
    assert error_of(
        lambda: lambda_client.create_function_url_config(
            FunctionName=f"{name}:other", Qualifier="urlalias", AuthType="NONE"
        )
    ) == (
        400, "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )  # fmt: skip
    assert lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []


def test_alias_urls_are_separate_and_go_with_their_alias(lambda_client, url_function):
    name = url_function()
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    own = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    live = lambda_client.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")
    assert live["FunctionArn"] == f"{ACCOUNT_ARN}:{name}:live"
    assert live["FunctionUrl"] != own["FunctionUrl"]
    by_name = lambda_client.get_function_url_config(FunctionName=f"{name}:live")
    assert by_name["FunctionUrl"] == live["FunctionUrl"]
    status, _, body = fetch(live["FunctionUrl"] + "version")
    assert status == 200 and json.loads(body) == {"version": "1", "arn": f"{ACCOUNT_ARN}:{name}:live"}
    status, _, body = fetch(own["FunctionUrl"] + "version")
    assert status == 200 and json.loads(body) == {"version": "$LATEST", "arn": f"{ACCOUNT_ARN}:{name}"}
    page = lambda_client.list_function_url_configs(FunctionName=name, MaxItems=1)
    assert len(page["FunctionUrlConfigs"]) == 1 and page["NextMarker"]
    rest = lambda_client.list_function_url_configs(FunctionName=name, Marker=page["NextMarker"])
    assert {c["FunctionArn"] for c in page["FunctionUrlConfigs"] + rest["FunctionUrlConfigs"]} == {
        f"{ACCOUNT_ARN}:{name}", f"{ACCOUNT_ARN}:{name}:live",
    }  # fmt: skip
    lambda_client.delete_function_url_config(FunctionName=name)
    assert lambda_client.get_function_url_config(FunctionName=name, Qualifier="live")["FunctionUrl"]
    lambda_client.delete_alias(FunctionName=name, Name="live")
    assert error_of(lambda: lambda_client.get_function_url_config(FunctionName=name, Qualifier="live"))[0] == 404
    status, headers, body = fetch(live["FunctionUrl"])  # as on AWS: the URL answers 403 from now on
    assert status == 403 and headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert json.loads(body)["Message"].startswith("Forbidden. For troubleshooting Function URL authorization")


# -- the HTTP endpoint ----------------------------------------------------------------------------


def test_curl_gets_a_payload_2_0_event(lambda_client, url_function):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    name = url_function()
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    out = subprocess.run(
        [
            "curl", "-sS", "-i", "-X", "POST", url + "pa%20th/one?q=query&multi=foo&multi=%2Fbar",
            "-H", "Content-Type: application/json", "-H", "X-Custom: With WeiRd CapS",
            "-H", "Cookie: c1=v1; c2=v2", "-A", "test/echo", "--data", '{"foo": "bar"}',
        ],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-amzn-RequestId"])
    event = json.loads(body)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/pa%20th/one"
    assert event["rawQueryString"] == "q=query&multi=foo&multi=%2Fbar"
    assert event["queryStringParameters"] == {"q": "query", "multi": "foo,/bar"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-custom"] == "With WeiRd CapS"
    assert event["headers"]["content-type"] == "application/json"
    assert "cookie" not in event["headers"] and "connection" not in event["headers"]
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["body"] == '{"foo": "bar"}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["accountId"] == "anonymous"
    assert context["requestId"] == headers["x-amzn-RequestId"]
    assert context["http"] == {
        "method": "POST", "path": "/pa th/one", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
        "userAgent": "test/echo",
    }  # fmt: skip
    assert context["routeKey"] == "$default" and context["stage"] == "$default"
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", context["time"])
    assert isinstance(context["timeEpoch"], int)
    assert context["apiId"] == context["domainPrefix"] and re.fullmatch(r"[a-z0-9]{32}", context["apiId"])
    assert "authorizer" not in context and "pathParameters" not in event


def test_bodies_that_are_not_text_arrive_base64_encoded(lambda_client, url_function):
    name = url_function()
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    data = bytes(range(256))
    _, _, body = fetch(url, data=data, headers={"Content-Type": "application/octet-stream"})
    event = json.loads(body)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == data
    _, _, body = fetch(url, data=b"a=1&b=2", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert json.loads(body)["isBase64Encoded"] is True
    _, _, body = fetch(url, data=b"plain words", headers={"Content-Type": "text/plain; charset=utf-8"})
    event = json.loads(body)
    assert event["body"] == "plain words" and event["isBase64Encoded"] is False
    event = json.loads(fetch(url)[2])
    assert "body" not in event and event["isBase64Encoded"] is False
    assert "queryStringParameters" not in event and "cookies" not in event and event["rawQueryString"] == ""


def test_results_become_http_responses_as_lambda_maps_them(lambda_client, url_function):
    name = url_function()
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    assert fetch(url + "string")[::2] == (200, b"hello")
    status, headers, body = fetch(url + "object")
    assert (status, body) == (200, b'{"hello":"world","n":[1,2.5,true]}')
    assert headers["Content-Type"] == "application/json"
    assert fetch(url + "number")[::2] == (200, b"3")
    assert fetch(url + "teapot")[::2] == (418, b"i'm a teapot")
    status, headers, body = fetch(url + "shaped")
    assert (status, body) == (201, b"made")
    assert headers["Content-Type"] == "text/plain" and headers["My-Custom-Header"] == "Custom Value"
    assert headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2"]
    status, headers, body = fetch(url + "binary")
    assert (status, body) == (200, bytes(range(256)))
    assert fetch(url + "fail")[::2] == (502, b"Internal Server Error")
    assert fetch(url + "bad-status")[::2] == (502, b"Internal Server Error")


def test_an_unknown_url_id_gets_aws_403_on_the_api_port(lambda_host):
    host_header = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
    status, headers, body = fetch(lambda_host.endpoint + "/", headers={"Host": host_header})
    assert (status, body) == (403, b'{"Message":null}')
    assert headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_a_url_answers_on_the_api_port_by_its_host_name(lambda_client, lambda_host, url_function):
    name = url_function()
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    url_id = json.loads(fetch(url)[2])["requestContext"]["apiId"]
    status, _, body = fetch(lambda_host.endpoint + "/string", headers={"Host": f"{url_id}.lambda-url.us-east-1.on.aws"})
    assert (status, body) == (200, b"hello")


def test_aws_iam_urls_want_a_signed_request(lambda_client, url_function):
    name = url_function()
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    status, _, body = fetch(url)
    assert (status, body) == (403, b'{"Message":"Forbidden"}')
    signed = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, Signature=x"
    status, _, body = fetch(url, headers={"Authorization": signed})
    event = json.loads(body)
    assert status == 200 and event["requestContext"]["authorizer"]["iam"]["accessKey"] == "AKIDEXAMPLE"


def test_cors_preflight_is_answered_without_the_function(lambda_client, url_function):
    name = url_function()
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"], "MaxAge": 60}
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", Cors=cors)["FunctionUrl"]
    status, headers, body = fetch(
        url + "fail",
        method="OPTIONS",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200 and body == b""
    assert headers["Access-Control-Allow-Origin"] == "https://example.com"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST" and headers["Access-Control-Max-Age"] == "60"
    status, headers, _ = fetch(url + "string", headers={"Origin": "https://example.com"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://example.com"
    status, headers, _ = fetch(url + "string", headers={"Origin": "https://elsewhere.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_urls_keep_their_address_across_restarts_and_go_with_their_function(lambda_host_factory, tmp_path):
    host = lambda_host_factory(state_dir=tmp_path)
    client = client_for(host)
    client.create_function(
        FunctionName="kept", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER})},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="kept", WaiterConfig={"Delay": 0.2})
    url = client.create_function_url_config(FunctionName="kept", AuthType="NONE")["FunctionUrl"]
    assert fetch(url + "string")[::2] == (200, b"hello")
    host.stop_thread()
    again = lambda_host_factory(state_dir=tmp_path)
    client = client_for(again)
    assert client.get_function_url_config(FunctionName="kept")["FunctionUrl"] == url
    assert fetch(url + "string")[::2] == (200, b"hello")
    client.delete_function(FunctionName="kept")
    assert fetch(url)[0] == 403
