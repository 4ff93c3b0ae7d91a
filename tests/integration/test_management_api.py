"""Deploying through boto3: functions and layers, their shapes, and AWS's errors."""

import base64
import contextlib
import io
import json
import re
import urllib.request
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError

from host.testing.plugin import DEFAULT_ROLE, make_zip

HANDLER = {"app.py": "import os\ndef handler(e, c):\n    return {'v': os.environ.get('VAR'), 'n': 1}\n"}
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"


def unique(prefix="fn"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def fresh(lambda_client):
    names = []

    def create(**params):
        name = params.setdefault("FunctionName", unique())
        params.setdefault("Runtime", "python3.11")
        params.setdefault("Role", DEFAULT_ROLE)
        params.setdefault("Handler", "app.handler")
        params.setdefault("Code", {"ZipFile": make_zip(HANDLER)})
        response = lambda_client.create_function(**params)
        names.append(name)
        return response

    yield create
    for name in names:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


def test_create_function_answers_201_pending_in_aws_shape(lambda_client, fresh):
    response = fresh(MemorySize=256, Timeout=5, Environment={"Variables": {"VAR": "x"}}, Description="d")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    name = response["FunctionName"]
    assert response["FunctionArn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert response["State"] == "Pending"
    assert response["StateReason"] == "The function is being created."
    assert response["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in response
    assert response["Version"] == "$LATEST"
    assert response["MemorySize"] == 256 and response["Timeout"] == 5
    assert response["Environment"] == {"Variables": {"VAR": "x"}}
    assert response["PackageType"] == "Zip"
    assert response["Architectures"] == ["x86_64"]
    assert response["EphemeralStorage"] == {"Size": 512}
    assert response["TracingConfig"] == {"Mode": "PassThrough"}
    assert response["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert response["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert re.fullmatch(
        r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}", response["RuntimeVersionConfig"]["RuntimeVersionArn"]
    )
    assert re.fullmatch(TIMESTAMP, response["LastModified"])
    assert len(base64.b64decode(response["CodeSha256"])) == 32
    assert response["CodeSize"] > 0
    uuid.UUID(response["RevisionId"])


def test_a_created_function_becomes_active_and_the_waiter_passes(lambda_client, fresh):
    created = fresh()
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=created["FunctionName"])
    config = lambda_client.get_function_configuration(FunctionName=created["FunctionName"])
    assert config["State"] == "Active"
    assert config["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in config
    assert config["RevisionId"] != created["RevisionId"]


def test_environment_is_absent_when_none_was_given(lambda_client, fresh):
    created = fresh()
    assert "Environment" not in created
    assert "Environment" not in lambda_client.get_function_configuration(FunctionName=created["FunctionName"])


def test_get_function_returns_configuration_code_location_and_tags(lambda_client, fresh):
    created = fresh(Tags={"team": "blue"})
    response = lambda_client.get_function(FunctionName=created["FunctionName"])
    assert response["Configuration"]["FunctionName"] == created["FunctionName"]
    assert response["Code"]["RepositoryType"] == "S3"
    assert response["Tags"] == {"team": "blue"}
    with urllib.request.urlopen(response["Code"]["Location"]) as download:
        assert zipfile.ZipFile(io.BytesIO(download.read())).read("app.py").decode() == HANDLER["app.py"]


def test_get_function_with_latest_qualifier_returns_the_qualified_arn(lambda_client, fresh):
    name = fresh()["FunctionName"]
    config = lambda_client.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]
    assert config["FunctionArn"].endswith(f":function:{name}:$LATEST")


def test_list_functions_pages_and_omits_state(lambda_client, fresh):
    names = {fresh()["FunctionName"] for _ in range(3)}
    seen = []
    for page in lambda_client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
        seen += page["Functions"]
    listed = {f["FunctionName"]: f for f in seen}
    assert names <= set(listed)
    entry = listed[sorted(names)[0]]
    assert "State" not in entry and "LastUpdateStatus" not in entry and "RuntimeVersionConfig" not in entry
    assert entry["Version"] == "$LATEST"


def test_update_function_code_changes_what_runs(lambda_client, fresh):
    name = fresh()["FunctionName"]
    lambda_client.invoke(FunctionName=name)
    new_code = make_zip({"app.py": "def handler(e, c):\n    return 'v2'\n"})
    updated = lambda_client.update_function_code(FunctionName=name, ZipFile=new_code)
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == "v2"


def test_update_function_code_dry_run_answers_with_the_new_code_and_changes_nothing(lambda_client, fresh):
    name = fresh()["FunctionName"]
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    before = lambda_client.get_function_configuration(FunctionName=name)
    new_code = make_zip({"app.py": "def handler(e, c):\n    return 'v2'\n"})
    shown = lambda_client.update_function_code(FunctionName=name, ZipFile=new_code, DryRun=True, Publish=True)
    assert shown["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert shown["CodeSize"] == len(new_code) and shown["CodeSha256"] != before["CodeSha256"]
    assert (shown["RevisionId"], shown["Version"]) == (before["RevisionId"], "$LATEST")
    kept = ("CodeSha256", "RevisionId", "LastModified", "LastUpdateStatus")
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    listed = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST"]  # Publish=True published nothing either
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read())["n"] == 1
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_code(FunctionName=name, ZipFile=b"not a zip", DryRun=True)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_update_function_configuration_changes_variables_and_memory(lambda_client, fresh):
    name = fresh()["FunctionName"]
    lambda_client.invoke(FunctionName=name)
    updated = lambda_client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"VAR": "new"}}, MemorySize=256, Description="changed"
    )
    assert updated["MemorySize"] == 256 and updated["Description"] == "changed"
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read())["v"] == "new"


def test_a_stale_revision_id_is_refused(lambda_client, fresh):
    name = fresh()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(FunctionName=name, Description="x", RevisionId=str(uuid.uuid4()))
    assert caught.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_delete_function_answers_204_and_the_function_is_gone(lambda_client, fresh):
    name = fresh()["FunctionName"]
    response = lambda_client.delete_function(FunctionName=name)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=name)
    assert (
        caught.value.response["Error"]["Message"]
        == f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{name}"
    )
    with pytest.raises(ClientError) as caught:
        lambda_client.delete_function(FunctionName=name)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_creating_a_function_twice_is_409(lambda_client, fresh):
    name = fresh()["FunctionName"]
    with pytest.raises(ClientError) as caught:
        fresh(FunctionName=name)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert error["Error"]["Code"] == "ResourceConflictException"
    assert error["Error"]["Message"] == f"Function already exist: {name}"


def test_a_broken_zip_is_invalid_parameter_value(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Code={"ZipFile": b"this is not a zipfile, just a random string"})
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidParameterValueException"
    assert (
        error["Error"]["Message"] == "Could not unzip uploaded file. Please check your file, then try to upload again."
    )
    assert error["Type"] == "User"


def test_an_unknown_runtime_is_invalid_parameter_value(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Runtime="non-existent-runtime")
    error = caught.value.response
    assert error["Error"]["Code"] == "InvalidParameterValueException"
    assert error["Error"]["Message"].startswith(
        "Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["
    )
    assert error["Error"]["Message"].endswith("] or be a valid ARN")


def test_a_retired_runtime_is_refused(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Runtime="python3.7")
    assert caught.value.response["Error"]["Message"] == (
        "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. "
        "We recommend you use a supported runtime while creating or updating functions."
    )


def test_limits_out_of_range_are_validation_errors(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(MemorySize=20000, Timeout=1000)
    error = caught.value.response
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "2 validation errors detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have "
        "value less than or equal to 10240; Value '1000' at 'timeout' failed to satisfy constraint: Member must have "
        "value less than or equal to 900"
    )


def test_a_bad_role_is_a_validation_error(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Role="r1")
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
    )


def test_reserved_environment_variables_are_refused(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Environment={"Variables": {"AWS_REGION": "x"}})
    assert caught.value.response["Error"]["Message"].endswith("Reserved keys used in this request: AWS_REGION")


def test_environment_variables_over_4_kb_are_refused(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Environment={"Variables": {"BIG": "x" * 4100}})
    assert "exceeded the 4KB limit" in caught.value.response["Error"]["Message"]


def test_operations_on_a_missing_function_are_404(lambda_client):
    for call in (
        lambda: lambda_client.get_function(FunctionName="missing-fn"),
        lambda: lambda_client.get_function_configuration(FunctionName="missing-fn"),
        lambda: lambda_client.update_function_configuration(FunctionName="missing-fn", Timeout=4),
        lambda: lambda_client.update_function_code(FunctionName="missing-fn", ZipFile=make_zip(HANDLER)),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == (
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing-fn"
        )


def test_layer_versions_are_published_read_listed_and_deleted(lambda_client):
    name = unique("layer")
    zipped = make_zip({"python/mod.py": "X = 1\n"})
    first = lambda_client.publish_layer_version(
        LayerName=name, Content={"ZipFile": zipped}, CompatibleRuntimes=["python3.11"], Description="one"
    )
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert first["Version"] == 1
    assert first["LayerArn"] == f"arn:aws:lambda:us-east-1:123456789012:layer:{name}"
    assert first["LayerVersionArn"] == f"{first['LayerArn']}:1"
    assert first["CompatibleRuntimes"] == ["python3.11"]
    assert first["Content"]["CodeSize"] == len(zipped)
    assert "LicenseInfo" not in first
    second = lambda_client.publish_layer_version(LayerName=name, Content={"ZipFile": zipped})
    assert second["Version"] == 2
    fetched = lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert fetched["Description"] == "one"
    by_arn = lambda_client.get_layer_version_by_arn(Arn=first["LayerVersionArn"])
    assert by_arn["Version"] == 1
    listed = lambda_client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in listed] == [2, 1]
    assert "Content" not in listed[0]
    assert (
        lambda_client.delete_layer_version(LayerName=name, VersionNumber=1)["ResponseMetadata"]["HTTPStatusCode"] == 204
    )
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert caught.value.response["Error"]["Message"] == "The resource you requested does not exist."
    assert lambda_client.publish_layer_version(LayerName=name, Content={"ZipFile": zipped})["Version"] == 3
    assert any(layer["LayerName"] == name for layer in lambda_client.list_layers()["Layers"])


def test_list_layer_versions_of_an_unknown_layer_is_empty(lambda_client):
    assert lambda_client.list_layer_versions(LayerName=unique("nolayer"))["LayerVersions"] == []


def test_a_function_with_a_missing_layer_version_is_refused(lambda_client, fresh):
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:doesnotexist:1"
    with pytest.raises(ClientError) as caught:
        fresh(Layers=[arn])
    assert caught.value.response["Error"]["Message"] == f"Layer version {arn} does not exist."


def test_the_layers_field_lists_the_function_layers(lambda_client, fresh):
    layer = lambda_client.publish_layer_version(
        LayerName=unique("layer"), Content={"ZipFile": make_zip({"a.txt": "a"})}
    )
    created = fresh(Layers=[layer["LayerVersionArn"]])
    assert created["Layers"] == [{"Arn": layer["LayerVersionArn"], "CodeSize": layer["Content"]["CodeSize"]}]


def test_list_functions_with_all_versions_gives_qualified_arns(lambda_client, fresh):
    name = fresh()["FunctionName"]
    listed = [f for f in lambda_client.list_functions(FunctionVersion="ALL")["Functions"] if f["FunctionName"] == name]
    assert [f["FunctionArn"] for f in listed] == [f"arn:aws:lambda:us-east-1:123456789012:function:{name}:$LATEST"]
    with pytest.raises(ClientError) as caught:
        lambda_client.list_functions(FunctionVersion="invalid")
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL]"
    )


def test_a_function_can_run_from_a_local_folder(lambda_client, tmp_path):
    source = "def handler(e, c):\n    return 'from the folder'\n"
    (tmp_path / "app.py").write_text(source)
    name = unique()
    created = lambda_client.create_function(
        FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
        Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)},
    )  # fmt: skip
    try:
        assert created["CodeSize"] == len(source)  # the folder's files, as they are on disk
        assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == "from the folder"
    finally:
        lambda_client.delete_function(FunctionName=name)


def test_code_from_s3_is_refused_with_aws_message(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Code={"S3Bucket": "some-bucket", "S3Key": "code.zip"})
    assert caught.value.response["Error"]["Message"] == (
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not "
        "exist"
    )


def test_tags_are_listed_added_and_removed(lambda_client, fresh):
    arn = fresh(Tags={"a": "1"})["FunctionArn"]
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"a": "1"}
    lambda_client.tag_resource(Resource=arn, Tags={"b": "2"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["a"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["b"])
    assert "Tags" not in lambda_client.get_function(FunctionName=arn)


def test_tags_on_a_version_alias_or_latest_arn_are_refused_as_on_aws(lambda_client, fresh):
    arn = fresh(Tags={"a": "1"})["FunctionArn"]
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=arn)
    version_arn = lambda_client.publish_version(FunctionName=arn)["FunctionArn"]
    lambda_client.create_alias(FunctionName=arn, Name="live", FunctionVersion="1")
    message = "Tags on function aliases and versions are not supported. Please specify a function ARN."
    calls = (("tag_resource", {"Tags": {"b": "2"}}), ("untag_resource", {"TagKeys": ["a"]}), ("list_tags", {}))
    for resource in (version_arn, f"{arn}:$LATEST", f"{arn}:live", f"{arn}:v1"):
        for operation, params in calls:
            with pytest.raises(ClientError) as caught:
                getattr(lambda_client, operation)(Resource=resource, **params)
            error = caught.value.response
            status = error["ResponseMetadata"]["HTTPStatusCode"]
            assert (status, error["Error"]["Code"], error["Error"]["Message"], error["Type"]) == (
                400, "InvalidParameterValueException", message, "User",
            )  # fmt: skip
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"a": "1"}


@pytest.mark.parametrize("operation", ["get_function", "delete_function", "invoke", "get_function_configuration"])
def test_a_long_namespaced_name_gets_only_the_pattern_error_as_on_aws(lambda_client, operation):
    name = f"arn:aws:lambda:invalid-region:123456789012:function:my-function{'a' * 170}"
    for qualifier, count in ((None, 1), ("a" * 129, 2)):
        params = {"FunctionName": name} | ({"Qualifier": qualifier} if qualifier else {})
        with pytest.raises(ClientError) as caught:
            getattr(lambda_client, operation)(**params)
        message = caught.value.response["Error"]["Message"]
        assert caught.value.response["Error"]["Code"] == "ValidationException"
        assert message.startswith(f"{count} validation error")
        assert "less than or equal to 140" not in message
        assert f"Value '{name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular" in message


def test_create_function_still_reports_the_140_character_limit(lambda_client):
    name = f"arn:aws:lambda:invalid-region:123456789012:function:my-function{'a' * 170}"
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip(HANDLER)},
        )  # fmt: skip
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    problem = f"Value '{name}' at 'functionName' failed to satisfy constraint: "
    assert problem + "Member must have length less than or equal to 140" in message


def test_account_settings_report_limits_and_usage(lambda_client, fresh):
    fresh()
    settings = lambda_client.get_account_settings()
    assert settings["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert settings["AccountUsage"]["FunctionCount"] >= 1


def test_a_nul_character_in_a_variable_is_refused(lambda_client, fresh):
    with pytest.raises(ClientError) as caught:
        fresh(Environment={"Variables": {"BAD": "a\x00b"}})
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
