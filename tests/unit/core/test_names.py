"""Function names in every form Lambda accepts, and the errors for the ones it refuses."""

import pytest

from host.core.errors import InvalidParameterValue, ResourceNotFound, ValidationError
from host.core.names import (
    FUNCTION_NAME_PATTERN,
    NAMESPACED_PATTERN,
    QUALIFIER_PATTERN,
    AccessDenied,
    FunctionRef,
    function_arn,
    layer_arn,
    parse_function_name,
)

REGION, ACCOUNT = "us-east-1", "123456789012"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-fn"


def parse(value, qualifier=None, **options):
    return parse_function_name(value, qualifier, region=REGION, account=ACCOUNT, **options)


@pytest.mark.parametrize(
    ("value", "qualifier", "expected"),
    [
        ("my-fn", None, FunctionRef("my-fn", None)),
        ("my-fn", "prod", FunctionRef("my-fn", "prod")),
        ("my-fn:prod", None, FunctionRef("my-fn", "prod")),
        ("my-fn:$LATEST", None, FunctionRef("my-fn", "$LATEST")),
        ("my-fn:prod", "prod", FunctionRef("my-fn", "prod")),
        (f"{ACCOUNT}:function:my-fn", None, FunctionRef("my-fn", None)),
        (f"{ACCOUNT}:function:my-fn:7", None, FunctionRef("my-fn", "7")),
        (f"{ACCOUNT}:function:my-fn", "7", FunctionRef("my-fn", "7")),
        (ARN, None, FunctionRef("my-fn", None)),
        (ARN + ":prod", None, FunctionRef("my-fn", "prod")),
        (ARN, "$LATEST", FunctionRef("my-fn", "$LATEST")),
        ("my_fn.v2", None, FunctionRef("my_fn.v2", None)),
    ],
)
def test_every_accepted_form_gives_the_name_and_qualifier(value, qualifier, expected):
    assert parse(value, qualifier) == expected


def test_the_name_pattern_is_the_one_aws_reports():
    assert NAMESPACED_PATTERN == (
        r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
        r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
    )


def test_a_name_outside_the_pattern_is_a_validation_error():
    with pytest.raises(ValidationError) as caught:
        parse("my fn")
    assert caught.value.message == (
        "1 validation error detected: Value 'my fn' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAMESPACED_PATTERN}"
    )


def test_a_name_with_a_dot_is_refused_where_names_are_not_namespaced():
    with pytest.raises(ValidationError, match="Member must satisfy regular expression pattern"):
        parse("my.fn", namespaced=False)


def test_a_name_longer_than_140_characters_is_a_validation_error_where_names_are_not_namespaced():
    name = "a" * 141
    with pytest.raises(ValidationError) as caught:
        parse(name, namespaced=False)
    assert caught.value.message == (
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 140"
    )


def test_a_name_of_140_characters_is_accepted():
    assert parse("a" * 140).name == "a" * 140
    assert parse("a" * 140, namespaced=False).name == "a" * 140


def test_a_namespaced_name_of_170_characters_gets_only_the_pattern_error_as_on_aws():
    name = f"arn:aws:lambda:invalid-region:{ACCOUNT}:function:my-function{'a' * 170}"
    with pytest.raises(ValidationError) as caught:
        parse(name)
    assert caught.value.message == (
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAMESPACED_PATTERN}"
    )
    assert parse("a" * 170).name == "a" * 170


def test_a_namespaced_name_longer_than_256_characters_is_a_validation_error():
    name = "a" * 257
    with pytest.raises(ValidationError) as caught:
        parse(name)
    assert caught.value.message == (
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )


def test_a_qualifier_outside_its_pattern_is_a_validation_error():
    with pytest.raises(ValidationError) as caught:
        parse("my-fn", "a.b")
    assert caught.value.message == (
        "1 validation error detected: Value 'a.b' at 'qualifier' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}"
    )


def test_a_qualifier_longer_than_128_characters_is_a_validation_error():
    qualifier = "q" * 129
    with pytest.raises(ValidationError) as caught:
        parse("my-fn", qualifier)
    assert caught.value.message == (
        f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )


def test_several_problems_are_reported_together():
    name = "bad name " * 16
    with pytest.raises(ValidationError) as caught:
        parse(name, "a.b", namespaced=False)
    message = caught.value.message
    assert message.startswith("3 validation errors detected: ")
    problems = message.removeprefix("3 validation errors detected: ").split("; ")
    assert problems == [
        f"Value '{name}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 140",
        f"Value '{name}' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}",
        "Value 'a.b' at 'qualifier' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}",
    ]


def test_two_problems_say_2_validation_errors():
    with pytest.raises(ValidationError, match=r"^2 validation errors detected: Value 'my fn' .*; Value 'a\.b' "):
        parse("my fn", "a.b")


def test_a_function_of_another_region_is_not_found():
    with pytest.raises(ResourceNotFound) as caught:
        parse(f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:my-fn")
    assert caught.value.message == "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    assert caught.value.code == "ResourceNotFoundException"


def test_a_function_of_another_account_is_access_denied():
    with pytest.raises(AccessDenied) as caught:
        parse("arn:aws:lambda:us-east-1:210987654321:function:my-fn")
    assert caught.value.code == "AccessDeniedException"


def test_a_qualifier_in_the_name_must_match_the_qualifier_parameter():
    with pytest.raises(InvalidParameterValue) as caught:
        parse("my-fn:prod", "dev")
    assert caught.value.message == (
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_a_function_arn_has_the_qualifier_only_when_given():
    assert function_arn(REGION, ACCOUNT, "my-fn") == ARN
    assert function_arn(REGION, ACCOUNT, "my-fn", "prod") == ARN + ":prod"


def test_a_layer_arn_has_the_version_only_when_given():
    assert layer_arn(REGION, ACCOUNT, "deps") == f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:deps"
    assert layer_arn(REGION, ACCOUNT, "deps", 3) == f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:deps:3"
