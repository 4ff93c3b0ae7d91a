"""PublishVersion, ListVersionsByFunction and the versions' side effects against AWS's recordings."""

from host.testing.plugin import make_zip

from .conftest import VERSION, create_waited, wait_updated
from .expect import (
    body,
    configuration,
    creating,
    function_arn,
    invalid,
    precondition,
    refused,
    same,
    status,
    updating,
)

BARE = {"Handler": "index.handler", "Timeout": 3, "Environment": None}
UNLISTED = {"State": None, "LastUpdateStatus": None, "RuntimeVersionConfig": None}


def version(name: str, number: str, **changes) -> dict:
    return configuration(name, FunctionArn=function_arn(name, number), Version=number, **{**BARE, **changes})


def listed(name: str, number: str, **changes) -> dict:
    return version(name, number, **{**UNLISTED, **changes})


def test_publish_on_create_makes_version_1_and_a_repeat_publishes_nothing(lambda_client, bare_function):
    # snapshot: TestLambdaVersions::test_publish_version_on_create
    created = bare_function(wait=False, Publish=True)
    name = created["FunctionName"]
    assert body(created) == creating(name, Version="1", **BARE)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    latest = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert latest == configuration(name, **BARE)
    one = lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert one == version(name, "1")
    assert one["RevisionId"] != latest["RevisionId"]
    qualified = lambda_client.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]
    assert qualified == configuration(name, FunctionArn=function_arn(name, "$LATEST"), **BARE)
    assert qualified["RevisionId"] == latest["RevisionId"]
    versions = body(lambda_client.list_versions_by_function(FunctionName=name))
    expected = {"Versions": [listed(name, "$LATEST"), listed(name, "1")]}
    assert same(versions, expected)
    again = lambda_client.publish_version(FunctionName=name, Description="Repeated version description :)")
    assert status(again) == 201
    assert body(again) == version(name, "1", RevisionId=one["RevisionId"])  # version 1 as it was
    assert same(body(lambda_client.list_versions_by_function(FunctionName=name)), expected)


def test_versions_keep_what_was_published_and_identical_publishes_return_the_newest(lambda_client, bare_function):
    # snapshot: TestLambdaVersions::test_version_lifecycle
    created = bare_function(wait=False, Description="No version :(")
    name = created["FunctionName"]
    assert body(created) == creating(name, Description="No version :(", **BARE)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    assert body(lambda_client.list_versions_by_function(FunctionName=name)) == {
        "Versions": [listed(name, "$LATEST", Description="No version :(")]
    }
    first = "First version :)"
    assert body(lambda_client.update_function_configuration(FunctionName=name, Description=first)) == updating(
        name, Description=first, **BARE
    )
    wait_updated(lambda_client, name)
    published = lambda_client.publish_version(FunctionName=name, Description="First version description :)")
    one = version(name, "1", Description="First version description :)")
    assert body(published) == one
    assert lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"] == one
    assert body(lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")) == one
    second = "Second version :))"
    lambda_client.update_function_configuration(FunctionName=name, Description=second)
    wait_updated(lambda_client, name)
    after = lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert after == one and after["RevisionId"] == published["RevisionId"]
    two = lambda_client.publish_version(FunctionName=name)
    assert body(two) == version(name, "2", Description=second)
    three = lambda_client.publish_version(FunctionName=name, Description="Third version description :)))")
    assert body(three) == body(two)  # nothing changed: version 2, its description kept
    versions = body(lambda_client.list_versions_by_function(FunctionName=name))["Versions"]
    assert same(
        versions,
        [
            listed(name, "$LATEST", Description=second),
            listed(name, "1", Description="First version description :)"),
            listed(name, "2", Description=second),
        ],
    )
    lambda_client.delete_function(FunctionName=f"{name}:1")
    versions = body(lambda_client.list_versions_by_function(FunctionName=name))["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "2"]


def test_publish_checks_code_sha256_and_revision_id(lambda_client, bare_function):
    # snapshot: TestLambdaVersions::test_publish_with_wrong_sha256 and ::test_publish_with_wrong_revisionid
    name = bare_function()["FunctionName"]
    sha = lambda_client.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
    assert refused(lambda_client.publish_version, FunctionName=name, CodeSha256="somenonexistentsha256") == invalid(
        f"CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST ({sha}). "
        "Please try again with the CodeSHA256 in $LATEST."
    )
    assert refused(lambda_client.publish_version, FunctionName=name, RevisionId="wrong") == precondition(
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
        "retrieve the latest Revision Id"
    )
    assert body(lambda_client.publish_version(FunctionName=name, CodeSha256=sha)) == version(name, "1")


def test_update_code_with_publish_answers_with_the_pending_version(settling):
    # snapshot: TestLambdaVersions::test_publish_with_update
    lambda_client = settling
    name = create_waited(lambda_client, Handler="index.handler", Timeout=None, Environment=None)["FunctionName"]
    before = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert before == configuration(name, **BARE)
    package = make_zip(VERSION)
    pending = {
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "LastUpdateStatus": None,
    }
    updated = lambda_client.update_function_code(FunctionName=name, ZipFile=package, Publish=True)
    assert body(updated) == version(name, "1", **pending)
    assert updated["CodeSha256"] != before["CodeSha256"]
    shown = lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]
    assert shown == version(name, "1", **pending) and shown["RevisionId"] == updated["RevisionId"]
    latest = lambda_client.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]
    assert latest == updating(name, FunctionArn=function_arn(name, "$LATEST"), **BARE)
    assert latest["CodeSha256"] == updated["CodeSha256"]
    assert latest["RevisionId"] not in (before["RevisionId"], updated["RevisionId"])  # uuid:4
    wait_updated(lambda_client, name)
    assert lambda_client.get_function(FunctionName=name, Qualifier="1")["Configuration"]["State"] == "Active"
