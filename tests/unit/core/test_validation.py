"""Checks on function settings, runtimes, environment variables and layers, with AWS's messages."""

import pytest

from host.core.errors import InvalidParameterValue, ValidationError
from host.core.validation import (
    AWS_RUNTIMES,
    ROLE_PATTERN,
    Problems,
    check_environment,
    check_layer_list,
    check_runtime,
    check_settings,
)

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:deps"


def problems_in(params, creating=True):
    problems = Problems()
    check_settings({"Role": ROLE, **params}, problems, creating)
    return problems.items


def test_good_settings_have_no_problems():
    params = {"Handler": "app.handler", "MemorySize": 512, "Timeout": 30, "Architectures": ["arm64"]}
    assert problems_in(params) == []


def test_a_role_outside_the_pattern_is_a_problem():
    assert problems_in({"Role": "not-a-role"}) == [
        f"Value 'not-a-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{ROLE_PATTERN}"
    ]


def test_a_missing_role_is_a_problem_only_when_creating():
    problems = Problems()
    check_settings({}, problems, creating=True)
    assert problems.items == ["Value null at 'role' failed to satisfy constraint: Member must not be null"]
    problems = Problems()
    check_settings({}, problems, creating=False)
    assert problems.items == []


@pytest.mark.parametrize(
    ("param", "field", "value", "constraint"),
    [
        ("MemorySize", "memorySize", 127, "Member must have value greater than or equal to 128"),
        ("MemorySize", "memorySize", 10241, "Member must have value less than or equal to 10240"),
        ("Timeout", "timeout", 0, "Member must have value greater than or equal to 1"),
        ("Timeout", "timeout", 901, "Member must have value less than or equal to 900"),
        ("Timeout", "timeout", "3", "Member must be a number"),
        ("MemorySize", "memorySize", True, "Member must be a number"),
    ],
)
def test_numbers_out_of_bounds_are_problems(param, field, value, constraint):
    assert problems_in({param: value}) == [f"Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"]


@pytest.mark.parametrize(("memory", "timeout"), [(128, 1), (10240, 900)])
def test_numbers_at_the_bounds_are_accepted(memory, timeout):
    assert problems_in({"MemorySize": memory, "Timeout": timeout}) == []


def test_more_than_one_architecture_is_a_problem():
    assert problems_in({"Architectures": ["x86_64", "arm64"]}) == [
        "Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
        "Member must have length less than or equal to 1"
    ]


def test_an_unknown_architecture_is_a_problem():
    assert problems_in({"Architectures": ["sparc"]}) == [
        "Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    ]


def test_problems_are_raised_together_as_one_validation_error():
    problems = Problems()
    check_settings({"Role": "bad", "Timeout": 0}, problems, creating=True)
    with pytest.raises(ValidationError, match=r"^2 validation errors detected: Value 'bad' at 'role'.*; Value '0'"):
        problems.raise_if_any()


def test_an_unknown_runtime_lists_every_runtime_aws_accepts():
    with pytest.raises(InvalidParameterValue) as caught:
        check_runtime("python2.8")
    assert caught.value.message == (
        "Value python2.8 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
        f"[{', '.join(AWS_RUNTIMES)}] or be a valid ARN"
    )
    assert caught.value.message.count("nodejs20.x, python3.14, provided.al2023") == 1


def test_a_retired_runtime_is_no_longer_supported():
    with pytest.raises(InvalidParameterValue) as caught:
        check_runtime("python2.7")
    assert caught.value.message == (
        "The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda functions. "
        "We recommend you use a supported runtime while creating or updating functions."
    )


def test_a_current_runtime_is_accepted():
    assert check_runtime("python3.13") is None


def test_reserved_environment_keys_are_named_in_the_refusal():
    with pytest.raises(InvalidParameterValue) as caught:
        check_environment({"AWS_REGION": "x", "OK": "y", "TZ": "z"})
    assert caught.value.message == (
        "Lambda was unable to configure your environment variables because the environment variables you have "
        "provided contains reserved keys that are currently not supported for modification. Reserved keys used in "
        "this request: AWS_REGION, TZ"
    )


@pytest.mark.parametrize("key", ["1ABC", "A", "MY-VAR", "_X"])
def test_an_environment_key_outside_the_pattern_is_a_validation_error(key):
    with pytest.raises(ValidationError) as caught:
        check_environment({key: "v"})
    assert caught.value.message == (
        f"1 validation error detected: Value '{key}' at 'environment.variables' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+"
    )


def test_environment_variables_over_4kb_are_refused_with_the_measured_string():
    variables = {"BIG": "x" * 4100}
    with pytest.raises(InvalidParameterValue) as caught:
        check_environment(variables)
    assert caught.value.message == (
        "Lambda was unable to configure your environment variables because the environment variables you have "
        f'provided exceeded the 4KB limit. String measured: {{"BIG":"{"x" * 4100}"}}'
    )


def test_environment_variables_of_exactly_4kb_are_accepted():
    variables = {"BIG": "x" * (4096 - len('{"BIG":""}'))}
    assert check_environment(variables) is None


def test_non_ascii_values_count_in_utf8_bytes():
    with pytest.raises(InvalidParameterValue, match="exceeded the 4KB limit"):
        check_environment({"TEXT": "é" * 2100})


def test_up_to_five_layers_are_accepted():
    assert check_layer_list([f"{LAYER}{i}:1" for i in range(5)], "us-east-1") is None


def test_more_than_five_layers_are_refused():
    with pytest.raises(InvalidParameterValue, match=r"^Cannot reference more than 5 layers\.$"):
        check_layer_list([f"{LAYER}{i}:1" for i in range(6)], "us-east-1")


def test_a_layer_of_another_region_is_refused():
    with pytest.raises(InvalidParameterValue) as caught:
        check_layer_list(["arn:aws:lambda:eu-west-1:123456789012:layer:deps:1"], "us-east-1")
    assert caught.value.message == (
        "Layers are not in the same region as the function. Layers are expected to be in region us-east-1."
    )


def test_two_versions_of_the_same_layer_are_refused():
    with pytest.raises(InvalidParameterValue) as caught:
        check_layer_list([f"{LAYER}:1", f"{LAYER}:2"], "us-east-1")
    assert caught.value.message == (
        "Two different versions of the same layer are not allowed to be referenced in the same function. "
        f"{LAYER}:1 and {LAYER}:2 are versions of the same layer."
    )
