"""CreateFunction, Get*, Update*, DeleteFunction and ListFunctions against AWS's recordings."""

import base64
import hashlib
import urllib.request

import pytest

from host.testing.plugin import make_zip

from .conftest import ECHO, VERSION, create_waited, unique, wait_updated
from .expect import (
    ACCOUNT,
    LOCATION,
    REGION,
    ROLE,
    RUNTIME_VERSION,
    body,
    configuration,
    creating,
    function_arn,
    invalid,
    not_found,
    problem,
    refused,
    same,
    status,
    updating,
    validation,
)

NEW_FUNCTION_RUNTIMES = (
    "[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, "
    "python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, "
    "java11, dotnet6, nodejs18.x, provided.al2, java8.al2]"
)
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
CREATE_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
QUALIFIER_PATTERN = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
MISMATCH = "The derived qualifier from the function name does not match the specified qualifier."
IN_PROGRESS = "The operation cannot be performed at this time. An update is in progress for resource: {arn}"


def zip_params(**params) -> dict:
    """CreateFunction as the recordings' ``create_lambda_function_aws`` calls: no variables, 3 s."""
    return {
        "FunctionName": unique(),
        "Handler": "index.handler",
        "Code": {"ZipFile": make_zip(ECHO)},
        "PackageType": "Zip",
        "Role": ROLE,
        "Runtime": "python3.12",
        **params,
    }


def sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def download(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


def test_function_lifecycle(lambda_client, function):
    # snapshot: TestLambdaFunction::test_function_lifecycle
    created = function(wait=False, MemorySize=256, Timeout=5)
    name = created["FunctionName"]
    assert status(created) == 201
    assert body(created) == creating(name, MemorySize=256, Timeout=5)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    shown = lambda_client.get_function(FunctionName=name)
    assert shown["Code"] == {"Location": LOCATION, "RepositoryType": "S3"}
    assert shown["Configuration"] == configuration(name, MemorySize=256, Timeout=5)
    changed = dict(
        Runtime="python3.11", Description="Changed-Description", MemorySize=512, Timeout=10,
        Environment={"Variables": {"ENV_A": "a"}},
    )  # fmt: skip
    updated = lambda_client.update_function_configuration(FunctionName=name, **changed)
    assert body(updated) == updating(name, **changed)
    assert updated["RuntimeVersionConfig"] != shown["Configuration"]["RuntimeVersionConfig"]  # resource:3
    wait_updated(lambda_client, name)
    after_config = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert after_config == configuration(name, **changed)
    new_code = make_zip(VERSION)
    code_update = lambda_client.update_function_code(FunctionName=name, ZipFile=new_code)
    assert body(code_update) == updating(name, **changed)
    assert code_update["CodeSha256"] == sha256(new_code) != shown["Configuration"]["CodeSha256"]
    wait_updated(lambda_client, name)
    after_code = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert after_code == configuration(name, **changed, CodeSha256=sha256(new_code))
    revisions = [created, shown["Configuration"], updated, after_config, code_update, after_code]
    assert len({r["RevisionId"] for r in revisions}) == 6  # uuid:1 .. uuid:6
    assert status(lambda_client.delete_function(FunctionName=name)) == 204
    assert refused(lambda_client.delete_function, FunctionName=name) == not_found(
        f"Function not found: {function_arn(name)}"
    )


def test_an_update_that_changes_nothing_is_still_an_update(lambda_client, function):
    # snapshot: TestLambdaFunction::test_redundant_updates
    created = function(Description="Initial description")
    name = created["FunctionName"]
    first = lambda_client.update_function_configuration(FunctionName=name, Description="1st update description")
    assert body(first) == updating(name, Description="1st update description")
    wait_updated(lambda_client, name)
    config = body(lambda_client.get_function_configuration(FunctionName=name))
    assert config == configuration(name, Description="1st update description")
    assert lambda_client.get_function(FunctionName=name)["Configuration"] == config
    again = lambda_client.update_function_configuration(FunctionName=name, Description="1st update description")
    assert body(again) == updating(name, Description="1st update description")
    wait_updated(lambda_client, name)
    final = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert final == configuration(name, Description="1st update description")
    revisions = [created["RevisionId"], first["RevisionId"], config["RevisionId"], again["RevisionId"]]
    assert len({*revisions, final["RevisionId"]}) == 5


@pytest.mark.parametrize("operation", ["delete_function", "get_function", "get_function_configuration"])
def test_a_qualifier_in_the_arn_must_match_the_qualifier_parameter(lambda_client, operation):
    # snapshot: TestLambdaFunction::test_ops_with_arn_qualifier_mismatch[<operation>]
    call = getattr(lambda_client, operation)
    arn = function_arn("some-function")
    assert refused(call, FunctionName=f"{arn}:1", Qualifier="$LATEST") == invalid(MISMATCH)
    expected = (
        invalid("$LATEST version cannot be deleted without deleting the function.")
        if operation == "delete_function"
        else not_found(f"Function not found: {arn}:$LATEST")
    )
    assert refused(call, FunctionName=f"{arn}:$LATEST", Qualifier="$LATEST") == expected


@pytest.mark.parametrize(
    "operation", ["get_function", "get_function_configuration", "get_function_event_invoke_config"]
)
def test_a_version_that_does_not_exist_is_named_in_the_404(lambda_client, function, operation):
    # snapshot: TestLambdaFunction::test_ops_on_nonexisting_version[<operation>]
    name = function(Description="Initial description")["FunctionName"]
    message = (
        f"The function {function_arn(name, '1221')} doesn't have an EventInvokeConfig"
        if operation == "get_function_event_invoke_config"
        else f"Function not found: {function_arn(name, '1221')}"
    )
    assert refused(getattr(lambda_client, operation), FunctionName=name, Qualifier="1221") == not_found(message)


def test_deleting_a_version_that_does_not_exist_is_no_error(lambda_client, function):
    # snapshot: TestLambdaFunction::test_delete_on_nonexisting_version
    name = function(Description="Initial description")["FunctionName"]
    lambda_client.delete_function(FunctionName=name, Qualifier="1233")
    lambda_client.delete_function(FunctionName=name, Qualifier="1233")
    lambda_client.delete_function(FunctionName=name)
    gone = not_found(f"Function not found: {function_arn(name)}")
    assert refused(lambda_client.delete_function, FunctionName=name) == gone
    assert refused(lambda_client.delete_function, FunctionName=name, Qualifier="1233") == gone


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ("delete_function", "Function not found: {arn}"),
        ("get_function", "Function not found: {arn}"),
        ("get_function_configuration", "Function not found: {arn}"),
        ("get_function_url_config", "The resource you requested does not exist."),
        ("get_function_code_signing_config", "Function not found: {arn}"),
        ("get_function_event_invoke_config", "The function {arn}:$LATEST doesn't have an EventInvokeConfig"),
        ("get_function_concurrency", "Function not found: {arn}"),
    ],
)
def test_operations_on_a_function_that_does_not_exist(lambda_client, operation, message):
    # snapshot: TestLambdaFunction::test_ops_on_nonexisting_fn[<operation>]
    name = unique("i-dont-exist")
    expected = not_found(message.format(arn=function_arn(name)))
    assert refused(getattr(lambda_client, operation), FunctionName=name) == expected


@pytest.mark.parametrize(
    "operation",
    [
        "get_function", "get_function_configuration", "get_function_url_config", "get_function_code_signing_config",
        "get_function_event_invoke_config", "get_function_concurrency", "delete_function", "invoke",
    ],
)  # fmt: skip
def test_an_arn_of_another_region_is_not_reachable(lambda_client, function, operation):
    # snapshot: TestLambdaFunction::test_get_function_wrong_region[<operation>]
    name = function(Description="Initial description")["FunctionName"]
    arn = f"arn:aws:lambda:eu-central-1:{ACCOUNT}:function:{name}"
    assert refused(getattr(lambda_client, operation), FunctionName=arn) == not_found(
        f"Functions from 'eu-central-1' are not reachable in this region ('{REGION}')"
    )


def test_code_location_serves_the_zip_before_and_after_an_update(settling):
    # snapshot: TestLambdaFunction::test_lambda_code_location_zipfile
    lambda_client = settling
    params = zip_params()
    name, package = params["FunctionName"], params["Code"]["ZipFile"]
    try:
        created = lambda_client.create_function(**params)
        expected = dict(Handler="index.handler", Timeout=3, Environment=None)
        assert body(created) == creating(name, **expected)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
        shown = lambda_client.get_function(FunctionName=name)
        assert shown["Configuration"] == configuration(name, **expected)
        assert download(shown["Code"]["Location"]) == package
        assert shown["Configuration"]["CodeSha256"] == sha256(package)
        assert shown["Configuration"]["CodeSize"] == len(package)
        new_package = make_zip(VERSION)
        updated = lambda_client.update_function_code(FunctionName=name, ZipFile=new_package)
        assert body(updated) == updating(name, **expected)
        shown = lambda_client.get_function(FunctionName=name)
        assert shown["Configuration"] == updating(name, **expected)  # still InProgress, as AWS showed it
        assert download(shown["Code"]["Location"]) == new_package
        assert shown["Configuration"]["CodeSha256"] == sha256(new_package)
        assert shown["Configuration"]["CodeSize"] == len(new_package)
    finally:
        lambda_client.delete_function(FunctionName=name)


def test_function_names_in_arn_forms_on_create(lambda_client, function):
    # snapshot: TestLambdaFunction::test_function_arns
    full = unique("test-function-arn")
    created = function(wait=False, FunctionName=function_arn(full))
    assert body(created) == creating(full)
    partial = unique("test-partial-arn")
    created = function(wait=False, FunctionName=f"{ACCOUNT}:function:{partial}")
    assert body(created) == creating(partial)
    create = lambda_client.create_function
    assert refused(create, **zip_params(FunctionName="invalid:function:name")) == validation(
        problem(
            "invalid:function:name",
            "functionName",
            f"Member must satisfy regular expression pattern: {CREATE_NAME_PATTERN}",
        )
    )
    assert refused(create, **zip_params(FunctionName="a" * 65)) == invalid(
        "1 validation error detected: "
        + problem("a" * 65, "functionName", "Member must have length less than or equal to 64")
    )
    prefix = function_arn("")
    long_arn = prefix + "a" * (140 - len(prefix) + 1)
    assert refused(create, **zip_params(FunctionName=long_arn)) == validation(
        problem(long_arn, "functionName", "Member must have length less than or equal to 140")
    )
    other_region = f"arn:aws:lambda:ap-southeast-1:{ACCOUNT}:function:{unique()}"
    assert refused(create, **zip_params(FunctionName=other_region)) == not_found(
        f"Functions from 'ap-southeast-1' are not reachable in this region ('{REGION}')"
    )
    other_account = f"arn:aws:lambda:{REGION}:111111111111:function:{unique()}"
    assert refused(create, **zip_params(FunctionName=other_account)) == {
        "Error": {"Code": "AccessDeniedException", "Message": None},
        "Status": 403,
    }


def test_create_function_errors(lambda_client):
    # snapshot: TestLambdaFunction::test_create_lambda_exceptions
    create = lambda_client.create_function
    assert refused(create, **zip_params(Role="r1")) == validation(
        problem("r1", "role", f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")
    )
    for runtime in ("non-existent-runtime", "PYTHON3.9"):
        assert refused(create, **zip_params(Runtime=runtime)) == invalid(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
            f"{NEW_FUNCTION_RUNTIMES} or be a valid ARN"
        )
    # empty_architectures: boto3 refuses an empty list itself (ParamValidationError), nothing to send
    assert refused(create, **zip_params(Architectures=["x86_64", "arm64"])) == validation(
        problem("[x86_64, arm64]", "architectures", "Member must have length less than or equal to 1")
    )
    assert refused(create, **zip_params(Architectures=["X86_64"])) == validation(
        problem(
            "[X86_64]",
            "architectures",
            "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be "
            "null]",
        )
    )
    bad_zip = zip_params(Code={"ZipFile": b"this is not a zipfile, just a random string"}, Runtime="python3.9")
    assert refused(create, **bad_zip) == invalid(
        "Could not unzip uploaded file. Please check your file, then try to upload again."
    )


def test_update_function_configuration_errors(lambda_client):
    # snapshot: TestLambdaFunction::test_update_lambda_exceptions
    params = zip_params()
    lambda_client.create_function(**params)
    name = params["FunctionName"]
    try:
        update = lambda_client.update_function_configuration
        assert refused(update, FunctionName=name, Role="r1") == validation(
            problem("r1", "role", f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")
        )
        for runtime in ("non-existent-runtime", "PYTHON3.9"):
            assert refused(update, FunctionName=name, Runtime=runtime) == invalid(
                f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
                f"{NEW_FUNCTION_RUNTIMES} or be a valid ARN"
            )
    finally:
        lambda_client.delete_function(FunctionName=name)


def test_list_functions_with_and_without_versions(lambda_client, function):
    # snapshot: TestLambdaFunction::test_list_functions
    first = function(wait=False, Publish=True)
    one = first["FunctionName"]
    assert body(first) == creating(one, Version="1")  # the new version, under the unqualified ARN
    second = function(wait=False)
    two = second["FunctionName"]
    assert body(second) == creating(two)
    for name in (one, two):
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    assert refused(lambda_client.list_functions, FunctionVersion="invalid") == validation(
        problem("invalid", "functionVersion", "Member must satisfy enum value set: [ALL]")
    )
    paginator = lambda_client.get_paginator("list_functions")
    mine = (one, two)

    def listed(**params):
        pages = paginator.paginate(PaginationConfig={"PageSize": 1}, **params).build_full_result()
        return sorted((f for f in pages["Functions"] if f["FunctionName"] in mine), key=lambda f: f["FunctionArn"])

    unlisted = {"State": None, "LastUpdateStatus": None, "RuntimeVersionConfig": None}
    every = listed(FunctionVersion="ALL")
    expected = [
        configuration(one, FunctionArn=function_arn(one, "$LATEST"), **unlisted),
        configuration(one, FunctionArn=function_arn(one, "1"), Version="1", **unlisted),
        configuration(two, FunctionArn=function_arn(two, "$LATEST"), **unlisted),
    ]
    assert same(every, sorted(expected, key=lambda f: f["FunctionArn"]))
    revisions = {f["FunctionArn"]: f["RevisionId"] for f in every}
    assert revisions[function_arn(one, "$LATEST")] != revisions[function_arn(one, "1")]
    expected = [configuration(one, **unlisted), configuration(two, **unlisted)]
    assert same(listed(), sorted(expected, key=lambda f: f["FunctionArn"]))


@pytest.mark.parametrize("operation", ["update_function_code", "update_function_configuration"])
def test_an_update_while_one_is_in_progress_is_refused(settling, operation):
    # snapshot: TestLambdaFunction::test_lambda_concurrent_code_updates and ..._config_updates
    lambda_client = settling
    name = create_waited(lambda_client)["FunctionName"]
    params = (
        {"ZipFile": make_zip(VERSION)}
        if operation == "update_function_code"
        else {"Environment": {"Variables": {"TEST": "TEST1"}}}
    )
    getattr(lambda_client, operation)(FunctionName=name, **params)
    assert refused(getattr(lambda_client, operation), FunctionName=name, **params) == {
        **invalid(IN_PROGRESS.format(arn=function_arn(name))),
        "Error": {"Code": "ResourceConflictException", "Message": IN_PROGRESS.format(arn=function_arn(name))},
        "Status": 409,
    }
    wait_updated(lambda_client, name)


def test_invoke_with_a_name_outside_the_pattern(lambda_client):
    # snapshot: TestLambdaFunction::test_invalid_invoke
    name = f"arn:aws:lambda:{REGION}:123400000000@function:myfn"
    assert refused(lambda_client.invoke, FunctionName=name, Payload=b"{}") == validation(
        problem(name, "functionName", f"Member must satisfy regular expression pattern: {NAME_PATTERN}")
    )


def test_update_configuration_by_full_arn_name_and_partial_arn(lambda_client, function):
    # snapshot: TestPartialARNMatching::test_update_function_configuration_full_arn (no recorded content)
    created = function(MemorySize=256, Timeout=5)
    name, arn = created["FunctionName"], created["FunctionArn"]
    for each in (arn, name, ":".join(arn.split(":")[-3:])):
        shown = lambda_client.update_function_configuration(
            FunctionName=each, Description="Changed-Description", MemorySize=512, Timeout=10,
            Environment={"Variables": {"ENV_A": "a"}},
        )  # fmt: skip
        assert shown["FunctionArn"] == arn and shown["RuntimeVersionConfig"]["RuntimeVersionArn"] == RUNTIME_VERSION
        wait_updated(lambda_client, name)


@pytest.mark.parametrize(
    "runtime", ["java8", "go1.x", "provided", "ruby2.7", "nodejs14.x", "python3.7", "dotnetcore3.1", "nodejs12.x"]
)
def test_a_retired_runtime_is_refused(lambda_client, runtime):
    # snapshot: TestRuntimeValidation::test_create_deprecated_function_runtime_with_validation_enabled[<runtime>]
    assert refused(lambda_client.create_function, **zip_params(Runtime=runtime)) == invalid(
        f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
        "We recommend you use a supported runtime while creating or updating functions."
    )
