"""The official Python runtime client (awslambdaric, from PyPI) runs against our Runtime API unchanged.

awslambdaric is installed in the test environment; its files (and its dependencies')
go into a layer, and the function's AWS_LAMBDA_EXEC_WRAPPER starts it in place of
our client, exactly as a container image with awslambdaric would.
"""

import json
from importlib import metadata
from pathlib import Path

import pytest

from host.testing.plugin import make_zip

WRAPPER = (
    "#!/bin/sh\n"
    '# Given "<python> /var/runtime/bootstrap.py", run the official client instead.\n'
    'exec "$1" -m awslambdaric "$_HANDLER"\n'
)
HANDLER = """
import awslambdaric

def handler(event, context):
    if event.get("fail"):
        raise KeyError("missing")
    return {"ric": awslambdaric.__version__, "event": event, "request_id": context.aws_request_id,
            "memory": context.memory_limit_in_mb, "arn": context.invoked_function_arn}
"""


def _layer_package() -> bytes:
    files = {}
    for name in ("awslambdaric", "simplejson", "snapshot-restore-py"):
        dist = metadata.distribution(name)
        for entry in dist.files or ():
            if "__pycache__" in entry.parts or entry.parts[0] == "..":
                continue
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                files[f"python/{entry.as_posix()}"] = path.read_bytes()
    return make_zip(files)


@pytest.fixture(scope="module")
def ric_function(lambda_client):
    layer = lambda_client.publish_layer_version(LayerName="awslambdaric", Content={"ZipFile": _layer_package()})
    name = "official-ric"
    lambda_client.create_function(
        FunctionName=name, Runtime="python3.11", Role="arn:aws:iam::123456789012:role/r", Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER, "ric-wrapper": WRAPPER}, modes={"ric-wrapper": 0o755})},
        Layers=[layer["LayerVersionArn"]],
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/ric-wrapper", "PYTHONPATH": "/opt/python"}},
    )  # fmt: skip
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    yield name
    lambda_client.delete_function(FunctionName=name)


def test_awslambdaric_answers_invocations_through_our_runtime_api(lambda_client, ric_function):
    response = lambda_client.invoke(FunctionName=ric_function, Payload=json.dumps({"hello": "ric"}))
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    assert body["ric"] == metadata.version("awslambdaric")
    assert body["event"] == {"hello": "ric"}
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert body["memory"] == "128"
    assert body["arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{ric_function}"


def test_awslambdaric_errors_reach_the_caller_as_on_aws(lambda_client, ric_function):
    response = lambda_client.invoke(FunctionName=ric_function, Payload=json.dumps({"fail": True}))
    body = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "KeyError"
    assert body["errorMessage"] == "'missing'"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert body["stackTrace"][-1].startswith('  File "/var/task/app.py"')
