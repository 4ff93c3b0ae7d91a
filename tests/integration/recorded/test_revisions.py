"""RevisionId: what gives $LATEST, versions and aliases a new one, as AWS recorded it."""

from host.testing.plugin import make_zip

from .conftest import ECHO, wait_updated
from .expect import precondition, refused

STALE = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve "
    "the latest Revision Id"
)


def revision(lambda_client, name, qualifier=None) -> str:
    params = {"Qualifier": qualifier} if qualifier else {}
    return lambda_client.get_function(FunctionName=name, **params)["Configuration"]["RevisionId"]


def test_create_activation_updates_and_their_completion_each_revise(lambda_client, function):
    # snapshot: TestLambdaRevisions::test_function_revisions_basic
    package = make_zip({"index.py": ECHO["handler.py"]})
    created = function(Code={"ZipFile": package}, Handler="index.handler")
    name = created["FunctionName"]
    rev2 = revision(lambda_client, name)
    assert rev2 != created["RevisionId"]  # Pending -> Active revises
    update_code = lambda_client.update_function_code
    assert refused(update_code, FunctionName=name, ZipFile=package, RevisionId="wrong") == precondition(STALE)
    rev3 = update_code(FunctionName=name, ZipFile=package, RevisionId=rev2)["RevisionId"]
    assert rev3 != rev2
    wait_updated(lambda_client, name)
    rev4 = revision(lambda_client, name)
    assert rev4 != rev3  # InProgress -> Successful revises
    update = lambda_client.update_function_configuration
    assert refused(update, FunctionName=name, Runtime="python3.8", RevisionId="wrong") == precondition(STALE)
    rev5 = update(FunctionName=name, Runtime="python3.8", RevisionId=rev4)["RevisionId"]
    assert rev5 != rev4
    wait_updated(lambda_client, name)
    assert revision(lambda_client, name) not in (rev4, rev5)


def test_publishing_revises_latest_and_aliases_revise_only_themselves(lambda_client, function):
    # snapshot: TestLambdaRevisions::test_function_revisions_version_and_alias
    created = function()
    name = created["FunctionName"]
    rev2 = revision(lambda_client, name)
    assert rev2 != created["RevisionId"]
    publish = lambda_client.publish_version
    assert refused(publish, FunctionName=name, RevisionId="wrong") == precondition(STALE)
    published = publish(FunctionName=name, RevisionId=rev2)
    assert published["RevisionId"] != rev2
    lambda_client.get_waiter("published_version_active").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    assert revision(lambda_client, name, "1") == published["RevisionId"]  # becoming Active does not revise
    rev3 = revision(lambda_client, name)
    assert rev3 != rev2  # publishing revises $LATEST
    alias = lambda_client.create_alias(FunctionName=name, Name="revision_alias", FunctionVersion="1")
    assert alias["RevisionId"] != published["RevisionId"]
    assert revision(lambda_client, name) == rev3
    assert revision(lambda_client, name, "1") == published["RevisionId"]
    assert refused(
        lambda_client.update_alias, FunctionName=name, Name="revision_alias", RevisionId="wrong"
    ) == precondition(STALE)
    updated = lambda_client.update_alias(
        FunctionName=name, Name="revision_alias", Description="something changed", RevisionId=alias["RevisionId"]
    )
    assert updated["RevisionId"] != alias["RevisionId"] and updated["Description"] == "something changed"


def test_a_stale_revision_on_add_permission_names_get_policy(lambda_client, function):
    # snapshot: TestLambdaRevisions::test_function_revisions_permissions (the one case recorded)
    name = function()["FunctionName"]
    assert refused(
        lambda_client.add_permission, FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", RevisionId="wrong",
    ) == precondition(
        "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the "
        "latest Revision Id"
    )  # fmt: skip
