"""The management-API parts of test_lambda.snapshot.json (each key below is from that file)."""

import json

from host.testing.plugin import make_zip

from .conftest import VERSION, wait_updated
from .expect import (
    SIZE,
    UUID,
    body,
    configuration,
    creating,
    function_arn,
    not_found,
    problem,
    refused,
    status,
    updating,
    validation,
)


def test_a_function_is_pending_then_active(lambda_client, bare_function):
    # snapshot (test_lambda): TestLambdaBaseFeatures::test_function_state
    created = bare_function(wait=False, Handler="handler.handler")
    name = created["FunctionName"]
    assert body(created) == creating(name, Timeout=3, Environment=None)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    shown = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert shown == configuration(name, Timeout=3, Environment=None)
    assert shown["RevisionId"] != created["RevisionId"]


def test_reserved_concurrency_crud_and_get_function_shows_it(lambda_client, function):
    # snapshot (test_lambda): TestLambdaConcurrency::test_lambda_concurrency_crud and ::test_lambda_concurrency_update
    name = function()["FunctionName"]
    assert body(lambda_client.get_function_concurrency(FunctionName=name)) == {}
    put = lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    assert body(put) == {"ReservedConcurrentExecutions": 3}
    shown = lambda_client.get_function(FunctionName=name)
    assert shown["Concurrency"] == {"ReservedConcurrentExecutions": 3}
    assert shown["Configuration"] == configuration(name)
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert body(lambda_client.get_function_concurrency(FunctionName=name)) == {}
    assert "Concurrency" not in lambda_client.get_function(FunctionName=name)


def test_an_alias_with_a_routing_config(lambda_client, function):
    # snapshot (test_lambda): TestLambdaAliases::test_alias_routingconfig
    name = function()["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_function_configuration(FunctionName=name, Description="two")
    wait_updated(lambda_client, name)
    lambda_client.publish_version(FunctionName=name)
    created = lambda_client.create_alias(
        FunctionName=name, Name="alias1", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}
    )
    assert status(created) == 201
    assert body(created) == {
        "AliasArn": function_arn(name, "alias1"), "Name": "alias1", "FunctionVersion": "1", "Description": "",
        "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5}}, "RevisionId": UUID,
    }  # fmt: skip


def test_update_function_code_may_switch_the_architecture(lambda_client, function):
    # snapshot (test_lambda): TestLambdaBehavior::test_mixed_architecture (the API answers; code runs on the
    # host's own architecture here)
    created = function(Architectures=["x86_64"])
    name = created["FunctionName"]
    updated = lambda_client.update_function_code(FunctionName=name, ZipFile=make_zip(VERSION), Architectures=["arm64"])
    assert body(updated) == updating(name, Architectures=["arm64"])
    wait_updated(lambda_client, name)
    assert lambda_client.get_function_configuration(FunctionName=name)["Architectures"] == ["arm64"]


def test_a_function_deleted_and_created_again_is_new(lambda_client, function):
    # snapshot (test_lambda): TestLambdaCleanup::test_recreate_function
    first = function(Handler="lambda_echo.handler")
    name = first["FunctionName"]
    assert body(first) == creating(name, Handler="lambda_echo.handler")
    lambda_client.delete_function(FunctionName=name)
    second = function(FunctionName=name, Handler="lambda_echo.handler")
    assert body(second) == creating(name, Handler="lambda_echo.handler")
    assert second["RevisionId"] != first["RevisionId"]


def test_invoke_mode_of_a_url_is_kept_when_an_update_does_not_name_it(lambda_client, function):
    # snapshot (test_lambda): TestLambdaURL::test_lambda_update_function_url_config
    name = function()["FunctionName"]
    made = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="BUFFERED")
    assert made["InvokeMode"] == "BUFFERED" and "LastModifiedTime" not in made
    assert lambda_client.get_function_url_config(FunctionName=name)["InvokeMode"] == "BUFFERED"
    changed = lambda_client.update_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM")
    assert changed["InvokeMode"] == "RESPONSE_STREAM" and "LastModifiedTime" in changed
    assert lambda_client.get_function_url_config(FunctionName=name)["InvokeMode"] == "RESPONSE_STREAM"
    kept = lambda_client.update_function_url_config(FunctionName=name)
    assert kept["InvokeMode"] == "RESPONSE_STREAM"
    assert lambda_client.get_function_url_config(FunctionName=name)["InvokeMode"] == "RESPONSE_STREAM"


def test_an_unknown_invoke_mode_is_refused(unchecked_client, function):
    # snapshot (test_lambda): TestLambdaURL::test_lambda_url_invalid_invoke_mode
    name = function()["FunctionName"]
    assert refused(
        unchecked_client.create_function_url_config, FunctionName=name, AuthType="NONE", InvokeMode="UNKNOWN"
    ) == validation(problem("UNKNOWN", "invokeMode", "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"))


def test_invoking_a_function_that_does_not_exist(lambda_client):
    # snapshot (test_lambda): TestLambdaFeatures::test_invoke_exceptions (the 2025 recording: with :$LATEST)
    assert refused(lambda_client.invoke, FunctionName="doesnotexist", Payload=b"{}") == not_found(
        f"Function not found: {function_arn('doesnotexist', '$LATEST')}"
    )


def test_a_handler_update_revises_the_function(lambda_client, function):
    # snapshot (test_lambda): TestLambdaVersions::test_lambda_handler_update (its configuration answers)
    name = function()["FunctionName"]
    updated = lambda_client.update_function_configuration(FunctionName=name, Handler="handler.handler_two")
    assert body(updated) == updating(name, Handler="handler.handler_two")
    wait_updated(lambda_client, name)
    shown = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert shown == configuration(name, Handler="handler.handler_two", CodeSize=SIZE)
    assert shown["RevisionId"] != updated["RevisionId"]


def versioned(tag: str) -> bytes:
    return make_zip({"handler.py": f"def handler(event, context):\n    return {{'version': '{tag}'}}\n"})


def ran(lambda_client, name, **params) -> tuple[str, str]:
    answer = lambda_client.invoke(FunctionName=name, Payload=b"{}", **params)
    return json.loads(answer["Payload"].read())["version"], answer["ExecutedVersion"]


def test_versions_keep_their_code_and_an_alias_moves_only_when_updated(lambda_client, bare_function):
    # snapshot (test_lambda): TestLambdaVersions::test_lambda_versions_with_code_changes and
    # TestLambdaAliases::test_lambda_alias_moving
    name = bare_function(Handler="handler.handler", Code={"ZipFile": versioned("version1")},
                         Description="No version :(")["FunctionName"]  # fmt: skip
    described = {"Description": "No version :(", "Timeout": 3, "Environment": None}
    lambda_client.publish_version(FunctionName=name, Description="First version description :)")
    alias = lambda_client.create_alias(FunctionName=name, FunctionVersion="1", Name="alias1")
    assert ran(lambda_client, name, Qualifier="alias1") == ("version1", "1")
    assert ran(lambda_client, alias["AliasArn"]) == ("version1", "1")
    updated = lambda_client.update_function_code(FunctionName=name, ZipFile=versioned("version2"))
    assert body(updated) == updating(name, **described)
    wait_updated(lambda_client, name)
    assert ran(lambda_client, name) == ("version2", "$LATEST")
    assert ran(lambda_client, name, Qualifier="1") == ("version1", "1")
    assert ran(lambda_client, name, Qualifier="alias1") == ("version1", "1")
    second = lambda_client.publish_version(FunctionName=name, Description="Second version description :)")
    assert second["Version"] == "2"
    assert ran(lambda_client, name, Qualifier="alias1") == ("version1", "1")
    moved = lambda_client.update_alias(FunctionName=name, Name="alias1", FunctionVersion="2")
    assert moved["FunctionVersion"] == "2" and moved["RevisionId"] != alias["RevisionId"]
    assert ran(lambda_client, name, Qualifier="alias1") == ("version2", "2")
    third = lambda_client.update_function_code(FunctionName=name, ZipFile=versioned("version3"), Publish=True)
    assert (third["Version"], third["State"], third["FunctionArn"]) == ("3", "Pending", function_arn(name, "3"))
    wait_updated(lambda_client, name)
    assert ran(lambda_client, name, Qualifier="3") == ("version3", "3")
    assert ran(lambda_client, name) == ("version3", "$LATEST")
    assert ran(lambda_client, name, Qualifier="2") == ("version2", "2")
    assert ran(lambda_client, name, Qualifier="1") == ("version1", "1")
    assert refused(lambda_client.invoke, FunctionName=name, Qualifier="non-existent-alias") == not_found(
        f"Function not found: {function_arn(name, 'non-existent-alias')}"
    )
