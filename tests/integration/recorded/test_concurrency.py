"""Reserved and provisioned concurrency configurations against AWS's recordings.

The recordings' account limits are masked (``[<min_unreserved_concurrency>]``); this host
reports AWS's defaults, 1,000 concurrent executions with 100 kept unreserved.
"""

import time

from .expect import Matcher, body, conflict, function_arn, invalid, not_found, problem, refused, status, validation

UNQUALIFIED_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
    "Please specify either a function name or an unqualified function ARN."
)
NO_CONFIG = {
    "Error": {
        "Code": "ProvisionedConcurrencyConfigNotFoundException",
        "Message": "No Provisioned Concurrency Config found for this function",
    },
    "Type": "User",
    "message": "No Provisioned Concurrency Config found for this function",
    "Status": 404,
}
PROVISIONED_DATE = Matcher("date", lambda v: isinstance(v, str) and len(v) == 24 and v.endswith("+0000"))


def untyped(message: str) -> dict:
    """AWS's account-limit refusals carry no ``Type`` in their body (recorded)."""
    return {"Error": {"Code": "InvalidParameterValueException", "Message": message}, "message": message, "Status": 400}


def test_reserved_concurrency_errors(lambda_client, function):
    # snapshot: TestLambdaReservedConcurrency::test_function_concurrency_exceptions
    put = lambda_client.put_function_concurrency
    missing = not_found(f"Function not found: {function_arn('doesnotexist', '$LATEST')}")
    assert refused(put, FunctionName="doesnotexist", ReservedConcurrentExecutions=1) == missing
    assert refused(put, FunctionName="doesnotexist", ReservedConcurrentExecutions=0) == missing
    name = function()["FunctionName"]
    qualified = lambda_client.get_function_configuration(FunctionName=name, Qualifier="$LATEST")["FunctionArn"]
    assert refused(put, FunctionName=qualified, ReservedConcurrentExecutions=0) == invalid(UNQUALIFIED_ONLY)


def test_reserved_concurrency_account_limits(lambda_client, function):
    # snapshot: TestLambdaReservedConcurrency::test_function_concurrency_limits
    name = function()["FunctionName"]
    limit = lambda_client.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
    message = (
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below "
        "its minimum value of [100]."
    )
    put = lambda_client.put_function_concurrency
    assert refused(put, FunctionName=name, ReservedConcurrentExecutions=limit + 1) == untyped(message)
    assert refused(put, FunctionName=name, ReservedConcurrentExecutions=limit) == untyped(message)


def test_reserved_concurrency_lifecycle(lambda_client, function):
    # snapshot: TestLambdaReservedConcurrency::test_function_concurrency
    name = function()["FunctionName"]
    put = lambda_client.put_function_concurrency
    assert body(put(FunctionName=name, ReservedConcurrentExecutions=0)) == {"ReservedConcurrentExecutions": 0}
    assert body(put(FunctionName=name, ReservedConcurrentExecutions=1)) == {"ReservedConcurrentExecutions": 1}
    assert body(lambda_client.get_function_concurrency(FunctionName=name)) == {"ReservedConcurrentExecutions": 1}
    assert status(lambda_client.delete_function_concurrency(FunctionName=name)) == 204
    assert body(lambda_client.get_function_concurrency(FunctionName=name)) == {}
    unreserved = lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    most = unreserved - 100
    assert put(FunctionName=name, ReservedConcurrentExecutions=most)["ReservedConcurrentExecutions"] == most
    lambda_client.delete_function_concurrency(FunctionName=name)


def test_provisioned_concurrency_errors(unchecked_client, function):
    # snapshot: TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions (boto3's checks off)
    client = unchecked_client
    name = function()["FunctionName"]
    version = client.publish_version(FunctionName=name)["Version"]
    get = client.get_provisioned_concurrency_config
    delete = client.delete_provisioned_concurrency_config
    put = client.put_provisioned_concurrency_config

    def no_alias(fn, alias):
        return not_found(f"Cannot find alias arn: {function_arn(fn, alias)}")

    def no_version(fn, number):
        return not_found(f"Function not found: {function_arn(fn, number)}")

    assert refused(get, FunctionName=name, Qualifier=version) == NO_CONFIG
    assert refused(get, FunctionName="doesnotexist", Qualifier="noalias") == no_alias("doesnotexist", "noalias")
    assert refused(get, FunctionName=name, Qualifier="noalias") == no_alias(name, "noalias")
    assert refused(get, FunctionName=name, Qualifier="10") == no_version(name, "10")
    latest = invalid("The function resource provided must be an alias or a published version.")
    assert refused(get, FunctionName=name, Qualifier="$LATEST") == latest
    assert body(client.list_provisioned_concurrency_configs(FunctionName=name)) == {"ProvisionedConcurrencyConfigs": []}
    assert refused(client.list_provisioned_concurrency_configs, FunctionName="doesnotexist") == not_found(
        f"Function not found: {function_arn('doesnotexist')}"
    )
    assert refused(delete, FunctionName="doesnotexist", Qualifier=version) == no_version("doesnotexist", version)
    assert refused(delete, FunctionName=name, Qualifier="noalias") == no_alias(name, "noalias")
    assert refused(delete, FunctionName=name, Qualifier="10") == no_version(name, "10")
    assert refused(delete, FunctionName=name, Qualifier="$LATEST") == latest
    assert status(delete(FunctionName=name, Qualifier=version)) == 204
    assert refused(put, FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=0) == validation(
        problem(0, "provisionedConcurrentExecutions", "Member must have value greater than or equal to 1")
    )
    one = {"ProvisionedConcurrentExecutions": 1}
    assert refused(put, FunctionName="doesnotexist", Qualifier="noalias", **one) == no_alias("doesnotexist", "noalias")
    assert refused(put, FunctionName="doesnotexist", Qualifier="1", **one) == no_version("doesnotexist", "1")
    assert refused(put, FunctionName=name, Qualifier="doesnotexist", **one) == no_alias(name, "doesnotexist")
    assert refused(put, FunctionName=name, Qualifier="10", **one) == no_version(name, "10")
    assert refused(put, FunctionName=name, Qualifier="$LATEST", **one) == invalid(
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
    )


def test_provisioned_concurrency_account_limits(lambda_client, function):
    # snapshot: TestLambdaProvisionedConcurrency::test_provisioned_concurrency_limits
    name = function()["FunctionName"]
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    limit = lambda_client.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
    put = lambda_client.put_provisioned_concurrency_config
    assert refused(put, FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=limit + 1) == untyped(
        f"Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [{limit}]."
    )
    assert refused(put, FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=limit) == untyped(
        "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its "
        "minimum value of [100]."
    )


def test_provisioned_concurrency_on_a_version_or_its_alias_not_both(lambda_client, function):
    # snapshot: TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle (one environment starts)
    name = function()["FunctionName"]
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    alias = lambda_client.create_alias(FunctionName=name, Name="alias-pc", FunctionVersion=version)["Name"]
    put = lambda_client.put_provisioned_concurrency_config
    started = {
        "RequestedProvisionedConcurrentExecutions": 1,
        "AvailableProvisionedConcurrentExecutions": 0,
        "AllocatedProvisionedConcurrentExecutions": 0,
        "Status": "IN_PROGRESS",
        "LastModified": PROVISIONED_DATE,
    }
    on_version = put(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1)
    assert status(on_version) == 202 and body(on_version) == started
    assert refused(put, FunctionName=name, Qualifier=alias, ProvisionedConcurrentExecutions=1) == conflict(
        "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        shown = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)["Status"]
        if shown != "IN_PROGRESS":
            break
        time.sleep(0.2)
    assert shown == "READY"
    assert status(lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)) == 204
    assert refused(lambda_client.get_provisioned_concurrency_config, FunctionName=name, Qualifier=version) == NO_CONFIG
    on_alias = put(FunctionName=name, Qualifier=alias, ProvisionedConcurrentExecutions=1)
    assert status(on_alias) == 202 and body(on_alias) == started
    assert refused(put, FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1) == conflict(
        "Version is pointed by a Provisioned Concurrency alias"
    )
    assert status(lambda_client.delete_alias(FunctionName=name, Name=alias)) == 204
    assert refused(lambda_client.get_provisioned_concurrency_config, FunctionName=name, Qualifier=alias) == not_found(
        f"Cannot find alias arn: {function_arn(name, alias)}"
    )
    assert body(lambda_client.list_provisioned_concurrency_configs(FunctionName=name)) == {
        "ProvisionedConcurrencyConfigs": []
    }


def test_provisioned_concurrency_on_an_alias_revises_its_version(lambda_client, function):
    # snapshot (test_lambda): TestLambdaConcurrency::test_lambda_provisioned_concurrency_moves_with_alias
    # (its configuration answers: get_function_before_provisioned uuid:3, get_function_after_provisioned uuid:5)
    name = function(Timeout=2)["FunctionName"]
    before = lambda_client.get_function_configuration(FunctionName=name, Qualifier="$LATEST")
    published = lambda_client.publish_version(
        FunctionName=name, RevisionId=before["RevisionId"], Description="my-first-version"
    )
    assert (
        lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")["RevisionId"]
        == (published["RevisionId"])
    )
    lambda_client.create_alias(FunctionName=name, FunctionVersion="1", Name="moving")
    assert (
        lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]["RevisionId"]
        == (published["RevisionId"])
    )
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="moving", ProvisionedConcurrentExecutions=1
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        shown = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="moving")["Status"]
        if shown != "IN_PROGRESS":
            break
        time.sleep(0.2)
    assert shown == "READY"
    after = lambda_client.get_function(FunctionName=name, Qualifier="moving")["Configuration"]
    assert after["FunctionArn"] == function_arn(name, "moving") and after["Version"] == "1"
    assert after["RevisionId"] != published["RevisionId"]
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="moving")
