"""Put/Update/Get/List/DeleteFunctionEventInvokeConfig against AWS's recordings."""

import datetime

from .expect import Matcher, body, function_arn, invalid, not_found, problem, refused, validation

WHEN = Matcher("datetime", lambda v: isinstance(v, datetime.datetime))
NO_CONFIG = "The function {arn} doesn't have an EventInvokeConfig"
NO_FUNCTION = "The function doesn't exist."
MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."
DESTINATION_PATTERN = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|"
    r"(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)


def config(arn: str, success: str | None = None, **settings) -> dict:
    return {
        "LastModified": WHEN,
        "FunctionArn": arn,
        **settings,
        "DestinationConfig": {"OnSuccess": {"Destination": success} if success else {}, "OnFailure": {}},
    }


def test_event_invoke_config_lifecycle(lambda_client, function):
    # snapshot: TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_lifecycle
    name = function()["FunctionName"]
    latest = function_arn(name, "$LATEST")
    put = lambda_client.put_function_event_invoke_config
    update = lambda_client.update_function_event_invoke_config
    assert body(put(FunctionName=name, MaximumRetryAttempts=0)) == config(latest, MaximumRetryAttempts=0)
    assert body(put(FunctionName=name, MaximumEventAgeInSeconds=60)) == config(latest, MaximumEventAgeInSeconds=60)
    assert body(update(FunctionName=name, MaximumEventAgeInSeconds=60)) == config(latest, MaximumEventAgeInSeconds=60)
    both = config(latest, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=60)
    assert body(update(FunctionName=name, MaximumRetryAttempts=1)) == both
    assert body(lambda_client.get_function_event_invoke_config(FunctionName=name)) == both
    assert body(lambda_client.get_function_event_invoke_config(FunctionName=name, Qualifier="$LATEST")) == both
    assert body(lambda_client.list_function_event_invoke_configs(FunctionName=name)) == {
        "FunctionEventInvokeConfigs": [both]
    }
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    assert refused(lambda_client.get_function_event_invoke_config, FunctionName=name, Qualifier=version) == not_found(
        NO_CONFIG.format(arn=function_arn(name, version))
    )
    one = config(function_arn(name, version), MaximumEventAgeInSeconds=120)
    assert body(put(FunctionName=name, Qualifier=version, MaximumEventAgeInSeconds=120)) == one
    assert body(lambda_client.get_function_event_invoke_config(FunctionName=name, Qualifier=version)) == one
    first = lambda_client.list_function_event_invoke_configs(FunctionName=name, MaxItems=1)
    assert len(first["FunctionEventInvokeConfigs"]) == 1
    rest = lambda_client.list_function_event_invoke_configs(FunctionName=name, Marker=first["NextMarker"], MaxItems=1)
    arns = {c["FunctionArn"] for c in first["FunctionEventInvokeConfigs"] + rest["FunctionEventInvokeConfigs"]}
    assert arns == {latest, function_arn(name, version)}
    lambda_client.delete_function_event_invoke_config(FunctionName=name)
    assert body(lambda_client.list_function_event_invoke_configs(FunctionName=name)) == {
        "FunctionEventInvokeConfigs": [one]
    }


def test_event_invoke_config_errors_and_name_forms(unchecked_client, function):
    # snapshot: TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions (boto3's checks off)
    client = unchecked_client
    name = function()["FunctionName"]
    other = function()["FunctionName"]
    arn, other_arn = function_arn(name), function_arn(other)
    version = client.publish_version(FunctionName=name)["Version"]
    alias = client.create_alias(FunctionName=name, Name="eventinvokealias", FunctionVersion=version)
    put = client.put_function_event_invoke_config
    missing = function_arn("doesnotexist")
    assert refused(put, FunctionName="doesnotexist", MaximumRetryAttempts=1) == not_found(NO_FUNCTION)
    assert refused(put, FunctionName=missing, MaximumRetryAttempts=1) == not_found(NO_FUNCTION)
    assert refused(put, FunctionName="doesnotexist") == invalid(
        "You must specify at least one of error handling or destination setting."
    )
    success = {"OnSuccess": {"Destination": missing}}
    assert refused(put, FunctionName=name, DestinationConfig=success) == invalid(
        f"The destination ARN {missing} is invalid."
    )
    assert refused(put, FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}}) == invalid(
        "You can't specify the function as a destination for itself."
    )
    latest = function_arn(name, "$LATEST")
    assert body(put(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": other_arn}})) == config(
        latest, other_arn
    )
    iam = arn.replace(":lambda:", ":iam:")
    assert refused(put, FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": iam}}) == invalid(
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination={iam}), onFailure=null) "
        "is invalid."
    )
    assert body(put(FunctionName=name, DestinationConfig={"OnSuccess": {}})) == config(latest)
    assert body(put(FunctionName=name, DestinationConfig={"OnFailure": {}})) == config(latest)
    odd = arn.replace(":lambda:", ":_-/!lambda:")
    assert refused(put, FunctionName=name, DestinationConfig={"OnFailure": {"Destination": odd}}) == validation(
        problem(
            odd, "destinationConfig.onFailure.destination",
            f"Member must satisfy regular expression pattern: {DESTINATION_PATTERN}",
        )
    )  # fmt: skip
    alias_arn = alias["AliasArn"]
    retry = {"MaximumRetryAttempts": 1}
    accepted = [
        (dict(FunctionName=name), latest),
        (dict(FunctionName=name, Qualifier="$LATEST"), latest),
        (dict(FunctionName=name, Qualifier=version), function_arn(name, version)),
        (dict(FunctionName=name, Qualifier="eventinvokealias"), alias_arn),
        (dict(FunctionName=alias_arn), alias_arn),
        (dict(FunctionName=alias_arn, Qualifier="eventinvokealias"), alias_arn),
        (dict(FunctionName=f"{name}:eventinvokealias"), alias_arn),
        (dict(FunctionName=f"{name}:eventinvokealias", Qualifier="eventinvokealias"), alias_arn),
        (dict(FunctionName=f"{name}:{version}"), function_arn(name, version)),
        (dict(FunctionName=f"{name}:$LATEST", Qualifier="$LATEST"), latest),
    ]
    for params, shown in accepted:
        assert body(put(**params, **retry)) == config(shown, MaximumRetryAttempts=1), params
    assert refused(put, FunctionName=name, Qualifier="eventinvokealiasdoesnotexist", **retry) == not_found(NO_FUNCTION)
    for params in (
        dict(FunctionName=alias_arn, Qualifier="eventinvokealiasdoesnotexist"),
        dict(FunctionName=f"{name}:eventinvokealias", Qualifier="eventinvokealiasdoesnotexist"),
        dict(FunctionName=f"{name}:{version}", Qualifier="$LATEST"),
        dict(FunctionName=f"{name}:$LATEST", Qualifier=version),
        dict(FunctionName=f"{name}:{version}", Qualifier="eventinvokealias"),
    ):
        assert refused(put, **params, **retry) == invalid(MISMATCH), params
    assert body(put(FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=21600)) == config(
        latest, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=21600
    )
    put(FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60)
    assert body(put(FunctionName=name, MaximumRetryAttempts=0)) == config(latest, MaximumRetryAttempts=0)
    assert body(put(FunctionName=name, MaximumRetryAttempts=0)) == config(latest, MaximumRetryAttempts=0)
    assert body(client.get_function_event_invoke_config(FunctionName=name)) == config(latest, MaximumRetryAttempts=0)
    put(FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60)
    merged = config(latest, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=60)
    assert body(client.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)) == merged
    assert body(client.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)) == merged
    listed = client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert sorted(listed, key=lambda c: c["FunctionArn"]) == [
        merged,
        config(function_arn(name, version), MaximumRetryAttempts=1),
        config(alias_arn, MaximumRetryAttempts=1),
    ]
    paged = client.list_function_event_invoke_configs(FunctionName=name, MaxItems=2)
    assert len(paged["FunctionEventInvokeConfigs"]) == 2 and paged["NextMarker"]
    for qualifier in ("$LATEST", version, "eventinvokealias"):
        assert client.delete_function_event_invoke_config(FunctionName=name, Qualifier=qualifier)[
            "ResponseMetadata"
        ]["HTTPStatusCode"] == 204  # fmt: skip
    assert body(client.list_function_event_invoke_configs(FunctionName=name)) == {"FunctionEventInvokeConfigs": []}
    delete, get, update = (
        client.delete_function_event_invoke_config,
        client.get_function_event_invoke_config,
        client.update_function_event_invoke_config,
    )
    assert refused(delete, FunctionName=name) == not_found(NO_CONFIG.format(arn=latest))
    assert refused(delete, FunctionName="doesnotexist") == not_found(NO_CONFIG.format(arn=f"{missing}:$LATEST"))
    assert refused(client.list_function_event_invoke_configs, FunctionName="doesnotexist") == not_found(NO_FUNCTION)
    assert refused(get, FunctionName="doesnotexist") == not_found(NO_CONFIG.format(arn=f"{missing}:$LATEST"))
    assert refused(get, FunctionName=name, Qualifier="doesnotexist") == not_found(
        NO_CONFIG.format(arn=function_arn(name, "doesnotexist"))
    )
    assert refused(update, FunctionName="doesnotexist", MaximumRetryAttempts=0) == not_found(NO_FUNCTION)
    assert refused(get, FunctionName=alias_arn) == not_found(NO_CONFIG.format(arn=alias_arn))
    assert refused(update, FunctionName=alias_arn, MaximumRetryAttempts=0) == not_found(NO_CONFIG.format(arn=alias_arn))
    assert refused(update, FunctionName=arn, MaximumRetryAttempts=0) == not_found(NO_CONFIG.format(arn=latest))
