"""Function URLs: an HTTP request as a payload format 2.0 event, a result as an HTTP response, and CORS."""

import base64
import calendar
import json

import pytest

from host.core.url_payloads import (
    UnmappableResult,
    UrlRequest,
    cors_headers,
    http_response,
    is_preflight,
    request_event,
)

NOW = calendar.timegm((2022, 8, 5, 8, 14, 39)) + 0.123456  # 05/Aug/2022:08:14:39.123456 UTC


def make_request(**changes) -> UrlRequest:
    fields = {
        "method": "GET",
        "raw_path": "/",
        "path": "/",
        "query": "",
        "headers": {"host": "abc123.lambda-url.us-east-1.localhost", "user-agent": "curl/8.0"},
        "body": b"",
        "source_ip": "127.0.0.1",
        "url_id": "abc123",
        "request_id": "11111111-2222-3333-4444-555555555555",
    }
    fields.update(changes)
    return UrlRequest(**fields)


def event_for(**changes):
    return request_event(make_request(**changes), now=NOW)


# -- request_event: headers, cookies, query ----------------------------------------------------------


def test_the_event_frame():
    event = event_for()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/"
    assert event["rawQueryString"] == ""
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    assert "cookies" not in event
    assert "queryStringParameters" not in event
    assert event["requestContext"] == {
        "accountId": "anonymous",
        "apiId": "abc123",
        "domainName": "abc123.lambda-url.us-east-1.localhost",
        "domainPrefix": "abc123",
        "http": {
            "method": "GET",
            "path": "/",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "curl/8.0",
        },
        "requestId": "11111111-2222-3333-4444-555555555555",
        "routeKey": "$default",
        "stage": "$default",
        "time": "05/Aug/2022:08:14:39 +0000",
        "timeEpoch": 1659687279123,
    }


def test_time_is_in_english_whatever_the_month_and_epoch_is_whole_milliseconds():
    now = calendar.timegm((2023, 12, 1, 23, 5, 9))
    context = request_event(make_request(), now=now)["requestContext"]
    assert context["time"] == "01/Dec/2023:23:05:09 +0000"
    assert context["timeEpoch"] == 1701471909000
    assert isinstance(context["timeEpoch"], int)


def test_without_a_given_time_the_event_uses_now():
    import time

    before = int(time.time() * 1000)
    epoch = request_event(make_request())["requestContext"]["timeEpoch"]
    assert before <= epoch <= int(time.time() * 1000)


def test_headers_are_passed_as_given_except_the_ones_lambda_drops():
    headers = {
        "host": "h",
        "x-custom": "A,b",
        "content-type": "text/plain",
        "connection": "keep-alive",
        "keep-alive": "timeout=5",
        "transfer-encoding": "chunked",
        "upgrade": "h2c",
    }
    event = event_for(headers=headers)
    assert event["headers"] == {"host": "h", "x-custom": "A,b", "content-type": "text/plain"}


def test_the_cookie_header_becomes_the_cookies_list():
    event = event_for(headers={"host": "h", "cookie": "a=1; b=2;c=3 ; "})
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]


def test_query_parameters_are_decoded_and_repeated_keys_joined_with_commas():
    event = event_for(query="name=J%C3%BCrgen&tag=a&tag=b+c&empty=&x=%26%3D")
    assert event["rawQueryString"] == "name=J%C3%BCrgen&tag=a&tag=b+c&empty=&x=%26%3D"
    assert event["queryStringParameters"] == {"name": "Jürgen", "tag": "a,b c", "empty": "", "x": "&="}


def test_raw_path_stays_encoded_and_the_http_path_is_decoded():
    event = event_for(raw_path="/a%20b/%C3%A9", path="/a b/é")
    assert event["rawPath"] == "/a%20b/%C3%A9"
    assert event["requestContext"]["http"]["path"] == "/a b/é"


def test_an_empty_path_is_the_root():
    event = event_for(raw_path="", path="")
    assert event["rawPath"] == "/"
    assert event["requestContext"]["http"]["path"] == "/"


def test_method_source_ip_and_user_agent_come_from_the_request():
    event = event_for(method="POST", source_ip="10.0.0.7", headers={"host": "h"})
    http = event["requestContext"]["http"]
    assert (http["method"], http["sourceIp"], http["userAgent"]) == ("POST", "10.0.0.7", "")


def test_an_iam_caller_becomes_the_authorizer_and_the_account():
    authorizer = {
        "iam": {
            "accessKey": "AKIA0000",
            "accountId": "123456789012",
            "callerId": "AIDA0000",
            "userArn": "arn:aws:iam::123456789012:user/dev",
            "userId": "AIDA0000",
        }
    }
    context = event_for(authorizer=authorizer)["requestContext"]
    assert context["accountId"] == "123456789012"
    assert context["authorizer"] == authorizer


def test_without_an_authorizer_there_is_none_in_the_event():
    assert "authorizer" not in event_for()["requestContext"]


# -- request_event: body -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/html; charset=utf-8",
        "application/json",
        "Application/JSON",
        "application/vnd.api+json",
        "application/xml",
        "application/atom+xml",
        "application/javascript",
    ],
)
def test_a_text_body_is_sent_as_text(content_type):
    event = event_for(headers={"host": "h", "content-type": content_type}, body='{"é": 1}'.encode())
    assert event["body"] == '{"é": 1}'
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    "content_type", ["application/octet-stream", "application/x-www-form-urlencoded", "image/png", None]
)
def test_any_other_body_is_base64(content_type):
    headers = {"host": "h"}
    if content_type is not None:
        headers["content-type"] = content_type
    event = event_for(headers=headers, body=b"a=1&b=2")
    assert event["body"] == base64.b64encode(b"a=1&b=2").decode()
    assert event["isBase64Encoded"] is True


def test_a_text_body_that_is_not_utf8_is_base64():
    body = b"\xff\xfe caf\xe9"
    event = event_for(headers={"host": "h", "content-type": "text/plain"}, body=body)
    assert base64.b64decode(event["body"]) == body
    assert event["isBase64Encoded"] is True


def test_without_a_body_there_is_no_body_key():
    event = event_for(method="POST", headers={"host": "h", "content-type": "application/json"})
    assert "body" not in event
    assert event["isBase64Encoded"] is False


def test_the_event_is_json():
    event = event_for(query="a=1", headers={"host": "h", "cookie": "c=1"}, body=b"\x00\x01")
    assert json.loads(json.dumps(event)) == event


# -- http_response -----------------------------------------------------------------------------------


def test_a_plain_object_is_the_body_as_compact_json():
    assert http_response(b'{ "message" : "hi", "n": [1, 2] }') == (
        200,
        [("Content-Type", "application/json")],
        b'{"message":"hi","n":[1,2]}',
    )


def test_a_plain_object_keeps_non_ascii_as_utf8():
    assert http_response(b'{"name": "\\u00e9"}')[2] == '{"name":"é"}'.encode()


def test_a_string_result_is_sent_without_quotes():
    assert http_response(b'"hello \\"world\\""') == (200, [("Content-Type", "application/json")], b'hello "world"')


@pytest.mark.parametrize(
    ("payload", "body"),
    [(b"[1, 2 ,3]", b"[1,2,3]"), (b"42", b"42"), (b"1.5", b"1.5"), (b"true", b"true"), (b"null", b"null")],
)
def test_other_json_results_are_sent_compactly(payload, body):
    assert http_response(payload) == (200, [("Content-Type", "application/json")], body)


def test_a_result_that_is_not_json_is_sent_as_it_is():
    assert http_response(b"not json {") == (200, [("Content-Type", "application/json")], b"not json {")


@pytest.mark.parametrize("status", [201, "404", " 302 "])
def test_status_code_as_a_number_or_numeric_text(status):
    code, _, _ = http_response(json.dumps({"statusCode": status}).encode())
    assert code == int(status)


def test_headers_are_copied_and_the_content_type_defaults_to_json():
    payload = {"statusCode": 200, "headers": {"X-One": "1", "x-num": 5, "X-Flag": True}, "body": "ok"}
    status, headers, body = http_response(json.dumps(payload).encode())
    assert status == 200
    assert headers == [("Content-Type", "application/json"), ("X-One", "1"), ("x-num", "5"), ("X-Flag", "true")]
    assert body == b"ok"


def test_a_given_content_type_is_kept_whatever_its_case():
    payload = {"statusCode": 200, "headers": {"content-type": "text/html"}, "body": "<p>"}
    assert http_response(json.dumps(payload).encode())[1] == [("content-type", "text/html")]


def test_the_hosts_own_headers_are_dropped():
    payload = {
        "statusCode": 200,
        "headers": {"Content-Length": "999", "connection": "close", "Transfer-Encoding": "chunked", "X": "y"},
    }
    assert http_response(json.dumps(payload).encode())[1] == [("Content-Type", "application/json"), ("X", "y")]


def test_list_header_values_are_joined_with_commas():
    payload = {"statusCode": 200, "headers": {"Vary": ["Origin", "Accept"], "X-N": [1, False]}}
    headers = http_response(json.dumps(payload).encode())[1]
    assert ("Vary", "Origin,Accept") in headers
    assert ("X-N", "1,false") in headers


def test_cookies_become_set_cookie_headers():
    payload = {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2; HttpOnly"], "headers": {"X": "y"}}
    assert http_response(json.dumps(payload).encode())[1] == [
        ("Content-Type", "application/json"),
        ("X", "y"),
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; HttpOnly"),
    ]


def test_a_base64_body_is_decoded():
    data = bytes(range(256))
    payload = {"statusCode": 200, "body": base64.b64encode(data).decode(), "isBase64Encoded": True}
    assert http_response(json.dumps(payload).encode())[2] == data


def test_a_base64_looking_body_is_text_without_the_flag():
    payload = {"statusCode": 200, "body": "aGk=", "isBase64Encoded": False}
    assert http_response(json.dumps(payload).encode())[2] == b"aGk="


def test_a_text_body_is_utf8():
    payload = {"statusCode": 200, "body": "héllo"}
    assert http_response(json.dumps(payload).encode())[2] == "héllo".encode()


def test_a_body_that_is_an_object_is_compact_json():
    payload = {"statusCode": 200, "body": {"a": [1, 2], "b": None}}
    assert http_response(json.dumps(payload).encode())[2] == b'{"a":[1,2],"b":null}'


def test_a_missing_or_null_body_is_empty():
    assert http_response(b'{"statusCode": 204}') == (204, [("Content-Type", "application/json")], b"")
    assert http_response(b'{"statusCode": 200, "body": null}')[2] == b""


@pytest.mark.parametrize("status", ["abc", None, [200], {"code": 200}, "2xx"])
def test_a_status_code_that_is_not_a_number_is_unmappable(status):
    with pytest.raises(UnmappableResult, match="is not a number"):
        http_response(json.dumps({"statusCode": status}).encode())


@pytest.mark.parametrize("status", [0, 99, 600, -200, 1000])
def test_a_status_code_out_of_range_is_unmappable(status):
    with pytest.raises(UnmappableResult, match=f"statusCode {status} is not an HTTP status"):
        http_response(json.dumps({"statusCode": status}).encode())


@pytest.mark.parametrize("status", [100, 599])
def test_the_status_range_is_inclusive(status):
    assert http_response(json.dumps({"statusCode": status}).encode())[0] == status


@pytest.mark.parametrize("body", ["not base64!", "abc", "aGk=x"])
def test_an_invalid_base64_body_is_unmappable(body):
    payload = {"statusCode": 200, "body": body, "isBase64Encoded": True}
    with pytest.raises(UnmappableResult, match="body is not valid base64"):
        http_response(json.dumps(payload).encode())


def test_headers_that_are_not_an_object_are_unmappable():
    with pytest.raises(UnmappableResult, match="headers must be an object"):
        http_response(b'{"statusCode": 200, "headers": ["X: y"]}')


def test_unmappable_result_is_a_value_error():
    assert issubclass(UnmappableResult, ValueError)


# -- CORS ----------------------------------------------------------------------------------------------


def test_a_preflight_is_an_options_request_with_origin_and_requested_method():
    assert is_preflight("OPTIONS", {"origin": "https://a.example", "access-control-request-method": "POST"})
    assert not is_preflight("OPTIONS", {"origin": "https://a.example"})
    assert not is_preflight("OPTIONS", {"access-control-request-method": "POST"})
    assert not is_preflight("GET", {"origin": "https://a.example", "access-control-request-method": "POST"})


CORS = {
    "AllowOrigins": ["https://a.example"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["x-one", "x-two"],
    "ExposeHeaders": ["x-out"],
    "MaxAge": 300,
}


def test_no_cors_headers_without_a_configuration_or_an_origin():
    assert cors_headers(None, {"origin": "https://a.example"}, preflight=False) == []
    assert cors_headers({}, {"origin": "https://a.example"}, preflight=False) == []
    assert cors_headers(CORS, {}, preflight=False) == []


def test_no_cors_headers_for_an_origin_not_allowed():
    assert cors_headers(CORS, {"origin": "https://evil.example"}, preflight=True) == []


def test_a_preflight_from_an_allowed_origin_gets_methods_headers_and_max_age():
    assert cors_headers(CORS, {"origin": "https://a.example"}, preflight=True) == [
        ("Access-Control-Allow-Origin", "https://a.example"),
        ("Access-Control-Allow-Methods", "GET,POST"),
        ("Access-Control-Allow-Headers", "x-one,x-two"),
        ("Access-Control-Max-Age", "300"),
    ]


def test_a_simple_request_from_an_allowed_origin_gets_the_exposed_headers():
    assert cors_headers(CORS, {"origin": "https://a.example"}, preflight=False) == [
        ("Access-Control-Allow-Origin", "https://a.example"),
        ("Access-Control-Expose-Headers", "x-out"),
    ]


def test_a_wildcard_origin_answers_star():
    cors = {"AllowOrigins": ["*"]}
    assert cors_headers(cors, {"origin": "https://any.example"}, preflight=False) == [
        ("Access-Control-Allow-Origin", "*")
    ]


def test_credentials_echo_the_origin_even_with_a_wildcard():
    cors = {"AllowOrigins": ["*"], "AllowCredentials": True, "MaxAge": 0}
    assert cors_headers(cors, {"origin": "https://any.example"}, preflight=True) == [
        ("Access-Control-Allow-Origin", "https://any.example"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", "0"),
    ]


def test_a_single_cookie_string_is_one_set_cookie_header():
    _, headers, _ = http_response(b'{"statusCode": 200, "cookies": "a=1; Path=/"}')
    assert [value for name, value in headers if name == "Set-Cookie"] == ["a=1; Path=/"]
