"""AddPermission, GetPolicy and RemovePermission against AWS's recordings."""

import json

from .expect import (
    ACCOUNT,
    UUID,
    conflict,
    function_arn,
    invalid,
    not_found,
    precondition,
    problem,
    refused,
    status,
    validation,
)

BUCKET = "arn:aws:s3:::test-bucket"
S3 = {"Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com", "SourceArn": BUCKET}
QUALIFIER_PATTERN = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
NO_RESOURCE = "The resource you requested does not exist."
STALE = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest "
    "Revision Id"
)


def statement(sid: str, resource: str, principal="s3.amazonaws.com", action="lambda:InvokeFunction", **condition):
    shown = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": principal} if isinstance(principal, str) and "." in principal else principal,
        "Action": action,
        "Resource": resource,
    }
    if condition:
        shown["Condition"] = condition
    return shown


def from_bucket(sid: str, resource: str) -> dict:
    return statement(sid, resource, ArnLike={"AWS:SourceArn": BUCKET})


def policy(lambda_client, name: str, **params) -> tuple[list, str]:
    shown = lambda_client.get_policy(FunctionName=name, **params)
    document = json.loads(shown["Policy"])
    assert {k: v for k, v in document.items() if k != "Statement"} == {"Version": "2012-10-17", "Id": "default"}
    return document["Statement"], shown["RevisionId"]


def test_permission_errors(lambda_client, function):
    # snapshot: TestLambdaPermissions::test_permission_exceptions
    name = function()["FunctionName"]
    add = lambda_client.add_permission
    assert refused(add, FunctionName=name, StatementId="example.com", **S3) == validation(
        problem("example.com", "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")
    )
    assert refused(add, FunctionName=f"{name}:alias-not-42", StatementId="s3", Qualifier="42", **S3) == invalid(
        "The derived qualifier from the function name does not match the specified qualifier."
    )
    assert refused(add, FunctionName=f"{name}:$LATEST", StatementId="s3", Qualifier="$LATEST", **S3) == invalid(
        "We currently do not support adding policies for $LATEST."
    )
    assert refused(
        add, FunctionName=name, StatementId="lambda", Action="lambda:InvokeFunction",
        Principal="invalid.nonaws.com", SourceAccount=ACCOUNT,
    ) == invalid("The provided principal was invalid. Please check the principal and try again.")  # fmt: skip
    assert refused(lambda_client.get_policy, FunctionName="doesnotexist") == not_found(NO_RESOURCE)
    assert refused(lambda_client.get_policy, FunctionName=name, Qualifier="77") == not_found(NO_RESOURCE)
    assert refused(add, FunctionName="doesnotexist", StatementId="s3", **S3) == not_found(
        f"Function not found: {function_arn('doesnotexist')}"
    )
    assert refused(lambda_client.remove_permission, FunctionName=name, StatementId="s3") == not_found(
        "No policy is associated with the given resource."
    )
    no_alias = not_found(f"Cannot find alias arn: {function_arn(name, 'alias-doesnotexist')}")
    assert refused(add, FunctionName=f"{name}:alias-doesnotexist", StatementId="s3", **S3) == no_alias
    assert refused(add, FunctionName=name, StatementId="s3", Qualifier="42", **S3) == not_found(
        f"Function not found: {function_arn(name, '42')}"
    )
    bad = "invalid-qualifier-with-?-char"
    assert refused(add, FunctionName=name, StatementId="s3", Qualifier=bad, **S3) == validation(
        problem(
            bad,
            "qualifier",
            r"Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
        )
    )
    odd = "valid-with-$-but-doesnotexist"
    assert refused(add, FunctionName=name, StatementId="s3", Qualifier=odd, **S3) == not_found(
        f"Function not found: {function_arn(name, odd)}"
    )
    add(FunctionName=name, StatementId="s3", **S3)
    assert refused(add, FunctionName=name, StatementId="s3", **S3) == conflict(
        "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing "
        "statement."
    )
    assert refused(lambda_client.remove_permission, FunctionName="doesnotexist", StatementId="s3") == not_found(
        f"No policy found for: {function_arn('doesnotexist')}"
    )
    assert (
        refused(lambda_client.remove_permission, FunctionName=name, StatementId="s3", Qualifier="alias-doesnotexist")
        == no_alias
    )


def test_a_permission_is_added_and_read(lambda_client, function):
    # snapshot: TestLambdaPermissions::test_add_lambda_permission_aws
    name = function()["FunctionName"]
    added = lambda_client.add_permission(FunctionName=name, StatementId="s3", **S3)
    assert status(added) == 201
    assert json.loads(added["Statement"]) == from_bucket("s3", function_arn(name))
    statements, revision = policy(lambda_client, name)
    assert statements == [from_bucket("s3", function_arn(name))] and revision == UUID


def test_versions_and_aliases_have_policies_of_their_own(lambda_client, function):
    # snapshot: TestLambdaPermissions::test_lambda_permission_fn_versioning
    name = function()["FunctionName"]
    lambda_client.add_permission(FunctionName=name, StatementId="s3", **S3)
    statements, first = policy(lambda_client, name)
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.get_waiter("published_version_active").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    assert policy(lambda_client, name) == (statements, first)  # publishing leaves the policy (uuid:1) alone
    assert refused(lambda_client.get_policy, FunctionName=name, Qualifier=version) == not_found(NO_RESOURCE)
    lambda_client.add_permission(FunctionName=f"{name}:{version}", StatementId="s3", Qualifier=version, **S3)
    assert policy(lambda_client, name, Qualifier=version)[0] == [from_bucket("s3", function_arn(name, version))]
    alias = lambda_client.create_alias(FunctionName=name, Name="permission-alias", FunctionVersion=version)
    assert lambda_client.get_alias(FunctionName=name, Name="permission-alias")["RevisionId"] == alias["RevisionId"]
    assert refused(
        lambda_client.add_permission, FunctionName=name, StatementId="s3", Qualifier="permission-alias",
        RevisionId="wrong", **S3,
    ) == precondition(STALE)  # fmt: skip
    lambda_client.add_permission(
        FunctionName=f"{name}:permission-alias", StatementId="s3", Qualifier="permission-alias",
        RevisionId=alias["RevisionId"], **S3,
    )  # fmt: skip
    shown = policy(lambda_client, name, Qualifier="permission-alias")[0]
    assert shown == [from_bucket("s3", function_arn(name, "permission-alias"))]
    assert policy(lambda_client, name) == (statements, first)
    lambda_client.add_permission(FunctionName=name, StatementId="s3_2", RevisionId=first, **S3)
    assert policy(lambda_client, name)[0] == [
        from_bucket("s3", function_arn(name)),
        from_bucket("s3_2", function_arn(name)),
    ]


def test_principals_and_conditions_as_aws_writes_them(lambda_client, function):
    # snapshot: TestLambdaPermissions::test_add_lambda_permission_fields
    name = function()["FunctionName"]
    arn = function_arn(name)
    add = lambda_client.add_permission
    account = {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}
    invoke = {"Action": "lambda:InvokeFunction"}
    user = f"arn:aws:iam::{ACCOUNT}:user/someone"
    cases = [
        (dict(StatementId="wilcard", Principal="*", SourceAccount=ACCOUNT, **invoke),
         statement("wilcard", arn, "*", **account)),
        (dict(StatementId="lambda", Principal="lambda.amazonaws.com", SourceAccount=ACCOUNT, **invoke),
         statement("lambda", arn, "lambda.amazonaws.com", **account)),
        (dict(StatementId="account-id", Principal=ACCOUNT, **invoke),
         statement("account-id", arn, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"})),
        (dict(StatementId="user-arn", Principal=user, SourceAccount=ACCOUNT, **invoke),
         statement("user-arn", arn, {"AWS": user}, **account)),
        (dict(StatementId="urlPermission", Action="lambda:InvokeFunctionUrl", Principal="*", SourceArn=BUCKET,
              SourceAccount=ACCOUNT, PrincipalOrgID="o-1234567890", FunctionUrlAuthType="NONE"),
         statement("urlPermission", arn, "*", "lambda:InvokeFunctionUrl",
                   StringEquals={"AWS:SourceAccount": ACCOUNT, "lambda:FunctionUrlAuthType": "NONE",
                                 "aws:PrincipalOrgID": "o-1234567890"},
                   ArnLike={"AWS:SourceArn": BUCKET})),
        (dict(StatementId="alexaSkill", Principal="*",
              EventSourceToken="amzn1.ask.skill.xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", **invoke),
         statement("alexaSkill", arn, "*",
                   StringEquals={"lambda:EventSourceToken": "amzn1.ask.skill.xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"})),
    ]  # fmt: skip
    for params, expected in cases:
        shown = add(FunctionName=name, **params)
        assert status(shown) == 201
        written = json.loads(shown["Statement"])
        assert written == expected and list(written) == list(expected)  # AWS's key order too


def test_removing_statements_one_by_one_until_the_policy_is_gone(lambda_client, function):
    # snapshot: TestLambdaPermissions::test_remove_multi_permissions
    name = function()["FunctionName"]
    arn = function_arn(name)
    first = lambda_client.add_permission(
        FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    assert json.loads(first["Statement"]) == statement("s3", arn)
    second = lambda_client.add_permission(
        FunctionName=name, StatementId="sqs", Action="lambda:InvokeFunction", Principal="sqs.amazonaws.com",
        SourceArn=BUCKET,
    )  # fmt: skip
    sqs = statement("sqs", arn, "sqs.amazonaws.com", ArnLike={"AWS:SourceArn": BUCKET})
    assert json.loads(second["Statement"]) == sqs
    assert policy(lambda_client, name)[0] == [statement("s3", arn), sqs]
    assert refused(lambda_client.remove_permission, FunctionName=name, StatementId="non-existent") == not_found(
        "Statement non-existent is not found in resource policy."
    )
    lambda_client.remove_permission(FunctionName=name, StatementId="sqs")
    statements, revision = policy(lambda_client, name)
    assert statements == [statement("s3", arn)]
    assert policy(lambda_client, name) == (statements, revision)
    lambda_client.remove_permission(FunctionName=name, StatementId="s3", RevisionId=revision)
    assert refused(lambda_client.get_policy, FunctionName=name) == not_found(NO_RESOURCE)


def test_statements_are_kept_in_the_order_added(lambda_client, function):
    # snapshot: TestLambdaPermissions::test_create_multiple_lambda_permissions
    name = function()["FunctionName"]
    arn = function_arn(name)
    for sid, principal in (("logs", "logs.amazonaws.com"), ("kinesis", "kinesis.amazonaws.com")):
        added = lambda_client.add_permission(
            FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction", Principal=principal
        )
        assert json.loads(added["Statement"]) == statement(sid, arn, principal)
    assert policy(lambda_client, name)[0] == [
        statement("logs", arn, "logs.amazonaws.com"),
        statement("kinesis", arn, "kinesis.amazonaws.com"),
    ]
