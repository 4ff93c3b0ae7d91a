"""Create/Get/Update/Delete/ListFunctionUrlConfig(s) against AWS's recordings.

``FunctionUrl`` is this host's own address (``http://127.0.0.1:<port>/``), where AWS's is
``https://<id>.lambda-url.<region>.on.aws/``; the recordings mask it, so it is not compared.
"""

import pytest

from .expect import (
    URL_DATE,
    Matcher,
    body,
    conflict,
    function_arn,
    invalid,
    not_found,
    problem,
    refused,
    status,
    validation,
)

URL = Matcher("function-url", lambda v: isinstance(v, str) and v.startswith("http://") and v.endswith("/"))
QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"
NO_FUNCTION = "Function does not exist"
NO_RESOURCE = "The resource you requested does not exist."
MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."


def created(arn: str) -> dict:
    return {"FunctionUrl": URL, "FunctionArn": arn, "AuthType": "NONE", "CreationTime": URL_DATE}


def shown(arn: str, auth: str = "NONE") -> dict:
    return {**created(arn), "AuthType": auth, "LastModifiedTime": URL_DATE, "InvokeMode": "BUFFERED"}


def bad_qualifier(value: str) -> dict:
    return validation(
        problem(value, "qualifier", f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}")
    )


def with_alias(lambda_client, function) -> str:
    name = function()["FunctionName"]
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.create_alias(FunctionName=name, Name="urlalias", FunctionVersion=version)
    return name


@pytest.mark.parametrize(
    ("operation", "missing_function", "params"),
    [
        ("create_function_url_config", NO_FUNCTION, {"AuthType": "NONE"}),
        ("get_function_url_config", NO_RESOURCE, {}),
        ("delete_function_url_config", NO_RESOURCE, {}),
        ("update_function_url_config", NO_FUNCTION, {"AuthType": "AWS_IAM"}),
    ],
)
def test_url_config_name_and_qualifier_errors(lambda_client, function, operation, missing_function, params):
    # snapshot: TestLambdaUrl::test_url_config_exceptions (<operation>_<case>)
    name = with_alias(lambda_client, function)
    call = getattr(lambda_client, operation)
    cases = [
        (dict(FunctionName="doesnotexist"), not_found(missing_function)),
        (dict(FunctionName=function_arn("doesnotexist")), not_found(missing_function)),
        (dict(FunctionName="doesnotexist", Qualifier="1"), bad_qualifier("1")),
        (dict(FunctionName=name, Qualifier="1"), bad_qualifier("1")),
        (dict(FunctionName=name, Qualifier="2"), bad_qualifier("2")),
        (dict(FunctionName=name, Qualifier="v1"), not_found(missing_function)),
        (dict(FunctionName=name, Qualifier="$LATEST"), bad_qualifier("$LATEST")),
    ]
    if operation != "delete_function_url_config":  # AWS answered that one with an internal failure
        cases.append((dict(FunctionName=f"{name}:urlalias-doesnotmatch", Qualifier="urlalias"), invalid(MISMATCH)))
    if operation != "create_function_url_config":
        cases.append((dict(FunctionName=name), not_found(NO_RESOURCE)))
    for args, expected in cases:
        assert refused(call, **args, **params) == expected, args


def test_url_configs_are_listed_and_paged(lambda_client, function):
    # snapshot: TestLambdaUrl::test_url_config_list_paging
    name = with_alias(lambda_client, function)
    assert refused(lambda_client.list_function_url_configs, FunctionName="doesnotexist") == not_found(NO_FUNCTION)
    assert body(lambda_client.list_function_url_configs(FunctionName=name)) == {"FunctionUrlConfigs": []}
    own = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert status(own) == 201 and body(own) == created(function_arn(name))
    alias = lambda_client.create_function_url_config(
        FunctionName=f"{name}:urlalias", Qualifier="urlalias", AuthType="NONE"
    )
    assert body(alias) == created(function_arn(name, "urlalias"))
    listed = lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert sorted(listed, key=lambda c: c["FunctionArn"]) == [
        shown(function_arn(name)),
        shown(function_arn(name, "urlalias")),
    ]
    first = lambda_client.list_function_url_configs(FunctionName=name, MaxItems=1)
    assert len(first["FunctionUrlConfigs"]) == 1
    assert len(lambda_client.list_function_url_configs(FunctionName=name, MaxItems=2)["FunctionUrlConfigs"]) == 2
    rest = lambda_client.list_function_url_configs(FunctionName=name, MaxItems=1, Marker=first["NextMarker"])
    urls = {c["FunctionUrl"] for c in first["FunctionUrlConfigs"] + rest["FunctionUrlConfigs"]}
    assert urls == {own["FunctionUrl"], alias["FunctionUrl"]}


def test_url_config_lifecycle(lambda_client, function):
    # snapshot: TestLambdaUrl::test_url_config_lifecycle
    name = function()["FunctionName"]
    arn = function_arn(name)
    made = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert status(made) == 201 and body(made) == created(arn)
    assert refused(lambda_client.create_function_url_config, FunctionName=name, AuthType="NONE") == conflict(
        f"Failed to create function url config for [functionArn = {arn}]. Error message:  FunctionUrlConfig exists "
        "for this Lambda function"
    )
    assert body(lambda_client.get_function_url_config(FunctionName=name)) == shown(arn)
    updated = lambda_client.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    expected = shown(arn, "AWS_IAM")
    del expected["InvokeMode"]  # Update shows InvokeMode only when the request set it
    assert body(updated) == expected
    lambda_client.delete_function_url_config(FunctionName=name)
    assert refused(lambda_client.get_function_url_config, FunctionName=name) == not_found(NO_RESOURCE)


def test_deleting_the_function_url_leaves_its_alias_url(lambda_client, bare_function):
    # snapshot: TestLambdaUrl::test_url_config_deletion_without_qualifier
    name = bare_function(Environment={"Variables": {"testenv": "staging"}})["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="test-alias", FunctionVersion="1", Description="custom-alias")
    own = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert body(own) == created(function_arn(name))
    alias = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", Qualifier="test-alias")
    assert body(alias) == created(function_arn(name, "test-alias"))
    assert body(lambda_client.get_function_url_config(FunctionName=name)) == shown(function_arn(name))
    alias_shown = body(lambda_client.get_function_url_config(FunctionName=name, Qualifier="test-alias"))
    assert alias_shown == shown(function_arn(name, "test-alias"))
    assert status(lambda_client.delete_function_url_config(FunctionName=name)) == 204
    assert refused(lambda_client.get_function_url_config, FunctionName=name) == not_found(NO_RESOURCE)
    assert body(lambda_client.get_function_url_config(FunctionName=name, Qualifier="test-alias")) == alias_shown
