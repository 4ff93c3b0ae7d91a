"""Policy statements built as AWS records them, and AddPermission's parameter checks."""

import json

import pytest

from host.core.errors import InvalidParameterValue, ValidationError
from host.core.permissions import (
    ACTION_PATTERN,
    INVALID_PRINCIPAL,
    PRINCIPAL_ORG_ID_PATTERN,
    STATEMENT_ID_PATTERN,
    check_add,
    check_statement_id,
    document,
    statement,
    to_json,
)

ACCOUNT = "111111111111"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn"


def add(**params):
    return {"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com", **params}


def test_a_service_principal_with_a_source_arn_is_aws_recorded_statement():
    """AWS: test_add_lambda_permission_aws, key for key and in order."""
    made = statement(add(SourceArn="arn:aws:s3:::test-bucket"), FN)
    assert list(made) == ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]
    assert made == {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FN,
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::test-bucket"}},
    }


def test_every_optional_field_lands_in_the_conditions_in_aws_order():
    """AWS: add_permission_optional_fields of test_add_lambda_permission_fields."""
    made = statement(
        add(
            StatementId="urlPermission",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            SourceArn="arn:aws:s3:::test-bucket",
            SourceAccount=ACCOUNT,
            PrincipalOrgID="o-1234567890",
            FunctionUrlAuthType="NONE",
        ),
        FN,
    )
    assert made["Principal"] == "*"
    assert list(made["Condition"]) == ["StringEquals", "ArnLike"]
    assert list(made["Condition"]["StringEquals"].items()) == [
        ("AWS:SourceAccount", ACCOUNT),
        ("lambda:FunctionUrlAuthType", "NONE"),
        ("aws:PrincipalOrgID", "o-1234567890"),
    ]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("*", "*"),
        ("lambda.amazonaws.com", {"Service": "lambda.amazonaws.com"}),
        (ACCOUNT, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        (f"arn:aws:iam::{ACCOUNT}:user/me", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/me"}),
        ("alexa-appkit.amazon.com", {"Service": "alexa-appkit.amazon.com"}),
    ],
)
def test_each_kind_of_principal_is_shown_as_aws_shows_it(given, shown):
    assert statement(add(Principal=given), FN)["Principal"] == shown


def test_a_principal_of_no_known_kind_is_refused():
    """AWS: add_permission_principal_invalid."""
    with pytest.raises(InvalidParameterValue) as caught:
        statement(add(Principal="invalid.nonaws.com"), FN)
    assert caught.value.message == INVALID_PRINCIPAL


def test_an_event_source_token_and_no_source_make_a_string_condition_alone():
    """AWS: add_permission_alexa_skill."""
    made = statement(add(Principal="*", EventSourceToken="amzn1.ask.skill.x-y"), FN)
    assert made["Condition"] == {"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.x-y"}}


def test_a_statement_without_conditions_has_no_condition_key():
    assert "Condition" not in statement(add(), FN)


def test_invoked_via_function_url_is_a_bool_condition():
    made = statement(add(Principal="*", InvokedViaFunctionUrl=True), FN)
    assert made["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}


def test_statement_and_policy_are_compact_json():
    made = statement(add(), FN)
    assert to_json(made) == (
        '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
        f'"Action":"lambda:InvokeFunction","Resource":"{FN}"}}'
    )
    policy = json.loads(to_json(document((made,))))
    assert policy == {"Version": "2012-10-17", "Id": "default", "Statement": [made]}
    assert list(policy) == ["Version", "Id", "Statement"]


def test_a_statement_id_outside_its_pattern_is_a_validation_error():
    """AWS: add_permission_invalid_statement_id."""
    with pytest.raises(ValidationError) as caught:
        check_add(add(StatementId="example.com"))
    assert caught.value.message == (
        "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {STATEMENT_ID_PATTERN}"
    )
    assert STATEMENT_ID_PATTERN == "([a-zA-Z0-9-_]+)"


def test_missing_and_malformed_members_are_reported_together():
    with pytest.raises(ValidationError) as caught:
        check_add({"StatementId": "s", "Action": "iam:Pass", "PrincipalOrgID": "org", "FunctionUrlAuthType": "ANY"})
    assert caught.value.message == (
        "5 validation errors detected: "
        "Value 'iam:Pass' at 'action' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {ACTION_PATTERN}; "
        "Value null at 'principal' failed to satisfy constraint: Member must not be null; "
        "Value 'ANY' at 'functionUrlAuthType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [AWS_IAM, NONE]; "
        "Value 'org' at 'principalOrgID' failed to satisfy constraint: "
        "Member must have length greater than or equal to 12; "
        "Value 'org' at 'principalOrgID' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PRINCIPAL_ORG_ID_PATTERN}"
    )


def test_valid_parameters_pass():
    check_add(add(SourceAccount=ACCOUNT, SourceArn="arn:aws:s3:::b", FunctionUrlAuthType="AWS_IAM"))
    check_add(add(Action="lambda:*", Principal="*", EventSourceToken="amzn1.ask.skill.x-y"))


def test_remove_permission_allows_a_dot_in_the_statement_id_but_not_other_characters():
    check_statement_id("example.com")
    with pytest.raises(ValidationError, match="Value 'a b' at 'statementId' failed to satisfy constraint"):
        check_statement_id("a b")
    with pytest.raises(ValidationError, match="Member must have length less than or equal to 100"):
        check_statement_id("a" * 101)
