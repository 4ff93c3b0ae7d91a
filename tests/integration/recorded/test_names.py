"""Function names and qualifiers AWS refuses, per operation (GetFunction, DeleteFunction, Invoke, CreateFunction).

snapshot: TestLambdaFunction::test_function_name_and_qualifier_validation[<case>-<operation>]. AWS's
answer is compared as the recording reduced it: the error code, and either the sorted
``Value ... failed to satisfy constraint`` problems or the whole message.
"""

import re

import pytest

from host.testing.plugin import make_zip

from .conftest import ECHO
from .expect import ACCOUNT, REGION, ROLE

NAME = (
    r"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|"
    r"(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|"
    r"[a-zA-Z0-9-_]+))?"
)
CREATE_NAME = (
    r"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|"
    r"(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
QUALIFIER = r"Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
LONG_QUALIFIER = "Member must have length less than or equal to 128"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."
OPERATIONS = ("get_function", "delete_function", "invoke", "create_function")


def value(v: str, field: str, constraint: str) -> str:
    return f"Value '{v}' at '{field}' failed to satisfy constraint: {constraint}"


def problems(code: str, *found: str) -> dict:
    return {"Code": code, "Errors": sorted(found), "Count": len(found)}


def message(code: str, text: str) -> dict:
    return {"Code": code, "Message": text}


def name_pattern(v: str, operation: str) -> dict:
    return problems(
        "ValidationException", value(v, "functionName", CREATE_NAME if operation == "create_function" else NAME)
    )


def reduced(response: dict) -> dict:
    """As the recording reduced AWS's answer: the problems sorted, else the message."""
    text, code = response["Error"]["Message"], response["Error"]["Code"]
    found = re.findall(r"(Value '.*?' at '.*?' failed to satisfy constraint: .+?(?=;|$))", text)
    return problems(code, *found) if found else message(code, text)


LONG = "a" * 170
INVALID_REGION = f"arn:aws:lambda:invalid-region:{ACCOUNT}:function:my-function"
CASES = {
    "invalid_characters_in_function_name": {"FunctionName": "my-function!"},
    "function_name_is_single_invalid": {"FunctionName": "*"},
    "invalid_characters_in_qualifier": {"FunctionName": "my-function", "Qualifier": "invalid!"},
    "qualifier_too_long": {"FunctionName": "my-function", "Qualifier": "a" * 129},
    "invalid_account_id_in_partial_arn": {"FunctionName": "invalid-account:function:my-function"},
    "invalid_region_in_arn": {"FunctionName": INVALID_REGION},
    "non_lambda_arn": {"FunctionName": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance:i-1234567890abcdef0"},
    "function_name_too_long": {"FunctionName": "a" * 65},
    "function_name_too_long_and_invalid_region": {"FunctionName": f"{INVALID_REGION}{LONG}"},
    "full_arn_and_qualifier_too_long_and_invalid_region": {
        "FunctionName": f"{INVALID_REGION}-{LONG}", "Qualifier": "a" * 129,
    },
    "full_arn_with_multiple_qualifiers": {"FunctionName": f"{ARN}:my-function:1:2"},
    "incomplete_arn": {"FunctionName": ARN},
    "partial_arn_with_extra_qualifier": {"FunctionName": "function:my-function:$LATEST:extra"},
    "latest_version_with_additional_qualifier": {"FunctionName": f"{ARN}:my-function:$LATEST", "Qualifier": "1"},
    "lowercase_latest_qualifier": {"FunctionName": f"{ARN}:my-function", "Qualifier": "$latest"},
    "missing_region_in_arn": {"FunctionName": f"arn:aws:lambda::{ACCOUNT}:function:my-function"},
    "missing_account_id_in_arn": {"FunctionName": f"arn:aws:lambda:{REGION}::function:my-function"},
    "misspelled_latest_in_arn": {"FunctionName": f"{ARN}:my-function:$LATES"},
    # recorded in 2024 as qualifier_too_long1 and function_name_and_qualifier_too_long (same answers)
    "qualifier_of_65_characters": {"FunctionName": "my-function", "Qualifier": "a" * 65},
}  # fmt: skip


def expected(case: str, operation: str, params: dict) -> dict | None:
    """AWS's recorded answer for ``case`` through ``operation``."""
    name = params["FunctionName"]
    qualifier = params.get("Qualifier")
    creating = operation == "create_function"
    full = f"{name}:{qualifier}" if qualifier else name  # CreateFunction gets the qualifier inside the name
    if case in ("invalid_characters_in_qualifier",) and not creating:
        return problems("ValidationException", value(qualifier, "qualifier", QUALIFIER))
    if case == "qualifier_too_long":
        if creating:
            return problems(
                "ValidationException", value(full, "functionName", "Member must have length less than or equal to 140")
            )
        return problems("ValidationException", value(qualifier, "qualifier", LONG_QUALIFIER))
    if case == "function_name_too_long":
        if creating:
            return problems(
                "InvalidParameterValueException",
                value(name, "functionName", "Member must have length less than or equal to 64"),
            )
        suffix = ":$LATEST" if operation == "invoke" else ""
        return message("ResourceNotFoundException", f"Function not found: {ARN}:{name}{suffix}")
    if case == "function_name_too_long_and_invalid_region" and creating:
        return problems(
            "ValidationException",
            value(name, "functionName", "Member must have length less than or equal to 140"),
            value(name, "functionName", CREATE_NAME),
        )
    if case == "full_arn_and_qualifier_too_long_and_invalid_region":
        if creating:
            return problems(
                "ValidationException",
                value(full, "functionName", "Member must have length less than or equal to 140"),
                value(full, "functionName", CREATE_NAME),
            )
        return problems(
            "ValidationException", value(qualifier, "qualifier", LONG_QUALIFIER), value(name, "functionName", NAME)
        )
    if case == "incomplete_arn":
        if creating:
            return None  # AWS created a function named "function" (not recorded)
        suffix = ":$LATEST" if operation == "invoke" else ""
        return message("ResourceNotFoundException", f"Function not found: {ARN}:function{suffix}")
    if case == "latest_version_with_additional_qualifier" and not creating:
        return message("InvalidParameterValueException", MISMATCH)
    if case == "qualifier_of_65_characters":
        if creating:
            return None  # not recorded
        if operation == "delete_function":
            return message("InvalidParameterValueException", "Deletion of aliases is not currently supported.")
        return message("ResourceNotFoundException", f"Function not found: {ARN}:my-function:{qualifier}")
    if case == "lowercase_latest_qualifier" and not creating:
        arn = f"{ARN}:my-function" + ("" if operation == "delete_function" else ":$latest")
        return message("ResourceNotFoundException", f"Function not found: {arn}")
    return name_pattern(full, operation)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("case", list(CASES))
def test_names_and_qualifiers_aws_refuses(lambda_client, case, operation):
    params = dict(CASES[case])
    want = expected(case, operation, params)
    if want is None:
        pytest.skip("nothing recorded for CreateFunction (AWS accepts the name)")
    if operation == "create_function":
        qualifier = params.pop("Qualifier", None)
        name = f"{params['FunctionName']}:{qualifier}" if qualifier else params["FunctionName"]
        call = lambda: lambda_client.create_function(  # noqa: E731
            FunctionName=name, Handler="index.handler", Code={"ZipFile": make_zip(ECHO)}, PackageType="Zip",
            Role=ROLE, Runtime="python3.12",
        )  # fmt: skip
    else:
        call = lambda: getattr(lambda_client, operation)(**params)  # noqa: E731
    try:
        call()
    except lambda_client.exceptions.ClientError as exc:
        assert reduced(exc.response) == want
    else:
        raise AssertionError(f"{case} through {operation} was accepted")
