"""Provisioned concurrency: the four operations, environments initialised ahead, AWS's errors."""

import json
import time

import pytest
from botocore.exceptions import ClientError

INIT_TYPE = (
    "import os, time\n"
    "STARTED = time.time()\n"
    "def handler(event, context):\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    return {'type': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE'], 'version': context.function_version,\n"
    "            'initialised_before': STARTED < event.get('after', 0)}\n"
)
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def payload(response) -> dict:
    return json.loads(response["Payload"].read())


def error(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def ready(client, name, qualifier, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        config = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        if config["Status"] != "IN_PROGRESS":
            return config
        time.sleep(0.2)
    raise TimeoutError("provisioned concurrency did not become ready")


def test_provisioned_environments_are_initialised_ahead_and_serve_the_version(lambda_client, create_function):
    name = create_function({"app.py": INIT_TYPE})
    lambda_client.publish_version(FunctionName=name)
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS" and put["RequestedProvisionedConcurrentExecutions"] == 2
    assert put["AllocatedProvisionedConcurrentExecutions"] == put["AvailableProvisionedConcurrentExecutions"] == 0
    assert len(put["LastModified"]) == 24 and put["LastModified"].endswith("+0000")
    config = ready(lambda_client, name, "1")
    assert config["Status"] == "READY"
    assert config["AllocatedProvisionedConcurrentExecutions"] == config["AvailableProvisionedConcurrentExecutions"] == 2
    time.sleep(0.5)
    invoked = lambda_client.invoke(FunctionName=f"{name}:1", LogType="Tail", Payload=json.dumps({"after": time.time()}))
    result = payload(invoked)
    assert result == {"type": "provisioned-concurrency", "version": "1", "initialised_before": True}
    import base64

    assert "Init Duration" not in base64.b64decode(invoked["LogResult"]).decode()  # init ran before the invoke
    assert payload(lambda_client.invoke(FunctionName=name))["type"] == "on-demand"  # $LATEST is not provisioned
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"] for c in listed] == [f"{ARN}{name}:1"]
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    assert error(lambda: lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")) == (
        404,
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
    )
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")  # none: still 204


def test_an_alias_config_covers_its_version_and_invocations_beyond_it_spill_to_on_demand(
    lambda_client, create_function
):
    import concurrent.futures

    name = create_function({"app.py": INIT_TYPE})
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    assert ready(lambda_client, name, "live")["Status"] == "READY"
    assert payload(lambda_client.invoke(FunctionName=name, Qualifier="1"))["type"] == "provisioned-concurrency"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        types = sorted(
            pool.map(
                lambda _: payload(lambda_client.invoke(FunctionName=f"{name}:live", Payload=b'{"sleep": 1}'))["type"],
                range(2),
            )
        )
    assert types == ["on-demand", "provisioned-concurrency"]
    assert error(
        lambda: lambda_client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
        )
    ) == (409, "ResourceConflictException", "Version is pointed by a Provisioned Concurrency alias")
    lambda_client.delete_alias(FunctionName=name, Name="live")
    assert lambda_client.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def test_provisioned_concurrency_errors_are_aws_s(lambda_client, create_function):
    name = create_function({"app.py": INIT_TYPE})
    lambda_client.publish_version(FunctionName=name)
    put = lambda_client.put_provisioned_concurrency_config
    assert error(lambda: put(FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1)) == (
        400,
        "InvalidParameterValueException",
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    )
    assert error(lambda: lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST")) == (
        400,
        "InvalidParameterValueException",
        "The function resource provided must be an alias or a published version.",
    )
    assert error(lambda: put(FunctionName=name, Qualifier="10", ProvisionedConcurrentExecutions=1)) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {ARN}{name}:10",
    )
    assert error(lambda: put(FunctionName=name, Qualifier="noalias", ProvisionedConcurrentExecutions=1)) == (
        404,
        "ResourceNotFoundException",
        f"Cannot find alias arn: {ARN}{name}:noalias",
    )
    assert error(lambda: lambda_client.list_provisioned_concurrency_configs(FunctionName="doesnotexist")) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {ARN}doesnotexist",
    )
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    assert error(lambda: put(FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=2)) == (
        400,
        "InvalidParameterValueException",
        "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
    )
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lambda_client.delete_function_concurrency(FunctionName=name)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=2
    )
    assert error(lambda: lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)) == (
        400,
        "InvalidParameterValueException",
        " ReservedConcurrentExecutions  1 should not be lower than function's total provisioned concurrency [2].",
    )


def test_reserved_concurrency_taken_by_provisioned_throttles_latest(lambda_client, create_function):
    name = create_function({"app.py": INIT_TYPE})
    lambda_client.publish_version(FunctionName=name)
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    assert ready(lambda_client, name, "1")["Status"] == "READY"
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name)
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert payload(lambda_client.invoke(FunctionName=name, Qualifier="1"))["type"] == "provisioned-concurrency"


def test_provisioned_concurrency_follows_its_alias_to_a_new_version(lambda_client, create_function):
    name = create_function({"app.py": INIT_TYPE})
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    assert ready(lambda_client, name, "live")["Status"] == "READY"
    lambda_client.update_function_configuration(FunctionName=name, Description="v2")
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    time.sleep(0.5)
    assert ready(lambda_client, name, "live")["Status"] == "READY"
    result = payload(lambda_client.invoke(FunctionName=name, Qualifier="live"))
    assert (result["version"], result["type"]) == ("2", "provisioned-concurrency")


def test_function_concurrency_is_for_unqualified_functions_only(lambda_client, create_function):
    name = create_function({"app.py": INIT_TYPE})
    assert error(
        lambda: lambda_client.put_function_concurrency(
            FunctionName=f"{ARN}{name}:$LATEST", ReservedConcurrentExecutions=1
        )
    ) == (
        400,
        "InvalidParameterValueException",
        "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
        "Please specify either a function name or an unqualified function ARN.",
    )
    assert error(
        lambda: lambda_client.put_function_concurrency(FunctionName="doesnotexist", ReservedConcurrentExecutions=1)
    ) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {ARN}doesnotexist:$LATEST",
    )
