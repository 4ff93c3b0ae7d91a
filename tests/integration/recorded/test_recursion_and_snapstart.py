"""PutFunctionRecursionConfig, GetFunctionRecursionConfig and SnapStart settings against AWS's recordings.

Both are kept and shown as AWS shows them; neither is acted on here (no recursive-loop
detection, no snapshots): see the README's differences from AWS.
"""

import pytest

from .expect import ROLE, body, configuration, function_arn, problem, refused, updating, validation


def test_recursion_allow_is_kept(lambda_client, function):
    # snapshot: TestLambdaRecursion::test_put_function_recursion_config_allow
    name = function(Description="Lambda with recursion test")["FunctionName"]
    assert body(lambda_client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")) == {
        "RecursiveLoop": "Allow"
    }
    assert body(lambda_client.get_function_recursion_config(FunctionName=name)) == {"RecursiveLoop": "Allow"}


def test_recursion_defaults_to_terminate(lambda_client, function):
    # snapshot: TestLambdaRecursion::test_put_function_recursion_config_default_terminate
    name = function(Description="Lambda with recursion test")["FunctionName"]
    assert body(lambda_client.get_function_recursion_config(FunctionName=name)) == {"RecursiveLoop": "Terminate"}


def test_an_unknown_recursion_setting_is_refused(unchecked_client, function):
    # snapshot: TestLambdaRecursion::test_put_function_recursion_config_invalid_value
    name = function(Description="Lambda with recursion test")["FunctionName"]
    assert refused(
        unchecked_client.put_function_recursion_config, FunctionName=name, RecursiveLoop="InvalidValue"
    ) == validation(problem("InvalidValue", "recursiveLoop", "Member must satisfy enum value set: [Terminate, Allow]"))


@pytest.mark.parametrize("runtime", ["python3.12", "python3.13"])
def test_snapstart_lifecycle_shows_it_off(lambda_client, function, runtime):
    # snapshot: TestLambdaSnapStart::test_snapstart_lifecycle[<runtime>]
    created = function(Runtime=runtime, MemorySize=1024, Timeout=5, Environment=None)
    name = created["FunctionName"]
    off = {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert created["SnapStart"] == off
    version = lambda_client.publish_version(FunctionName=name, Description="version1")["Version"]
    lambda_client.get_waiter("published_version_active").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    latest = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert latest == configuration(name, Runtime=runtime, MemorySize=1024, Timeout=5, Environment=None)
    one = lambda_client.get_function(FunctionName=f"{name}:{version}")["Configuration"]
    assert one == configuration(
        name, Runtime=runtime, MemorySize=1024, Timeout=5, Environment=None, Version="1", Description="version1",
        FunctionArn=function_arn(name, "1"),
    )  # fmt: skip


@pytest.mark.parametrize("runtime", ["python3.12", "python3.13"])
def test_snapstart_on_published_versions_is_shown_on_update(lambda_client, function, runtime):
    # snapshot: TestLambdaSnapStart::test_snapstart_update_function_configuration[<runtime>]
    created = function(Runtime=runtime, MemorySize=1024, Timeout=5, Environment=None)
    name = created["FunctionName"]
    updated = lambda_client.update_function_configuration(FunctionName=name, SnapStart={"ApplyOn": "PublishedVersions"})
    assert body(updated) == updating(
        name, Runtime=runtime, MemorySize=1024, Timeout=5, Environment=None,
        SnapStart={"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"},
    )  # fmt: skip


def test_an_unknown_snapstart_setting_is_refused(lambda_client):
    # snapshot: TestLambdaSnapStart::test_snapstart_exceptions
    from host.testing.plugin import make_zip

    from .conftest import ECHO, unique

    assert refused(
        lambda_client.create_function, FunctionName=unique("invalid-function"),
        Handler="cloud.localstack.sample.LambdaHandlerWithLib", Code={"ZipFile": make_zip(ECHO)}, PackageType="Zip",
        Role=ROLE, Runtime="java21", SnapStart={"ApplyOn": "invalidOption"},
    ) == validation(
        problem("invalidOption", "snapStart.applyOn", "Member must satisfy enum value set: [PublishedVersions, None]")
    )  # fmt: skip
