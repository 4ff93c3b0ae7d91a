"""AddPermission, GetPolicy and RemovePermission through the service, with AWS's recorded answers
(LocalStack's AWS-validated snapshots of TestLambdaPermissions)."""

import pytest

from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
)
from host.core.model import LATEST
from host.service.permissions import NO_POLICY, NO_RESOURCE, REVISION_MISMATCH, PermissionService
from tests.unit.service.test_versions import ARN, Catalog, build, create_params, raises

ACCOUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function"
S3 = {"Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::test-bucket"}


@pytest.fixture
def built(tmp_path):
    functions, versions, _ = build(tmp_path, Catalog())
    functions.create(create_params())
    yield functions, versions, PermissionService(functions)
    functions.close()


@pytest.fixture
def functions(built):
    return built[0]


@pytest.fixture
def versions(built):
    return built[1]


@pytest.fixture
def permissions(built) -> PermissionService:
    return built[2]


def sids(policy) -> list[str]:
    return [s["Sid"] for s in policy.statements]


# -- the life of a policy -------------------------------------------------------------------------


def test_an_added_statement_is_returned_and_shown_in_the_policy(permissions):
    added = permissions.add("my-fn", None, {"StatementId": "s3", **S3})
    assert added["Resource"] == ARN
    policy = permissions.get("my-fn", None)
    assert policy.statements == (added,)
    assert permissions.get(ARN, LATEST) == policy


def test_statements_keep_the_order_they_were_added_in(permissions):
    permissions.add(
        "my-fn", None, {"StatementId": "logs", "Action": "lambda:InvokeFunction", "Principal": "logs.amazonaws.com"}
    )
    permissions.add(
        "my-fn",
        None,
        {"StatementId": "kinesis", "Action": "lambda:InvokeFunction", "Principal": "kinesis.amazonaws.com"},
    )
    assert sids(permissions.get("my-fn", None)) == ["logs", "kinesis"]


def test_removing_statements_changes_the_revision_and_the_last_one_takes_the_policy(permissions):
    """AWS: test_remove_multi_permissions."""
    permissions.add(
        "my-fn", None, {"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}
    )
    permissions.add("my-fn", None, {"StatementId": "sqs", **S3, "Principal": "sqs.amazonaws.com"})
    two = permissions.get("my-fn", None)
    with raises(ResourceNotFound, "Statement non-existent is not found in resource policy."):
        permissions.remove("my-fn", "non-existent", None, None)
    permissions.remove("my-fn", "sqs", None, None)
    one = permissions.get("my-fn", None)
    assert sids(one) == ["s3"]
    assert one.revision_id != two.revision_id
    assert permissions.get("my-fn", None) == one  # reading changes nothing
    permissions.remove("my-fn", "s3", None, one.revision_id)
    with raises(ResourceNotFound, NO_RESOURCE):
        permissions.get("my-fn", None)


def test_each_version_and_alias_has_a_policy_of_its_own(functions, versions, permissions):
    """AWS: test_lambda_permission_fn_versioning."""
    permissions.add("my-fn", None, {"StatementId": "s3", **S3})
    function_policy = permissions.get("my-fn", None)
    versions.publish("my-fn", {})
    assert permissions.get("my-fn", None) == function_policy  # publishing copies nothing and changes nothing
    with raises(ResourceNotFound, NO_RESOURCE):
        permissions.get("my-fn", "1")
    on_version = permissions.add("my-fn:1", "1", {"StatementId": "s3", **S3})
    assert on_version["Resource"] == f"{ARN}:1"
    alias = versions.create_alias("my-fn", {"Name": "permission-alias", "FunctionVersion": "1"})
    with raises(PreconditionFailed, REVISION_MISMATCH):
        permissions.add("my-fn", "permission-alias", {"StatementId": "s3", **S3, "RevisionId": "wrong"})
    on_alias = permissions.add(
        "my-fn:permission-alias", "permission-alias", {"StatementId": "s3", **S3, "RevisionId": alias.revision_id}
    )
    assert on_alias["Resource"] == f"{ARN}:permission-alias"
    assert permissions.get("my-fn", "permission-alias").revision_id != alias.revision_id
    assert permissions.get("my-fn", None) == function_policy
    permissions.add("my-fn", None, {"StatementId": "s3_2", **S3, "RevisionId": function_policy.revision_id})
    assert sids(permissions.get("my-fn", None)) == ["s3", "s3_2"]


def test_the_policy_goes_with_its_alias_version_and_function(functions, versions, permissions):
    versions.publish("my-fn", {})
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    for qualifier in (None, "1", "live"):
        permissions.add("my-fn", qualifier, {"StatementId": "s3", **S3})
    versions.delete_alias("my-fn", "live")
    with raises(ResourceNotFound, NO_RESOURCE):
        permissions.get("my-fn", "live")
    versions.create_alias("my-fn", {"Name": "live", "FunctionVersion": "1"})
    with raises(ResourceNotFound, NO_RESOURCE):
        permissions.get("my-fn", "live")  # a new alias of the same name starts without one
    functions.delete("my-fn")
    functions.create(create_params())
    with raises(ResourceNotFound, NO_RESOURCE):
        permissions.get("my-fn", None)


# -- revisions ------------------------------------------------------------------------------------


def test_before_a_policy_exists_the_revision_checked_is_the_functions(functions, permissions):
    with raises(PreconditionFailed, REVISION_MISMATCH):
        permissions.add("my-fn", None, {"StatementId": "s3", **S3, "RevisionId": "wrong"})
    revision = functions.store.get("my-fn").revision_id
    permissions.add("my-fn", None, {"StatementId": "s3", **S3, "RevisionId": revision})
    shared = functions.store.get("my-fn").revision_id  # AWS (test_function_revisions_permissions):
    assert shared != revision and shared == permissions.get("my-fn", None).revision_id  # function = policy
    with raises(PreconditionFailed, REVISION_MISMATCH):
        permissions.add("my-fn", None, {"StatementId": "s4", **S3, "RevisionId": revision})
    permissions.remove("my-fn", "s3", None, shared)
    assert functions.store.get("my-fn").revision_id not in (revision, shared)


def test_removing_checks_the_policy_revision(permissions):
    permissions.add("my-fn", None, {"StatementId": "s3", **S3})
    with raises(PreconditionFailed, REVISION_MISMATCH):
        permissions.remove("my-fn", "s3", None, "wrong")
    assert sids(permissions.get("my-fn", None)) == ["s3"]


# -- AWS's errors (test_permission_exceptions) ----------------------------------------------------


def test_add_permission_errors_are_aws_recorded_ones(versions, permissions):
    with pytest.raises(ValidationError, match=r"Value 'example\.com' at 'statementId'"):
        permissions.add("my-fn", None, {"StatementId": "example.com", **S3})
    with raises(
        InvalidParameterValue, "The derived qualifier from the function name does not match the specified qualifier."
    ):
        permissions.add("my-fn:alias-not-42", "42", {"StatementId": "s3", **S3})
    with raises(InvalidParameterValue, "We currently do not support adding policies for $LATEST."):
        permissions.add("my-fn:$LATEST", "$LATEST", {"StatementId": "s3", **S3})
    with raises(InvalidParameterValue, "The provided principal was invalid. Please check the principal and try again."):
        permissions.add(
            "my-fn",
            None,
            {"StatementId": "lambda", "Action": "lambda:InvokeFunction", "Principal": "invalid.nonaws.com"},
        )
    with raises(ResourceNotFound, f"Function not found: {ACCOUNT_ARN}:doesnotexist"):
        permissions.add("doesnotexist", None, {"StatementId": "s3", **S3})
    with raises(ResourceNotFound, f"Cannot find alias arn: {ARN}:alias-doesnotexist"):
        permissions.add("my-fn:alias-doesnotexist", None, {"StatementId": "s3", **S3})
    with raises(ResourceNotFound, f"Function not found: {ARN}:42"):
        permissions.add("my-fn", "42", {"StatementId": "s3", **S3})
    with pytest.raises(ValidationError, match="Value 'invalid-qualifier-with-\\?-char' at 'qualifier'"):
        permissions.add("my-fn", "invalid-qualifier-with-?-char", {"StatementId": "s3", **S3})
    with raises(ResourceNotFound, f"Function not found: {ARN}:valid-with-$-but-doesnotexist"):
        permissions.add("my-fn", "valid-with-$-but-doesnotexist", {"StatementId": "s3", **S3})
    permissions.add("my-fn", None, {"StatementId": "s3", **S3})
    with raises(
        ResourceConflict,
        "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing "
        "statement.",
    ):
        permissions.add("my-fn", None, {"StatementId": "s3", **S3})


def test_get_policy_says_only_that_the_resource_does_not_exist(versions, permissions):
    for value, qualifier in (("doesnotexist", None), ("my-fn", "77"), ("my-fn", "live"), ("my-fn", None)):
        with raises(ResourceNotFound, NO_RESOURCE):
            permissions.get(value, qualifier)


def test_remove_permission_errors_are_aws_recorded_ones(versions, permissions):
    with raises(ResourceNotFound, NO_POLICY):
        permissions.remove("my-fn", "s3", None, None)
    permissions.add("my-fn", None, {"StatementId": "s3", **S3})
    with raises(ResourceNotFound, f"No policy found for: {ACCOUNT_ARN}:doesnotexist"):
        permissions.remove("doesnotexist", "s3", None, None)
    with raises(ResourceNotFound, f"Cannot find alias arn: {ARN}:alias-doesnotexist"):
        permissions.remove("my-fn", "s3", "alias-doesnotexist", None)
    with raises(ResourceNotFound, f"Function not found: {ARN}:9"):
        permissions.remove("my-fn", "s3", "9", None)
    versions.publish("my-fn", {})
    with raises(ResourceNotFound, NO_POLICY):
        permissions.remove("my-fn", "s3", "1", None)
    permissions.remove("my-fn", "s3", LATEST, None)  # $LATEST is the function's own policy
    with raises(ResourceNotFound, NO_RESOURCE):
        permissions.get("my-fn", None)
