"""Tag rules on plain data: the resource ARN forms, AWS's limits and messages."""

import pytest

from host.core import tags
from host.core.errors import InvalidParameterValue, ValidationError

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:fn"


def test_a_function_arn_is_split_and_its_qualifier_kept():
    assert tags.parse_resource(FUNCTION) == tags.TaggedArn(FUNCTION, "function", "fn")
    assert tags.parse_resource(f"{FUNCTION}:live").qualifier == "live"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:something",
        "arn:aws:lambda:us-east-1:123456789012:foobar:fn",
        "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp:alias",
        "fn",
    ],
)
def test_arns_outside_aws_s_pattern_are_validation_errors(arn):
    with pytest.raises(ValidationError, match=r"at 'resource' failed to satisfy constraint"):
        tags.parse_resource(arn)


def test_empty_tags_and_key_lists_get_aws_s_two_different_errors():
    with pytest.raises(InvalidParameterValue, match=r"An error occurred and the request cannot be processed\."):
        tags.check_tags({}, required=True)
    tags.check_tags({}, required=False)  # CreateFunction without tags
    with pytest.raises(ValidationError, match="Value null at 'tagKeys'"):
        tags.check_keys([])


def test_fifty_tags_at_most_counted_after_the_change():
    fifty = {f"k{i}": "v" for i in range(50)}
    assert tags.merged(fifty, {"k0": "changed"})["k0"] == "changed"
    with pytest.raises(InvalidParameterValue, match=r"Number of tags exceeds resource tag limit\."):
        tags.merged(fifty, {"another": "v"})
    with pytest.raises(InvalidParameterValue, match=r"Number of tags exceeds resource tag limit\."):
        tags.check_tags({f"k{i}": "v" for i in range(51)}, required=False)


def test_keys_and_values_follow_botocore_s_shapes():
    tags.check_tags({"Team name": "blue/green @ one+two=three", "ünï": "çödé"}, required=True)
    with pytest.raises(ValidationError, match="Map keys must satisfy"):
        tags.check_tags({"k" * 129: "v"}, required=True)
    with pytest.raises(ValidationError, match="Map value must satisfy"):
        tags.check_tags({"k": "bad*value"}, required=True)


def test_untagging_a_missing_key_changes_nothing():
    assert tags.without({"a": "1"}, ["b"]) == {"a": "1"}
