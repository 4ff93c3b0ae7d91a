"""The host-wide concurrency limit (--max-concurrency): 429 with AWS's Reason, nothing run."""

import concurrent.futures
import json

from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

SLEEPER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 1))\n    return 'done'\n"


def test_invocations_over_the_host_limit_get_429_concurrent_invocation_limit_exceeded(lambda_host_factory):
    host = lambda_host_factory(max_concurrency=2)
    client = client_for(host)
    for name in ("first", "second"):
        client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=10,
            Code={"ZipFile": make_zip({"app.py": SLEEPER})},
        )  # fmt: skip
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})

    def call(name):
        try:
            return json.loads(client.invoke(FunctionName=name, Payload=b'{"sleep": 1.5}')["Payload"].read())
        except ClientError as error:
            return error.response

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = list(pool.map(call, ["first", "second", "first"]))
    refused = [r for r in results if isinstance(r, dict)]
    assert sorted(r for r in results if isinstance(r, str)) == ["done", "done"]
    [error] = refused
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["Reason"] == "ConcurrentInvocationLimitExceeded"
    assert error["Error"]["Message"] == "Rate Exceeded."
    assert json.loads(client.invoke(FunctionName="second", Payload=b'{"sleep": 0}')["Payload"].read()) == "done"


def test_account_usage_counts_versions_and_layers_as_aws_does(lambda_host_factory):
    host = lambda_host_factory(prewarm=0)
    client = client_for(host)
    package = make_zip({"app.py": SLEEPER})
    client.create_function(
        FunctionName="sized", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": package},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName="sized", WaiterConfig={"Delay": 0.2})
    first = client.get_account_settings()["AccountUsage"]
    assert first == {"TotalCodeSize": len(package), "FunctionCount": 1}
    client.publish_version(FunctionName="sized")
    layer = make_zip({"python/lib.py": "X = 1\n"})
    client.publish_layer_version(LayerName="sized-layer", Content={"ZipFile": layer})
    usage = client.get_account_settings()["AccountUsage"]
    assert usage["TotalCodeSize"] == 2 * len(package) + len(layer)
    assert usage["FunctionCount"] == 1
