"""The Invoke API: statuses, headers, log tails, name forms and AWS's errors."""

import base64
import json
import re
import uuid

import pytest
from botocore.exceptions import ClientError

ECHO = {
    "app.py": (
        "import json\n"
        "def handler(event, context):\n"
        "    print('event is', json.dumps(event))\n"
        "    cc = context.client_context\n"
        "    return {'event': event, 'request_id': context.aws_request_id,\n"
        "            'arn': context.invoked_function_arn, 'version': context.function_version,\n"
        "            'memory': context.memory_limit_in_mb,\n"
        "            'client_custom': cc.custom if cc else None, 'client_env': cc.env if cc else None,\n"
        "            'installation_id': cc.client.installation_id if cc and cc.client else None}\n"
    )
}


@pytest.fixture(scope="module")
def echo(lambda_client):
    from host.testing.plugin import DEFAULT_ROLE, make_zip

    name = f"echo-{uuid.uuid4().hex[:8]}"
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=DEFAULT_ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip(ECHO)},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    yield name
    lambda_client.delete_function(FunctionName=name)


def invoke_json(client, **kwargs):
    response = client.invoke(**kwargs)
    return response, json.loads(response["Payload"].read())


def test_request_response_returns_200_with_the_payload_and_executed_version(lambda_client, echo):
    response, body = invoke_json(lambda_client, FunctionName=echo, Payload=json.dumps({"x": 1}))
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert body["event"] == {"x": 1}


def test_the_request_id_header_is_the_context_request_id(lambda_client, echo):
    response, body = invoke_json(lambda_client, FunctionName=echo, Payload=b"{}")
    assert response["ResponseMetadata"]["RequestId"] == body["request_id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", body["request_id"])


def test_event_invocation_returns_202_with_an_empty_body(lambda_client, echo):
    response = lambda_client.invoke(FunctionName=echo, InvocationType="Event", Payload=b'{"async": true}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert "ExecutedVersion" not in response


def test_dry_run_returns_204_without_running(lambda_client, echo):
    response = lambda_client.invoke(FunctionName=echo, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert response["Payload"].read() == b""


def test_an_empty_payload_reaches_the_handler_as_an_empty_object(lambda_client, echo):
    _, body = invoke_json(lambda_client, FunctionName=echo)
    assert body["event"] == {}


def test_log_tail_holds_start_output_end_and_report(lambda_client, echo):
    response = lambda_client.invoke(FunctionName=echo, Payload=b'{"tail": 1}', LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    log = base64.b64decode(response["LogResult"]).decode()
    lines = log.splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert 'event is {"tail": 1}' in lines
    assert f"END RequestId: {request_id}" in lines
    report = lines[-1]
    assert re.fullmatch(
        rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?",
        report,
    ), report
    assert log.endswith("\t\n")


def test_init_duration_is_reported_on_the_cold_start_only(lambda_client, create_function):
    name = create_function({"app.py": "def handler(e, c):\n    return 1\n"})
    first = base64.b64decode(lambda_client.invoke(FunctionName=name, LogType="Tail")["LogResult"]).decode()
    second = base64.b64decode(lambda_client.invoke(FunctionName=name, LogType="Tail")["LogResult"]).decode()
    assert "Init Duration:" in first
    assert "Init Duration:" not in second


def test_max_memory_used_comes_from_the_container(lambda_client, create_function):
    code = {"app.py": "def handler(e, c):\n    data = bytearray(e['mb'] * 1024 * 1024)\n    return len(data)\n"}
    name = create_function(code, MemorySize=256)
    log = base64.b64decode(
        lambda_client.invoke(FunctionName=name, Payload=b'{"mb": 120}', LogType="Tail")["LogResult"]
    ).decode()
    used = int(re.search(r"Max Memory Used: (\d+) MB", log).group(1))
    assert 120 <= used <= 256


def test_client_context_is_passed_to_the_function(lambda_client, echo):
    context = {"custom": {"a": "b"}, "env": {"os": "linux"}, "client": {"installation_id": "i-1"}}
    encoded = base64.b64encode(json.dumps(context).encode()).decode()
    _, body = invoke_json(lambda_client, FunctionName=echo, ClientContext=encoded)
    assert body["client_custom"] == {"a": "b"}
    assert body["client_env"] == {"os": "linux"}
    assert body["installation_id"] == "i-1"


@pytest.mark.parametrize(
    "form, qualifier, expected_arn_suffix",
    [
        ("{name}", None, ""),
        ("{name}:$LATEST", None, ":$LATEST"),
        ("{name}", "$LATEST", ":$LATEST"),
        ("123456789012:function:{name}", None, ""),
        ("arn:aws:lambda:us-east-1:123456789012:function:{name}", None, ""),
        ("arn:aws:lambda:us-east-1:123456789012:function:{name}:$LATEST", "$LATEST", ":$LATEST"),
    ],
)
def test_every_function_name_form_invokes_the_function(lambda_client, echo, form, qualifier, expected_arn_suffix):
    kwargs = {"FunctionName": form.format(name=echo)}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    response, body = invoke_json(lambda_client, **kwargs)
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["version"] == "$LATEST"
    assert body["arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{echo}{expected_arn_suffix}"
    assert body["memory"] == "128"


def test_unknown_function_is_404_resource_not_found(lambda_client):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="does-not-exist")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:does-not-exist:$LATEST"
    )
    assert error["Type"] == "User"


def test_unknown_version_is_404_with_the_qualified_arn(lambda_client, echo):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=echo, Qualifier="7")
    assert caught.value.response["Error"]["Message"] == (
        f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{echo}:7"
    )


def test_a_payload_that_is_not_json_is_400_invalid_request_content(lambda_client, echo):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=echo, Payload=b"n\x87r\x9e\xe9\xb5\xd7I\xee\x9bmt")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidRequestContentException"
    assert error["Error"]["Message"] == (
        "Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 start byte 0x87\n"
        " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 3]"
    )


def test_a_sync_payload_over_6_mb_is_413(lambda_client, echo):
    payload = json.dumps({"data": "x" * (6 * 1024 * 1024)}).encode()
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=echo, Payload=payload)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestEntityTooLargeException"
    assert error["Error"]["Message"] == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"


def test_an_async_payload_over_1_mb_is_413(lambda_client, echo):
    payload = json.dumps({"data": "x" * (1024 * 1024)}).encode()
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=echo, InvocationType="Event", Payload=payload)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Message"] == (
        f"{len(payload)} byte payload is too large for the Event invocation type (limit 1048576 bytes)"
    )


def test_a_payload_just_under_6_mb_is_accepted(lambda_client, create_function):
    name = create_function({"app.py": "def handler(e, c):\n    return len(e['data'])\n"}, MemorySize=512)
    size = 6 * 1024 * 1024 - 100
    payload = json.dumps({"data": "x" * size}).encode()
    assert len(payload) <= 6291456
    response = lambda_client.invoke(FunctionName=name, Payload=payload)
    assert json.loads(response["Payload"].read()) == size


def test_a_bad_function_name_is_400_validation_exception(lambda_client):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="bad name!")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"].startswith(
        "1 validation error detected: Value 'bad name!' at 'functionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
    )


def test_a_qualifier_in_the_name_and_a_different_one_given_is_400(lambda_client, echo):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=f"{echo}:$LATEST", Qualifier="1")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert caught.value.response["Error"]["Message"] == (
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_an_arn_from_another_region_is_not_reachable(lambda_client, echo):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=f"arn:aws:lambda:eu-west-1:123456789012:function:{echo}")
    assert caught.value.response["Error"]["Message"] == (
        "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    )


def test_a_function_error_is_200_with_x_amz_function_error(lambda_client, create_function):
    name = create_function({"app.py": "def handler(e, c):\n    raise ValueError('nope')\n"})
    response, body = invoke_json(lambda_client, FunctionName=name)
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "nope"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert body["stackTrace"] == ["  File \"/var/task/app.py\", line 2, in handler\n    raise ValueError('nope')\n"]
