"""The runtimes: each image runs its language, and the clients behave as AWS's do."""

import base64
import json
import re

import pytest

from host.testing.plugin import make_zip


def call(client, name, event=None, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event or {}), **kwargs)
    return response, json.loads(response["Payload"].read())


# -- every runtime runs ----------------------------------------------------------------------

PY_VERSION = {"app.py": "import sys\ndef handler(e, c):\n    return {'version': sys.version.split()[0], 'e': e}\n"}
NODE_VERSION = {"index.mjs": "export const handler = async (e) => ({ version: process.version, e });\n"}


@pytest.mark.parametrize(
    "runtime, code, handler, version",
    [
        ("python3.11", PY_VERSION, "app.handler", r"3\.11\.\d+"),
        ("python3.13", PY_VERSION, "app.handler", r"3\.13\.\d+"),
        ("python3.12", PY_VERSION, "app.handler", r"3\.13\.\d+"),  # stands in on 3.13, said so in the README
        ("nodejs18.x", NODE_VERSION, "index.handler", r"v18\.\d+\.\d+"),
        ("nodejs20.x", NODE_VERSION, "index.handler", r"v20\.\d+\.\d+"),
    ],
)
def test_each_runtime_runs_its_language(lambda_client, create_function, runtime, code, handler, version):
    name = create_function(code, runtime=runtime, handler=handler)
    response, body = call(lambda_client, name, {"k": "v"})
    assert "FunctionError" not in response, body
    assert re.fullmatch(version, body["version"])
    assert body["e"] == {"k": "v"}


SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  headers=$(mktemp)
  event=$(curl -sS -D "$headers" "$api/invocation/next")
  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
  echo "handling $id"
  curl -sS -X POST "$api/invocation/$id/response" -d "{\\"got\\": $event, \\"handler\\": \\"$_HANDLER\\"}" >/dev/null
done
"""


def test_a_shell_bootstrap_runs_on_provided_al2023(lambda_client, create_function):
    name = create_function({"bootstrap": SHELL_BOOTSTRAP}, runtime="provided.al2023", handler="function.handler")
    response, body = call(lambda_client, name, {"n": 1}, LogType="Tail")
    assert body == {"got": {"n": 1}, "handler": "function.handler"}
    assert f"handling {response['ResponseMetadata']['RequestId']}" in base64.b64decode(response["LogResult"]).decode()


def test_a_custom_runtime_without_bootstrap_is_invalid_entrypoint(lambda_client, create_function):
    name = create_function({"README": "no bootstrap here"}, runtime="provided.al2023", handler="x")
    response, body = call(lambda_client, name)
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorType": "Runtime.InvalidEntrypoint",
        "errorMessage": f"RequestId: {request_id} Error: Couldn't find valid bootstrap(s): "
        "[/var/task/bootstrap /opt/bootstrap]",
    }


def test_a_bootstrap_that_is_not_executable_is_invalid_entrypoint(lambda_client, create_function):
    package = make_zip({"bootstrap": SHELL_BOOTSTRAP}, modes={"bootstrap": 0o644})
    name = create_function(package, runtime="provided.al2023", handler="x")
    _, body = call(lambda_client, name)
    assert body["errorType"] == "Runtime.InvalidEntrypoint"
    assert body["errorMessage"].endswith("Error: fork/exec /var/task/bootstrap: permission denied")


# -- the Python client -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "files, handler, error_type, message",
    [
        ({"app.py": "x = 1\n"}, "nope.handler", "Runtime.ImportModuleError",
         "Unable to import module 'nope': No module named 'nope'"),
        ({"app.py": "import requests_nope\n"}, "app.handler", "Runtime.ImportModuleError",
         "Unable to import module 'app': No module named 'requests_nope'"),
        ({"app.py": "x = 1\n"}, "app.handler", "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
        ({"app.py": "x = 1\n"}, "handler", "Runtime.MalformedHandlerName",
         "Bad handler 'handler': not enough values to unpack (expected 2, got 1)"),
        ({"app.py": "def handler(e, c)\n    return 1\n"}, "app.handler", "Runtime.UserCodeSyntaxError",
         "Syntax error in module 'app': expected ':' (app.py, line 1)"),
    ],
)  # fmt: skip
def test_python_handler_problems_are_init_errors_with_aws_messages(
    lambda_client, create_function, files, handler, error_type, message
):
    name = create_function(files, handler=handler)
    for _ in range(2):  # the next invoke tries init again and fails the same way
        response, body = call(lambda_client, name)
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == error_type
        assert body["errorMessage"] == message
        assert body["requestId"] == ""


def test_a_python_module_that_raises_at_import_reports_its_exception(lambda_client, create_function):
    name = create_function({"app.py": "raise Exception('Runtime startup fails')\n"})
    response, body = call(lambda_client, name, LogType="Tail")
    assert body["errorType"] == "Exception"
    assert body["errorMessage"] == "Runtime startup fails"
    assert body["requestId"] == ""
    assert body["stackTrace"][0].startswith('  File "/var/lang/lib/python3.11/importlib/__init__.py"')
    assert body["stackTrace"][-1] == (
        "  File \"/var/task/app.py\", line 1, in <module>\n    raise Exception('Runtime startup fails')\n"
    )
    report = base64.b64decode(response["LogResult"]).decode().splitlines()[-1]
    assert report.endswith("Status: error\tError Type: Exception")


def test_the_python_context_has_aws_attributes(lambda_client, create_function):
    code = {
        "app.py": (
            "def handler(e, c):\n"
            "    return {'request_id': c.aws_request_id, 'name': c.function_name, 'version': c.function_version,\n"
            "            'arn': c.invoked_function_arn, 'memory': c.memory_limit_in_mb, 'group': c.log_group_name,\n"
            "            'stream': c.log_stream_name, 'remaining': c.get_remaining_time_in_millis(),\n"
            "            'identity': c.identity.cognito_identity_id, 'client_context': c.client_context}\n"
        )
    }
    name = create_function(code, Timeout=7, MemorySize=192)
    response, body = call(lambda_client, name)
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert body["name"] == name
    assert body["version"] == "$LATEST"
    assert body["arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert body["memory"] == "192"
    assert body["group"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", body["stream"])
    assert 6000 < body["remaining"] <= 7000
    assert body["identity"] is None and body["client_context"] is None


def test_python_logging_uses_aws_format_and_print_is_unbuffered(lambda_client, create_function):
    code = {
        "app.py": (
            "import logging\n"
            "logger = logging.getLogger()\n"
            "logger.setLevel(logging.INFO)\n"
            "def handler(e, c):\n"
            "    print('printed', end='')\n"
            "    print(' line')\n"
            "    logger.info('hello %s', 'log')\n"
            "    return 1\n"
        )
    }
    name = create_function(code)
    response, _ = call(lambda_client, name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    lines = base64.b64decode(response["LogResult"]).decode().splitlines()
    assert "printed line" in lines
    record = rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request_id}\thello log"
    assert any(re.fullmatch(record, line) for line in lines)


def test_a_python_result_that_is_not_json_is_a_marshal_error(lambda_client, create_function):
    name = create_function({"app.py": "def handler(e, c):\n    return {1, 2}\n"})
    _, body = call(lambda_client, name)
    assert body["errorType"] == "Runtime.MarshalError"
    assert body["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"


# -- the Node.js client ----------------------------------------------------------------------


def test_a_node_error_has_type_message_and_trace(lambda_client, create_function):
    code = {"index.mjs": "export const handler = async () => { throw new TypeError('bad thing'); };\n"}
    name = create_function(code, runtime="nodejs18.x", handler="index.handler")
    response, body = call(lambda_client, name, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == "bad thing"
    assert body["trace"][0] == "TypeError: bad thing"
    assert "\tERROR\tInvoke Error \t" in base64.b64decode(response["LogResult"]).decode()


def test_node_handler_problems_are_init_errors(lambda_client, create_function):
    missing = create_function({"index.mjs": "export const other = 1;\n"}, runtime="nodejs18.x", handler="index.handler")
    _, body = call(lambda_client, missing)
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "index.handler is undefined or not exported"
    absent = create_function({"other.js": "1;\n"}, runtime="nodejs18.x", handler="index.handler")
    _, body = call(lambda_client, absent)
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"].startswith("Error: Cannot find module 'index'")
    broken = create_function({"index.js": "exports.handler = (;\n"}, runtime="nodejs18.x", handler="index.handler")
    _, body = call(lambda_client, broken)
    assert body["errorType"] == "Runtime.UserCodeSyntaxError"
    assert body["errorMessage"].startswith("SyntaxError: ")


def test_node_callback_handlers_and_context(lambda_client, create_function):
    code = {
        "index.js": (
            "exports.handler = (event, context, callback) => {\n"
            "  console.log('in callback handler');\n"
            "  callback(null, { id: context.awsRequestId, fn: context.functionName, mem: context.memoryLimitInMB,\n"
            "                   arn: context.invokedFunctionArn, left: context.getRemainingTimeInMillis() > 0 });\n"
            "};\n"
        )
    }
    name = create_function(code, runtime="nodejs18.x", handler="index.handler")
    response, body = call(lambda_client, name, LogType="Tail")
    assert body == {
        "id": response["ResponseMetadata"]["RequestId"], "fn": name, "mem": "128",
        "arn": f"arn:aws:lambda:us-east-1:123456789012:function:{name}", "left": True,
    }  # fmt: skip
    log = base64.b64decode(response["LogResult"]).decode()
    assert re.search(r"\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tin callback handler", log)


def test_a_node_handler_returning_undefined_answers_null(lambda_client, create_function):
    name = create_function({"index.mjs": "export const handler = async () => {};\n"}, runtime="nodejs20.x",
                           handler="index.handler")  # fmt: skip
    response = lambda_client.invoke(FunctionName=name)
    assert response["Payload"].read() == b"null"


def test_python_decimals_keep_their_exact_digits(lambda_client, create_function):
    code = {
        "app.py": (
            "from decimal import Decimal\n"
            "def handler(e, c):\n"
            "    return {'count': Decimal('5'), 'price': Decimal('1.10'), 'big': Decimal('12345678901234567890')}\n"
        )
    }
    name = create_function(code)
    raw = lambda_client.invoke(FunctionName=name)["Payload"].read()
    assert raw == b'{"count": 5, "price": 1.10, "big": 12345678901234567890}'


def test_a_client_context_with_any_text_arrives_intact(lambda_client, create_function):
    code = {"app.py": "def handler(e, c):\n    return c.client_context.custom\n"}
    name = create_function(code)
    context = base64.b64encode(json.dumps({"custom": {"greeting": "héllo €"}}).encode()).decode()
    _, body = call(lambda_client, name, ClientContext=context)
    assert body == {"greeting": "héllo €"}
