"""Layer rules on plain data: what PublishLayerVersion and the listings accept (TestLambdaLayer's recordings)."""

import pytest

from host.core import layer_rules
from host.core.errors import InvalidParameterValue, ValidationError


def test_retired_runtimes_are_accepted_but_the_message_lists_current_ones():
    layer_rules.check_publish({"CompatibleRuntimes": ["python3.7", "go1.x", "provided"]})
    with pytest.raises(ValidationError) as caught:
        layer_rules.check_publish({"CompatibleRuntimes": ["invalidruntime"]})
    assert "python3.7" not in caught.value.message and "python3.12" in caught.value.message


def test_at_most_15_runtimes_and_2_architectures():
    with pytest.raises(ValidationError, match="less than or equal to 15"):
        layer_rules.check_publish({"CompatibleRuntimes": ["python3.12"] * 16})
    with pytest.raises(ValidationError, match="less than or equal to 2"):
        layer_rules.check_publish({"CompatibleArchitectures": ["x86_64", "arm64", "x86_64"]})


def test_filters_need_the_version_to_name_the_value():
    assert layer_rules.matches(("python3.12",), ("x86_64",), "python3.12", "x86_64")
    assert not layer_rules.matches(None, None, "python3.12", None)
    assert layer_rules.matches(None, None, None, None)
    with pytest.raises(ValidationError, match="at 'compatibleRuntime'"):
        layer_rules.check_filters("nope", None, None)


def test_versions_below_one_are_refused():
    with pytest.raises(InvalidParameterValue, match="Layer Version Cannot be less than 1"):
        layer_rules.check_version(0)


def test_a_layer_permission_statement_as_aws_writes_it():
    params = {"StatementId": "s1", "Action": "lambda:GetLayerVersion", "Principal": "123456789012",
              "OrganizationId": "o-1234567890"}  # fmt: skip
    layer_rules.check_permission(params)
    assert layer_rules.statement(params, "arn:aws:lambda:us-east-1:123456789012:layer:l:1") == {
        "Sid": "s1", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "lambda:GetLayerVersion", "Resource": "arn:aws:lambda:us-east-1:123456789012:layer:l:1",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}},
    }  # fmt: skip
    with pytest.raises(ValidationError, match="lambda:GetLayerVersion"):
        layer_rules.check_permission({**params, "Action": "*"})
