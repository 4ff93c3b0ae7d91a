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
