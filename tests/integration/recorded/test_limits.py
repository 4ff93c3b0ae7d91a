"""Size limits of CreateFunction and GetAccountSettings against AWS's recordings."""

import io
import json
import os
import zipfile

from host.testing.plugin import make_zip

from .conftest import ECHO, unique, wait_updated
from .expect import ROLE, body, creating, invalid, refused

ZIPPED_LIMIT = 52428800
UNZIPPED_LIMIT = 262144000
REQUEST_LIMIT = 70167211
KB = 1024


def create_params(**params) -> dict:
    return {
        "FunctionName": unique("test_lambda"),
        "Runtime": "python3.12",
        "Handler": "handler.handler",
        "Role": ROLE,
        "Timeout": 10,
        **params,
    }


def stored_zip(size: int) -> bytes:
    """A zip of about ``size`` bytes that does not compress (random content, stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("handler.py", ECHO["handler.py"])
        archive.writestr("padding.bin", os.urandom(max(size - 200, 0)))
    return buffer.getvalue()


def too_large(message: str) -> dict:
    """RequestEntityTooLargeException is not modelled for these operations: boto3 shows only the Error."""
    return {"Error": {"Code": "RequestEntityTooLargeException", "Message": message}, "Status": 413}


def test_a_request_over_70167211_bytes_is_refused(lambda_client):
    # snapshot: TestLambdaSizeLimits::test_oversized_request_create_lambda
    package = stored_zip(ZIPPED_LIMIT - KB)
    filler = "#" * (REQUEST_LIMIT - ZIPPED_LIMIT + KB * KB)
    params = create_params(Code={"ZipFile": package}, Environment={"Variables": {"largeKey": filler}})
    assert refused(lambda_client.create_function, **params) == too_large(
        f"Request must be smaller than {REQUEST_LIMIT} bytes for the CreateFunction operation"
    )


def test_a_zip_over_50_mb_is_refused(lambda_client):
    # snapshot: TestLambdaSizeLimits::test_oversized_zipped_create_lambda
    package = stored_zip(ZIPPED_LIMIT + 1)
    assert len(package) > ZIPPED_LIMIT
    assert refused(lambda_client.create_function, **create_params(Code={"ZipFile": package})) == too_large(
        f"Zipped size must be smaller than {ZIPPED_LIMIT} bytes"
    )


def test_contents_over_250_mb_unzipped_are_refused(lambda_client):
    # snapshot: TestLambdaSizeLimits::test_oversized_unzipped_lambda (sent as ZipFile; AWS's went through S3)
    # and ::test_oversized_lambda (2022)
    package = make_zip({"handler.py": ECHO["handler.py"] + "#" * UNZIPPED_LIMIT})
    assert refused(lambda_client.create_function, **create_params(Code={"ZipFile": package})) == invalid(
        f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes"
    )


def test_contents_just_under_the_unzipped_limit_are_accepted(lambda_client):
    # snapshot: TestLambdaSizeLimits::test_large_lambda (sent as ZipFile; AWS's went through S3)
    package = make_zip({"handler.py": ECHO["handler.py"] + "#" * (UNZIPPED_LIMIT - 1000 - len(ECHO["handler.py"]))})
    params = create_params(Code={"ZipFile": package})
    try:
        created = lambda_client.create_function(**params)
        assert body(created) == creating(params["FunctionName"], Timeout=10, Environment=None)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=params["FunctionName"])
    finally:
        lambda_client.delete_function(FunctionName=params["FunctionName"])


def measured(variables: dict) -> str:
    return json.dumps(variables, separators=(",", ":"))


def test_variables_over_4_kb_are_refused_with_the_string_measured(lambda_client, function):
    # snapshot: TestLambdaSizeLimits::test_large_environment_variables_fails and ::..._fails_multiple_keys
    for variables in (
        {"LARGE_VAR": "x" * (4 * KB - 6 - len("LARGE_VAR"))},
        {"SMALL_VAR": "ok", "LARGE_VAR": "x" * 4064},
    ):
        name = unique("large-envvar-lambda")
        assert refused(function, FunctionName=name, Environment={"Variables": variables}) == invalid(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            f"provided exceeded the 4KB limit. String measured: {measured(variables)}"
        )
        assert refused(lambda_client.get_function, FunctionName=name)["Error"]["Code"] == "ResourceNotFoundException"


def test_variables_of_exactly_4_kb_are_accepted(lambda_client, function):
    # snapshot: TestLambdaSizeLimits::test_lambda_envvars_near_limit_succeeds
    variables = {"LARGE_VAR": "x" * (4 * KB - 7 - len("LARGE_VAR"))}
    assert len(measured(variables)) == 4 * KB
    created = function(wait=False, Environment={"Variables": variables})
    assert body(created) == creating(created["FunctionName"], Environment={"Variables": variables})


def test_account_settings_keys(lambda_client):
    # snapshot: TestLambdaAccountSettings::test_account_settings
    settings = body(lambda_client.get_account_settings())
    assert sorted(settings["AccountLimit"]) == [
        "CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions", "TotalCodeSize", "UnreservedConcurrentExecutions",
    ]  # fmt: skip
    assert sorted(settings["AccountUsage"]) == ["FunctionCount", "TotalCodeSize"]


def total_code_size(lambda_client) -> int:
    return lambda_client.get_account_settings()["AccountUsage"]["TotalCodeSize"]


def test_total_code_size_counts_functions_versions_and_layer_versions(lambda_client, function, layer):
    # snapshot: TestLambdaAccountSettings::test_account_settings_total_code_size
    package = make_zip({"index.py": ECHO["handler.py"]})
    before = total_code_size(lambda_client)
    name = function(Code={"ZipFile": package}, Handler="index.handler")["FunctionName"]
    created = total_code_size(lambda_client)
    assert created - before == len(package)
    lambda_client.update_function_code(FunctionName=name, ZipFile=package, Publish=True)
    published = total_code_size(lambda_client)
    assert published - created == len(package)  # the new version counts, right away
    layer_zip = make_zip({"python/layered.py": "X = 1\n"})
    layer_name = unique("testlayer")
    layer(LayerName=layer_name, Content={"ZipFile": layer_zip})
    one_layer = total_code_size(lambda_client)
    assert one_layer - published == len(layer_zip)
    layer(LayerName=layer_name, Content={"ZipFile": layer_zip})
    assert total_code_size(lambda_client) - one_layer == len(layer_zip)


def test_a_configuration_update_changes_no_code_size_until_published(lambda_client, function):
    # snapshot: TestLambdaAccountSettings::test_account_settings_total_code_size_config_update
    before = total_code_size(lambda_client)
    name = function()["FunctionName"]
    created = total_code_size(lambda_client)
    assert created - before > 100
    lambda_client.update_function_configuration(FunctionName=name, Runtime="python3.13")
    wait_updated(lambda_client, name)
    assert total_code_size(lambda_client) == created
    lambda_client.publish_version(FunctionName=name, Description="actually publish the config update")
    assert total_code_size(lambda_client) - created > 100
