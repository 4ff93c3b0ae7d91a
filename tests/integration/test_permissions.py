"""AddPermission, GetPolicy and RemovePermission through boto3, answered with AWS's recorded shapes and errors."""

import contextlib
import json
import urllib.request
import uuid
from functools import partial

import pytest
from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip

ACCOUNT = "123456789012"
ACCOUNT_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function"
HANDLER = "def handler(event, context):\n    return 'hello'\n"
S3 = {
    "Action": "lambda:InvokeFunction",
    "Principal": "s3.amazonaws.com",
    "SourceArn": "arn:aws:s3:::test-bucket",
}
NO_RESOURCE = "The resource you requested does not exist."


@pytest.fixture
def function(lambda_client):
    """A fresh Active function; deleted afterwards with everything it holds."""
    names = []

    def create(client=None) -> str:
        client = client or lambda_client
        name = f"perm-{uuid.uuid4().hex[:8]}"
        client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
        )  # fmt: skip
        names.append((client, name))
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        return name

    yield create
    for client, name in names:
        with contextlib.suppress(ClientError):
            client.delete_function(FunctionName=name)


def error_of(call) -> dict:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def summary(error: dict) -> tuple[int, str, str]:
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def test_a_permission_is_added_read_and_removed_in_aws_shapes(lambda_client, function):
    """AWS: test_add_lambda_permission_aws and test_remove_multi_permissions."""
    name = function()
    added = lambda_client.add_permission(FunctionName=name, StatementId="s3", **S3)
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    expected = {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": f"{ACCOUNT_ARN}:{name}",
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::test-bucket"}},
    }
    assert added["Statement"] == json.dumps(expected, separators=(",", ":"))
    policy = lambda_client.get_policy(FunctionName=name)
    assert json.loads(policy["Policy"]) == {"Version": "2012-10-17", "Id": "default", "Statement": [expected]}
    assert policy["Policy"].startswith('{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"s3"')
    lambda_client.add_permission(FunctionName=name, StatementId="sqs", **S3 | {"Principal": "sqs.amazonaws.com"})
    two = lambda_client.get_policy(FunctionName=name)
    assert [s["Sid"] for s in json.loads(two["Policy"])["Statement"]] == ["s3", "sqs"]
    assert two["RevisionId"] != policy["RevisionId"]

    error = error_of(lambda: lambda_client.remove_permission(FunctionName=name, StatementId="non-existent"))
    assert summary(error) == (
        404,
        "ResourceNotFoundException",
        "Statement non-existent is not found in resource policy.",
    )
    assert error["Message"] == "Statement non-existent is not found in resource policy." and error["Type"] == "User"
    removed = lambda_client.remove_permission(FunctionName=name, StatementId="sqs")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    one = lambda_client.get_policy(FunctionName=name)
    assert [s["Sid"] for s in json.loads(one["Policy"])["Statement"]] == ["s3"]
    lambda_client.remove_permission(FunctionName=name, StatementId="s3", RevisionId=one["RevisionId"])
    error = error_of(lambda: lambda_client.get_policy(FunctionName=name))
    assert summary(error) == (404, "ResourceNotFoundException", NO_RESOURCE)


def test_a_function_url_permission_keeps_its_auth_type(lambda_client, function):
    """AWS: the add_permission of test_lambda_url_invocation, and the optional fields of
    test_add_lambda_permission_fields."""
    name = function()
    added = lambda_client.add_permission(
        FunctionName=name, StatementId="urlPermission", Action="lambda:InvokeFunctionUrl", Principal="*",
        FunctionUrlAuthType="NONE",
    )  # fmt: skip
    assert json.loads(added["Statement"]) == {
        "Sid": "urlPermission",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": f"{ACCOUNT_ARN}:{name}",
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
    }
    every = lambda_client.add_permission(
        FunctionName=name, StatementId="optional", Action="lambda:InvokeFunctionUrl", Principal="*",
        SourceArn="arn:aws:s3:::test-bucket", SourceAccount=ACCOUNT, PrincipalOrgID="o-1234567890",
        FunctionUrlAuthType="NONE",
    )  # fmt: skip
    assert json.loads(every["Statement"])["Condition"] == {
        "StringEquals": {
            "AWS:SourceAccount": ACCOUNT,
            "lambda:FunctionUrlAuthType": "NONE",
            "aws:PrincipalOrgID": "o-1234567890",
        },
        "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::test-bucket"},
    }
    account = lambda_client.add_permission(
        FunctionName=name, StatementId="account-id", Action="lambda:InvokeFunction", Principal=ACCOUNT
    )
    assert json.loads(account["Statement"])["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def test_a_url_answers_after_the_permission_aws_tests_add_first(lambda_client, function):
    """AWS's recorded URL tests call add_permission before they fetch; policies are kept, not enforced."""
    name = function()
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    lambda_client.add_permission(
        FunctionName=name, StatementId="urlPermission", Action="lambda:InvokeFunctionUrl", Principal="*",
        FunctionUrlAuthType="NONE",
    )  # fmt: skip
    with urllib.request.urlopen(url, timeout=30) as response:
        assert (response.status, response.read()) == (200, b"hello")


def test_versions_and_aliases_have_policies_of_their_own(lambda_client, function):
    """AWS: test_lambda_permission_fn_versioning."""
    name = function()
    lambda_client.add_permission(FunctionName=name, StatementId="s3", **S3)
    base = lambda_client.get_policy(FunctionName=name)
    lambda_client.publish_version(FunctionName=name)
    published = lambda_client.get_policy(FunctionName=name)
    assert (published["Policy"], published["RevisionId"]) == (base["Policy"], base["RevisionId"])
    error = error_of(lambda: lambda_client.get_policy(FunctionName=name, Qualifier="1"))
    assert summary(error) == (404, "ResourceNotFoundException", NO_RESOURCE)
    lambda_client.add_permission(FunctionName=f"{name}:1", Qualifier="1", StatementId="s3", **S3)
    on_version = json.loads(lambda_client.get_policy(FunctionName=name, Qualifier="1")["Policy"])
    assert on_version["Statement"][0]["Resource"] == f"{ACCOUNT_ARN}:{name}:1"

    alias = lambda_client.create_alias(FunctionName=name, Name="permission-alias", FunctionVersion="1")
    error = error_of(
        lambda: lambda_client.add_permission(
            FunctionName=name, Qualifier="permission-alias", StatementId="s3", RevisionId="wrong", **S3
        )
    )
    assert summary(error) == (
        412, "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the "
        "latest Revision Id",
    )  # fmt: skip
    assert error["Type"] == "User" and error["message"] == error["Error"]["Message"]
    lambda_client.add_permission(
        FunctionName=f"{name}:permission-alias", Qualifier="permission-alias", StatementId="s3",
        RevisionId=alias["RevisionId"], **S3,
    )  # fmt: skip
    on_alias = json.loads(lambda_client.get_policy(FunctionName=name, Qualifier="permission-alias")["Policy"])
    assert on_alias["Statement"][0]["Resource"] == f"{ACCOUNT_ARN}:{name}:permission-alias"
    lambda_client.add_permission(FunctionName=name, StatementId="s3_2", RevisionId=base["RevisionId"], **S3)
    after = json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in after["Statement"]] == ["s3", "s3_2"]

    lambda_client.delete_alias(FunctionName=name, Name="permission-alias")
    lambda_client.create_alias(FunctionName=name, Name="permission-alias", FunctionVersion="1")
    error = error_of(lambda: lambda_client.get_policy(FunctionName=name, Qualifier="permission-alias"))
    assert summary(error) == (404, "ResourceNotFoundException", NO_RESOURCE)  # it went with the old alias


def test_permission_errors_are_aws_recorded_ones(lambda_client, function):
    """AWS: test_permission_exceptions, in its order."""
    name = function()
    add = partial(lambda_client.add_permission, StatementId="s3", **S3)
    remove = partial(lambda_client.remove_permission, StatementId="s3")
    cases = [
        (
            partial(lambda_client.add_permission, FunctionName=name, StatementId="example.com", **S3),
            (400, "ValidationException",
             "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"),
        ),
        (
            partial(add, FunctionName=f"{name}:alias-not-42", Qualifier="42"),
            (400, "InvalidParameterValueException",
             "The derived qualifier from the function name does not match the specified qualifier."),
        ),
        (
            partial(add, FunctionName=f"{name}:$LATEST", Qualifier="$LATEST"),
            (400, "InvalidParameterValueException", "We currently do not support adding policies for $LATEST."),
        ),
        (
            partial(add, FunctionName=name, Principal="invalid.nonaws.com", SourceAccount=ACCOUNT),
            (400, "InvalidParameterValueException",
             "The provided principal was invalid. Please check the principal and try again."),
        ),
        (
            partial(lambda_client.get_policy, FunctionName="doesnotexist"),
            (404, "ResourceNotFoundException", NO_RESOURCE),
        ),
        (
            partial(lambda_client.get_policy, FunctionName=name, Qualifier="77"),
            (404, "ResourceNotFoundException", NO_RESOURCE),
        ),
        (
            partial(add, FunctionName="doesnotexist"),
            (404, "ResourceNotFoundException", f"Function not found: {ACCOUNT_ARN}:doesnotexist"),
        ),
        (
            partial(remove, FunctionName=name),
            (404, "ResourceNotFoundException", "No policy is associated with the given resource."),
        ),
        (
            partial(add, FunctionName=f"{name}:alias-doesnotexist"),
            (404, "ResourceNotFoundException", f"Cannot find alias arn: {ACCOUNT_ARN}:{name}:alias-doesnotexist"),
        ),
        (
            partial(add, FunctionName=name, Qualifier="42"),
            (404, "ResourceNotFoundException", f"Function not found: {ACCOUNT_ARN}:{name}:42"),
        ),
        (
            partial(add, FunctionName=name, Qualifier="invalid-qualifier-with-?-char"),
            (400, "ValidationException",
             "1 validation error detected: Value 'invalid-qualifier-with-?-char' at 'qualifier' failed to satisfy "
             "constraint: Member must satisfy regular expression pattern: \\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"),
        ),
        (
            partial(add, FunctionName=name, Qualifier="valid-with-$-but-doesnotexist"),
            (404, "ResourceNotFoundException",
             f"Function not found: {ACCOUNT_ARN}:{name}:valid-with-$-but-doesnotexist"),
        ),
    ]  # fmt: skip
    for call, expected in cases:
        assert summary(error_of(call)) == expected
    add(FunctionName=name)
    later = [
        (
            partial(add, FunctionName=name),
            (409, "ResourceConflictException",
             "The statement id (s3) provided already exists. Please provide a new statement id, or remove the "
             "existing statement."),
        ),
        (
            partial(remove, FunctionName="doesnotexist"),
            (404, "ResourceNotFoundException", f"No policy found for: {ACCOUNT_ARN}:doesnotexist"),
        ),
        (
            partial(remove, FunctionName=name, Qualifier="alias-doesnotexist"),
            (404, "ResourceNotFoundException", f"Cannot find alias arn: {ACCOUNT_ARN}:{name}:alias-doesnotexist"),
        ),
    ]  # fmt: skip
    for call, expected in later:
        assert summary(error_of(call)) == expected
    conflict = error_of(partial(add, FunctionName=name))
    assert conflict["Type"] == "User" and "message" in conflict and "Message" not in conflict
    missing = error_of(partial(lambda_client.get_policy, FunctionName="doesnotexist"))
    assert missing["Type"] == "User" and missing["Message"] == NO_RESOURCE


def test_policies_survive_a_restart_and_go_with_their_function(lambda_host_factory, tmp_path):
    host = lambda_host_factory(state_dir=tmp_path)
    client = client_for(host)
    code = {"ZipFile": make_zip({"app.py": HANDLER})}
    settings = {"FunctionName": "kept", "Runtime": "python3.11", "Role": DEFAULT_ROLE, "Handler": "app.handler"}
    client.create_function(**settings, Code=code)
    client.add_permission(FunctionName="kept", StatementId="s3", **S3)
    before = client.get_policy(FunctionName="kept")
    host.stop_thread()
    client = client_for(lambda_host_factory(state_dir=tmp_path))
    after = client.get_policy(FunctionName="kept")
    assert (after["Policy"], after["RevisionId"]) == (before["Policy"], before["RevisionId"])
    client.delete_function(FunctionName="kept")
    client.create_function(**settings, Code=code)  # the same name again starts without a policy
    assert summary(error_of(lambda: client.get_policy(FunctionName="kept")))[2] == NO_RESOURCE
    client.delete_function(FunctionName="kept")


def test_the_function_and_its_policy_share_a_revision_id(lambda_client, function):
    """AWS's test_function_revisions_permissions: AddPermission and RemovePermission revise the function."""
    name = function()
    active = lambda_client.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    wrong = error_of(
        lambda: lambda_client.add_permission(FunctionName=name, StatementId="s3", RevisionId="wrong", **S3)
    )
    assert wrong["Error"]["Code"] == "PreconditionFailedException"
    lambda_client.add_permission(FunctionName=name, StatementId="s3", RevisionId=active, **S3)
    policy_revision = lambda_client.get_policy(FunctionName=name)["RevisionId"]
    assert policy_revision != active
    assert lambda_client.get_function(FunctionName=name)["Configuration"]["RevisionId"] == policy_revision
    lambda_client.remove_permission(FunctionName=name, StatementId="s3", RevisionId=policy_revision)
    assert lambda_client.get_function(FunctionName=name)["Configuration"]["RevisionId"] != policy_revision
