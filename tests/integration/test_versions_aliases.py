"""Published versions and aliases through boto3: snapshots, AWS's checks, and routing in real containers."""

import base64
import contextlib
import functools
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip
from tests.integration.recorder import Recorder

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function"
PRECONDITION = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def code(mark: str) -> bytes:
    """A handler that tells which code ran and what the function sees of its version."""
    return make_zip(
        {
            "app.py": (
                "import os\n"
                f"CODE = {mark!r}\n"
                "def handler(event, context):\n"
                "    return {'code': CODE, 'env_version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'],\n"
                "            'function_version': context.function_version,\n"
                "            'invoked_arn': context.invoked_function_arn, 'var': os.environ.get('VAR')}\n"
            )
        }
    )


@pytest.fixture
def function(lambda_client):
    """A fresh Active function running code "v1"; deleted afterwards with all its versions."""
    names = []

    def create(mark: str = "v1", **params) -> str:
        name = f"ver-{uuid.uuid4().hex[:8]}"
        lambda_client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": code(mark)}, **params,
        )  # fmt: skip
        names.append(name)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        return name

    yield create
    for name in names:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


def update_code(client, name: str, mark: str, **params) -> dict:
    response = client.update_function_code(FunctionName=name, ZipFile=code(mark), **params)
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    return response


def invoke(client, name: str | None = None, **params) -> tuple[dict, dict]:
    if name is not None:
        params["FunctionName"] = name
    response = client.invoke(**params)
    return response, json.loads(response["Payload"].read())


def error_of(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


# -- PublishVersion and ListVersionsByFunction --------------------------------------------------


def test_publish_version_snapshots_latest_and_answers_201(lambda_client, function):
    name = function(Description="first")
    before = lambda_client.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    version = lambda_client.publish_version(FunctionName=name)
    assert version["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert version["Version"] == "1"
    assert version["FunctionArn"] == f"{ACCOUNT_ARN}:{name}:1"
    assert version["Description"] == "first"
    assert version["State"] == "Active" and version["LastUpdateStatus"] == "Successful"
    assert version["CodeSha256"] == lambda_client.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
    assert "RuntimeVersionConfig" in version
    latest = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert latest["RevisionId"] not in (before, version["RevisionId"])  # publishing moves $LATEST's RevisionId


def test_publishing_twice_without_a_change_returns_the_same_version(lambda_client, function):
    name = function()
    first = lambda_client.publish_version(FunctionName=name, Description="one")
    again = lambda_client.publish_version(FunctionName=name, Description="ignored")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert again["Version"] == "1"
    assert again["Description"] == "one"
    assert again["RevisionId"] == first["RevisionId"]
    versions = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]


def test_a_configuration_change_publishes_a_new_version(lambda_client, function):
    name = function(Environment={"Variables": {"VAR": "staging"}})
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"
    lambda_client.update_function_configuration(FunctionName=name, Environment={"Variables": {"VAR": "prod"}})
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    second = lambda_client.publish_version(FunctionName=name)
    assert second["Version"] == "2"
    assert second["Environment"] == {"Variables": {"VAR": "prod"}}
    first = lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")
    assert first["Environment"] == {"Variables": {"VAR": "staging"}}
    assert invoke(lambda_client, name, Qualifier="1")[1]["var"] == "staging"
    assert invoke(lambda_client, name, Qualifier="2")[1]["var"] == "prod"


def test_a_dead_letter_config_change_publishes_a_new_version(lambda_client, function):
    name = function()
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"
    queue = "arn:aws:sqs:us-east-1:123456789012:dead-letters"
    lambda_client.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": queue})
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    second = lambda_client.publish_version(FunctionName=name)
    assert (second["Version"], second["DeadLetterConfig"]) == ("2", {"TargetArn": queue})
    assert "DeadLetterConfig" not in lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")


def test_publish_checks_code_sha256_and_revision_id(lambda_client, function):
    name = function()
    sha = lambda_client.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
    status, kind, message = error_of(lambda: lambda_client.publish_version(FunctionName=name, CodeSha256="nope"))
    assert (status, kind) == (400, "InvalidParameterValueException")
    assert message == (
        f"CodeSHA256 (nope) is different from current CodeSHA256 in $LATEST ({sha}). "
        "Please try again with the CodeSHA256 in $LATEST."
    )
    status, kind, message = error_of(lambda: lambda_client.publish_version(FunctionName=name, RevisionId="stale"))
    assert (status, kind, message) == (412, "PreconditionFailedException", PRECONDITION)
    revision = lambda_client.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    published = lambda_client.publish_version(FunctionName=name, CodeSha256=sha, RevisionId=revision)
    assert published["Version"] == "1"


def test_publish_of_a_missing_function_is_404(lambda_client):
    status, kind, message = error_of(lambda: lambda_client.publish_version(FunctionName="no-such-function"))
    assert (status, kind) == (404, "ResourceNotFoundException")
    assert message == f"Function not found: {ACCOUNT_ARN}:no-such-function"


def test_list_versions_puts_latest_first_with_qualified_arns_and_pages(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    update_code(lambda_client, name, "v2")
    lambda_client.publish_version(FunctionName=name)
    versions = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert [v["FunctionArn"] for v in versions] == [f"{ACCOUNT_ARN}:{name}:{q}" for q in ("$LATEST", "1", "2")]
    for entry in versions:
        assert not {"State", "LastUpdateStatus", "RuntimeVersionConfig"} & set(entry)
    page = lambda_client.list_versions_by_function(FunctionName=name, MaxItems=2)
    assert [v["Version"] for v in page["Versions"]] == ["$LATEST", "1"]
    rest = lambda_client.list_versions_by_function(FunctionName=name, Marker=page["NextMarker"])
    assert [v["Version"] for v in rest["Versions"]] == ["2"] and "NextMarker" not in rest
    paginated = lambda_client.get_paginator("list_versions_by_function").paginate(
        FunctionName=name, PaginationConfig={"PageSize": 1}
    )
    assert [v["Version"] for page in paginated for v in page["Versions"]] == ["$LATEST", "1", "2"]


# -- Publish=True on create and update ---------------------------------------------------------


def test_create_with_publish_makes_version_1(lambda_client, function):
    name = f"ver-{uuid.uuid4().hex[:8]}"
    try:
        created = lambda_client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": code("v1")}, Publish=True,
        )  # fmt: skip
        assert created["Version"] == "1"
        assert created["FunctionArn"] == f"{ACCOUNT_ARN}:{name}"
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        lambda_client.get_waiter("published_version_active").wait(
            FunctionName=name, Qualifier="1", WaiterConfig={"Delay": 0.2}
        )
        one = lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]
        assert one["FunctionArn"] == f"{ACCOUNT_ARN}:{name}:1" and one["Version"] == "1"
        latest = lambda_client.get_function(FunctionName=name)["Configuration"]
        assert latest["FunctionArn"] == f"{ACCOUNT_ARN}:{name}" and latest["Version"] == "$LATEST"
        assert latest["RevisionId"] != one["RevisionId"]
        explicit = lambda_client.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]
        assert explicit["FunctionArn"] == f"{ACCOUNT_ARN}:{name}:$LATEST"
        assert invoke(lambda_client, name, Qualifier="1")[0]["ExecutedVersion"] == "1"
    finally:
        lambda_client.delete_function(FunctionName=name)


def test_update_code_with_publish_answers_with_the_new_version(lambda_client, function):
    name = function(Description="described")
    lambda_client.publish_version(FunctionName=name)
    response = lambda_client.update_function_code(FunctionName=name, ZipFile=code("v2"), Publish=True)
    assert response["Version"] == "2"
    assert response["FunctionArn"] == f"{ACCOUNT_ARN}:{name}:2"
    assert response["State"] == "Pending" and "LastUpdateStatus" not in response
    assert response["Description"] == "described"
    lambda_client.get_waiter("published_version_active").wait(
        FunctionName=name, Qualifier="2", WaiterConfig={"Delay": 0.2}
    )
    assert invoke(lambda_client, name, Qualifier="2")[1]["code"] == "v2"
    assert invoke(lambda_client, name, Qualifier="1")[1]["code"] == "v1"


# -- invoking versions ----------------------------------------------------------------------------


def test_invoking_a_version_runs_its_frozen_code_and_reports_it(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    update_code(lambda_client, name, "v2")
    arn = f"{ACCOUNT_ARN}:{name}:1"
    for params in ({"FunctionName": f"{name}:1"}, {"FunctionName": arn}, {"FunctionName": name, "Qualifier": "1"}):
        response, seen = invoke(lambda_client, **params, LogType="Tail")
        assert response["ExecutedVersion"] == "1"
        assert seen == {
            "code": "v1", "env_version": "1", "function_version": "1", "invoked_arn": arn, "var": None,
        }  # fmt: skip
        log = base64.b64decode(response["LogResult"]).decode()
        assert "Version: 1\n" in log
    response, seen = invoke(lambda_client, name)
    assert response["ExecutedVersion"] == "$LATEST"
    assert seen["code"] == "v2" and seen["env_version"] == "$LATEST" and seen["function_version"] == "$LATEST"
    assert seen["invoked_arn"] == f"{ACCOUNT_ARN}:{name}"
    assert invoke(lambda_client, name, Qualifier="$LATEST")[1]["invoked_arn"] == f"{ACCOUNT_ARN}:{name}:$LATEST"


def test_a_version_runs_in_environments_of_its_own(lambda_client, lambda_host, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    invoke(lambda_client, name)
    invoke(lambda_client, name, Qualifier="1")
    mine = [env for env in lambda_host.scheduler.environments() if env.function and env.function.name == name]
    assert sorted(env.function.version for env in mine) == ["$LATEST", "1"]
    assert len({id(env.container) for env in mine}) == 2


def test_a_version_of_a_node_function_reports_itself(lambda_client):
    name = f"ver-{uuid.uuid4().hex[:8]}"
    handler = (
        "export const handler = async (event, context) => ({version: context.functionVersion,"
        " arn: context.invokedFunctionArn, env: process.env.AWS_LAMBDA_FUNCTION_VERSION});\n"
    )
    lambda_client.create_function(
        FunctionName=name, Runtime="nodejs20.x", Role=DEFAULT_ROLE, Handler="index.handler",
        Code={"ZipFile": make_zip({"index.mjs": handler})}, Publish=True,
    )  # fmt: skip
    try:
        lambda_client.get_waiter("published_version_active").wait(
            FunctionName=name, Qualifier="1", WaiterConfig={"Delay": 0.2}
        )
        response, seen = invoke(lambda_client, f"{name}:1")
        assert response["ExecutedVersion"] == "1"
        assert seen == {"version": "1", "arn": f"{ACCOUNT_ARN}:{name}:1", "env": "1"}
    finally:
        lambda_client.delete_function(FunctionName=name)


def test_missing_and_deleted_versions_are_404(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    status, kind, message = error_of(lambda: lambda_client.invoke(FunctionName=name, Qualifier="7"))
    assert (status, kind, message) == (404, "ResourceNotFoundException", f"Function not found: {ACCOUNT_ARN}:{name}:7")
    invoke(lambda_client, name, Qualifier="1")
    deleted = lambda_client.delete_function(FunctionName=name, Qualifier="1")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    status, kind, message = error_of(lambda: lambda_client.invoke(FunctionName=f"{name}:1"))
    assert (status, kind, message) == (404, "ResourceNotFoundException", f"Function not found: {ACCOUNT_ARN}:{name}:1")
    status, _, message = error_of(lambda: lambda_client.get_function(FunctionName=name, Qualifier="1"))
    assert (status, message) == (404, f"Function not found: {ACCOUNT_ARN}:{name}:1")
    assert invoke(lambda_client, name)[0]["StatusCode"] == 200  # $LATEST stays
    versions = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]
    update_code(lambda_client, name, "v2")
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "2"  # numbers are never reused


def test_delete_function_with_a_qualifier_follows_aws(lambda_client, function):
    name = function()
    again = lambda_client.delete_function(FunctionName=name, Qualifier="42")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 204  # a missing version: nothing to do
    status, kind, message = error_of(lambda: lambda_client.delete_function(FunctionName=name, Qualifier="$LATEST"))
    assert (status, kind) == (400, "InvalidParameterValueException")
    assert message == "$LATEST version cannot be deleted without deleting the function."
    status, kind, message = error_of(lambda: lambda_client.delete_function(FunctionName=name, Qualifier="live"))
    assert (status, kind, message) == (
        400, "InvalidParameterValueException", "Deletion of aliases is not currently supported.",
    )  # fmt: skip
    status, _, message = error_of(lambda: lambda_client.delete_function(FunctionName="no-such-fn", Qualifier="1"))
    assert (status, message) == (404, f"Function not found: {ACCOUNT_ARN}:no-such-fn")
    lambda_client.get_function(FunctionName=name)


@pytest.mark.parametrize("operation", ["get_function", "get_function_configuration"])
def test_a_missing_function_asked_with_a_qualifier_is_named_with_it(lambda_client, operation):
    """AWS: test_ops_with_arn_qualifier_mismatch (match_exception) and lowercase_latest_qualifier."""
    call = getattr(lambda_client, operation)
    arn = f"{ACCOUNT_ARN}:some-function"
    for params, shown in (
        ({"FunctionName": f"{arn}:$LATEST", "Qualifier": "$LATEST"}, f"{arn}:$LATEST"),
        ({"FunctionName": arn, "Qualifier": "$latest"}, f"{arn}:$latest"),
        ({"FunctionName": "some-function", "Qualifier": "1"}, f"{arn}:1"),
        ({"FunctionName": "some-function:live"}, f"{arn}:live"),
        ({"FunctionName": "some-function"}, arn),
    ):
        status, kind, message = error_of(functools.partial(call, **params))
        assert (status, kind, message) == (404, "ResourceNotFoundException", f"Function not found: {shown}")


def test_delete_with_a_qualifier_outside_the_alias_pattern_is_a_missing_version(lambda_client, function):
    """AWS: lowercase_latest_qualifier-delete_function; ``$latest`` is a valid qualifier, not an alias."""
    arn = f"{ACCOUNT_ARN}:my-function"
    status, kind, message = error_of(lambda: lambda_client.delete_function(FunctionName=arn, Qualifier="$latest"))
    assert (status, kind, message) == (404, "ResourceNotFoundException", f"Function not found: {arn}")
    name = function()
    for qualifier in ("$latest", "$LATEST.PUBLISHED"):
        answered = lambda_client.delete_function(FunctionName=name, Qualifier=qualifier)
        assert answered["ResponseMetadata"]["HTTPStatusCode"] == 204
    lambda_client.get_function(FunctionName=name)


def test_deleting_the_function_removes_versions_and_aliases(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.delete_function(FunctionName=name)
    lambda_client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"ZipFile": code("v9")},
    )  # fmt: skip
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    assert [v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=name)["Versions"]] == ["$LATEST"]
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"


# -- aliases --------------------------------------------------------------------------------------


def test_alias_lifecycle_in_aws_shapes(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    created = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    body = {k: v for k, v in created.items() if k != "ResponseMetadata"}
    assert body == {
        "AliasArn": f"{ACCOUNT_ARN}:{name}:live", "Name": "live", "FunctionVersion": "1", "Description": "",
        "RevisionId": created["RevisionId"],
    }  # fmt: skip
    got = lambda_client.get_alias(FunctionName=name, Name="live")
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == body
    update_code(lambda_client, name, "v2")
    lambda_client.publish_version(FunctionName=name)
    updated = lambda_client.update_alias(
        FunctionName=name, Name="live", Description="d", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}
    )
    assert updated["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    assert updated["Description"] == "d" and updated["RevisionId"] != created["RevisionId"]
    untouched = lambda_client.update_alias(FunctionName=name, Name="live")
    assert untouched["Description"] == "d" and untouched["RevisionId"] != updated["RevisionId"]
    cleared = lambda_client.update_alias(FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {}})
    assert "RoutingConfig" not in cleared
    lambda_client.create_alias(FunctionName=name, Name="next", FunctionVersion="2")
    lambda_client.create_alias(FunctionName=name, Name="edge", FunctionVersion="$LATEST")
    listed = lambda_client.list_aliases(FunctionName=name)["Aliases"]
    assert [a["Name"] for a in listed] == ["edge", "live", "next"]
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]] == [
        "next"
    ]
    deleted = lambda_client.delete_alias(FunctionName=name, Name="next")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lambda_client.delete_alias(FunctionName=name, Name="next")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=name)["Aliases"]] == ["edge", "live"]


def test_alias_errors_are_aws_shaped(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    update_code(lambda_client, name, "v2")
    lambda_client.publish_version(FunctionName=name)
    arn = f"{ACCOUNT_ARN}:{name}"
    create = lambda_client.create_alias
    cases = [
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="10"),
         (404, "ResourceNotFoundException", f"Function not found: {arn}:10")),
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="1",
                        RoutingConfig={"AdditionalVersionWeights": {"10": 0.5}}),
         (404, "ResourceNotFoundException", f"Function not found: {arn}:10")),
        (lambda: create(FunctionName=f"{name}-unknown", Name="a", FunctionVersion="1"),
         (404, "ResourceNotFoundException", f"Function not found: {arn}-unknown:1")),
        (lambda: create(FunctionName=name, Name="2024", FunctionVersion="1"),
         (400, "ValidationException", "1 validation error detected: Value '2024' at 'name' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")),
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="1",
                        RoutingConfig={"AdditionalVersionWeights": {"1": 0.8, "2": 0.2}}),
         (400, "InvalidParameterValueException",
          "Number of items in AdditionalVersionWeights cannot be greater than 1")),
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="1",
                        RoutingConfig={"AdditionalVersionWeights": {"2": 2}}),
         (400, "ValidationException", "1 validation error detected: Value '{2=2.0}' at "
          "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy "
          "constraint: [Member must have value less than or equal to 1.0, Member must have value greater than "
          "or equal to 0.0, Member must not be null]")),
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="1",
                        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
         (400, "InvalidParameterValueException",
          "Invalid function version 1. Function version 1 is already included in routing configuration.")),
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="$LATEST",
                        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
         (400, "InvalidParameterValueException",
          "$LATEST is not supported for an alias pointing to more than 1 version")),
        (lambda: create(FunctionName=name, Name="a", FunctionVersion="1",
                        RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}}),
         (400, "ValidationException", "1 validation error detected: Value '{$LATEST=0.5}' at "
          "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy "
          "constraint: [Member must have length less than or equal to 1024, Member must have length greater "
          "than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]")),
        (lambda: lambda_client.get_alias(FunctionName=name, Name="nope"),
         (404, "ResourceNotFoundException", f"Cannot find alias arn: {arn}:nope")),
        (lambda: lambda_client.update_alias(FunctionName=name, Name="nope", FunctionVersion="1"),
         (404, "ResourceNotFoundException", f"Alias not found: {arn}:nope")),
    ]  # fmt: skip
    for call, expected in cases:
        assert error_of(call) == expected
    assert lambda_client.list_aliases(FunctionName=name)["Aliases"] == []  # nothing half-made
    create(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(lambda: create(FunctionName=name, Name="live", FunctionVersion="2")) == (
        409, "ResourceConflictException", f"Alias already exists: {arn}:live",
    )  # fmt: skip
    assert error_of(lambda: lambda_client.update_alias(FunctionName=name, Name="live", RevisionId="stale")) == (
        412, "PreconditionFailedException", PRECONDITION,
    )  # fmt: skip
    assert error_of(lambda: lambda_client.delete_function(FunctionName=name, Qualifier="1")) == (
        409, "ResourceConflictException", "Unable to delete version because the following aliases reference it: [live]",
    )  # fmt: skip
    assert lambda_client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"


def test_invoking_an_alias_runs_its_version_and_keeps_the_alias_in_the_arn(lambda_client, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    update_code(lambda_client, name, "v2")
    alias_arn = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")["AliasArn"]
    for params in (
        {"FunctionName": f"{name}:live"}, {"FunctionName": alias_arn}, {"FunctionName": name, "Qualifier": "live"},
    ):  # fmt: skip
        response, seen = invoke(lambda_client, **params)
        assert response["ExecutedVersion"] == "1"
        assert seen == {
            "code": "v1", "env_version": "1", "function_version": "1", "invoked_arn": alias_arn, "var": None,
        }  # fmt: skip
    got = lambda_client.get_function_configuration(FunctionName=alias_arn)
    assert got["FunctionArn"] == alias_arn and got["Version"] == "1"
    lambda_client.publish_version(FunctionName=name)
    assert invoke(lambda_client, f"{name}:live")[0]["ExecutedVersion"] == "1"  # an alias moves only when updated
    lambda_client.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    response, seen = invoke(lambda_client, f"{name}:live")
    assert response["ExecutedVersion"] == "2" and seen["code"] == "v2"
    status, _, message = error_of(lambda: lambda_client.invoke(FunctionName=name, Qualifier="missing"))
    assert (status, message) == (404, f"Function not found: {ACCOUNT_ARN}:{name}:missing")
    lambda_client.delete_alias(FunctionName=name, Name="live")
    status, _, message = error_of(lambda: lambda_client.invoke(FunctionName=alias_arn))
    assert (status, message) == (404, f"Function not found: {alias_arn}")


def test_a_weighted_alias_splits_2000_invokes_by_its_weights(lambda_client, lambda_host, function):
    name = function()
    lambda_client.publish_version(FunctionName=name)
    update_code(lambda_client, name, "v2")
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(
        FunctionName=name, Name="canary", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}}
    )
    clients = [client_for(lambda_host) for _ in range(4)]

    def run(index: int) -> list[tuple[str, str]]:
        client = clients[index]
        seen = []
        for _ in range(500):
            response, payload = invoke(client, f"{name}:canary")
            seen.append((response["ExecutedVersion"], payload["code"]))
        return seen

    with ThreadPoolExecutor(4) as pool:
        results = [pair for part in pool.map(run, range(4)) for pair in part]
    assert len(results) == 2000
    assert all((version, code) in (("1", "v1"), ("2", "v2")) for version, code in results)  # the header tells
    share = sum(version == "2" for version, _ in results) / len(results)
    assert 0.17 <= share <= 0.23


def test_an_event_invocation_of_an_alias_runs_its_version(lambda_host_factory):
    host = lambda_host_factory()
    client = client_for(host)
    recorder = Recorder()
    try:
        handler = (
            "import json, os, urllib.request\n"
            "CODE = 'one'\n"
            "def handler(event, context):\n"
            "    body = json.dumps({'code': CODE, 'version': context.function_version,\n"
            "                       'arn': context.invoked_function_arn}).encode()\n"
            "    urllib.request.urlopen(os.environ['RECORDER'], data=body, timeout=5)\n"
        )
        client.create_function(
            FunctionName="evented", Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": handler})}, Publish=True,
            Environment={"Variables": {"RECORDER": recorder.url(host)}},
        )  # fmt: skip
        client.get_waiter("published_version_active").wait(FunctionName="evented", Qualifier="1")
        client.update_function_code(
            FunctionName="evented", ZipFile=make_zip({"app.py": handler.replace("'one'", "'two'")})
        )
        client.get_waiter("function_updated_v2").wait(FunctionName="evented", WaiterConfig={"Delay": 0.2})
        client.create_alias(FunctionName="evented", Name="live", FunctionVersion="1")
        assert client.invoke(FunctionName="evented", Qualifier="live", InvocationType="Event")["StatusCode"] == 202
        assert recorder.wait_for(1) == [{"code": "one", "version": "1", "arn": f"{ACCOUNT_ARN}:evented:live"}]
    finally:
        recorder.server.shutdown()
