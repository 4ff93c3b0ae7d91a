"""From template resources to CreateFunction and PublishLayerVersion parameters, and what is left out."""

import base64
import io
import zipfile

import pytest

from host.templates.intrinsics import Resolver
from host.templates.loader import TemplateError
from host.templates.plan import (
    LOGICAL_ID_TAG,
    STACK_TAG,
    ImageBuild,
    Omissions,
    function_specs,
    layer_specs,
    merge_globals,
)

ACCOUNT = "123456789012"
STACK = "lambda-host"


def serverless(**props):
    return {"Type": "AWS::Serverless::Function", "Properties": props}


def lambda_function(**props):
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def resolver(**values):
    conditions = {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
    }
    return Resolver({"Stage": "prod", **values}, {}, conditions, {})


def plan(resources, tmp_path, globals_=None, omitted=None, resolve=None):
    return function_specs(
        resources,
        globals_ or {},
        resolve or resolver(),
        tmp_path,
        ACCOUNT,
        STACK,
        omitted if omitted is not None else Omissions(),
    )


def only(resources, tmp_path, **kwargs):
    specs = plan(resources, tmp_path, **kwargs)
    assert len(specs) == 1
    return specs[0]


def unzip(encoded: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded))) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture
def code(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    return folder


# -- Omissions.warning -------------------------------------------------------------------------------


def test_the_warning_is_none_when_nothing_was_left_out():
    assert Omissions().warning("template.yaml", set()) is None


def test_the_warning_sorts_unsupported_and_unknown_intrinsics_together():
    omitted = Omissions(unsupported={"Fn.Events", "Api (AWS::Serverless::Api)"})
    assert omitted.warning("template.yaml", {"Fn::ImportValue"}) == (
        "template.yaml: not understood, left out: Api (AWS::Serverless::Api), Fn.Events, Fn::ImportValue"
    )


def test_the_warning_names_what_has_no_local_meaning_in_a_part_of_its_own():
    omitted = Omissions(unsupported={"Fn.Events"}, no_local_meaning={"Fn.VpcConfig", "Fn.Policies"})
    assert omitted.warning("t.yaml", set()) == (
        "t.yaml: not understood, left out: Fn.Events; no meaning locally, ignored: Fn.Policies, Fn.VpcConfig"
    )


def test_the_warning_with_only_unknown_intrinsics():
    assert Omissions().warning("t.yaml", {"Ref Nope"}) == "t.yaml: not understood, left out: Ref Nope"


def test_the_warning_with_only_what_has_no_local_meaning():
    assert Omissions(no_local_meaning={"Fn.Policies"}).warning("t.yaml", set()) == (
        "t.yaml: no meaning locally, ignored: Fn.Policies"
    )


# -- code ----------------------------------------------------------------------------------------------


def test_a_code_folder_runs_in_place(tmp_path, code):
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Handler="app.handler")}, tmp_path)
    assert spec.params["Code"] == {"S3Bucket": "hot-reload", "S3Key": str(code.resolve())}


def test_code_uri_defaults_to_the_template_folder(tmp_path):
    spec = only({"Fn": serverless(Runtime="python3.12", Handler="app.handler")}, tmp_path)
    assert spec.params["Code"] == {"S3Bucket": "hot-reload", "S3Key": str(tmp_path.resolve())}


def test_a_code_path_is_relative_to_the_template_folder_and_made_absolute(tmp_path, code):
    (tmp_path / "other").mkdir()
    spec = only({"Fn": serverless(CodeUri="other/../src", Runtime="python3.12")}, tmp_path)
    assert spec.params["Code"]["S3Key"] == str(code.resolve())


def test_a_zip_file_is_uploaded(tmp_path):
    data = b"PK\x03\x04 not really a zip, sent as it is"
    (tmp_path / "fn.zip").write_bytes(data)
    spec = only({"Fn": serverless(CodeUri="fn.zip", Runtime="python3.12")}, tmp_path)
    assert spec.params["Code"] == {"ZipFile": base64.b64encode(data).decode()}


def test_a_missing_code_path_is_a_template_error_naming_the_function(tmp_path):
    with pytest.raises(TemplateError, match=r"function Worker: code location gone/ does not exist") as caught:
        plan({"Worker": serverless(CodeUri="gone/", Runtime="python3.12")}, tmp_path)
    assert str(tmp_path / "gone") in str(caught.value)


def test_code_in_s3_is_left_out(tmp_path):
    omitted = Omissions()
    resources = {"Fn": serverless(CodeUri={"Bucket": "b", "Key": "k.zip"}, Runtime="python3.12")}
    assert plan(resources, tmp_path, omitted=omitted) == []
    assert omitted.unsupported == {"Fn (code in S3 or an image: give a local folder or zip)"}


def test_cloudformation_code_in_s3_is_left_out(tmp_path):
    omitted = Omissions()
    resources = {"Fn": lambda_function(Code={"S3Bucket": "b", "S3Key": "k.zip"}, Runtime="python3.12")}
    assert plan(resources, tmp_path, omitted=omitted) == []
    assert omitted.unsupported == {"Fn (code in S3 or an image: give a local folder or zip)"}


def test_cloudformation_code_as_a_local_path_runs_in_place(tmp_path, code):
    spec = only({"Fn": lambda_function(Code="src", Runtime="python3.12", Handler="app.handler")}, tmp_path)
    assert spec.params["Code"] == {"S3Bucket": "hot-reload", "S3Key": str(code.resolve())}


@pytest.mark.parametrize(
    ("runtime", "filename"),
    [("python3.12", "index.py"), ("nodejs20.x", "index.js"), ("provided.al2023", "index"), (None, "index")],
)
def test_inline_code_is_zipped_as_cloudformation_names_it(tmp_path, runtime, filename):
    source = "def handler(event, context):\n    return 'inline'\n"
    props = {"InlineCode": source, "Handler": "index.handler"}
    if runtime is not None:
        props["Runtime"] = runtime
    spec = only({"Fn": serverless(**props)}, tmp_path)
    assert set(spec.params["Code"]) == {"ZipFile"}
    assert unzip(spec.params["Code"]["ZipFile"]) == {filename: source.encode()}


def test_cloudformation_zip_file_code_is_zipped_like_inline_code(tmp_path):
    source = "exports.handler = async () => 'hi';\n"
    spec = only({"Fn": lambda_function(Code={"ZipFile": source}, Runtime="nodejs20.x")}, tmp_path)
    assert unzip(spec.params["Code"]["ZipFile"]) == {"index.js": source.encode()}


def test_inline_code_zips_are_the_same_for_the_same_source(tmp_path):
    resources = {
        "A": serverless(InlineCode="x = 1\n", Runtime="python3.12"),
        "B": lambda_function(Code={"ZipFile": "x = 1\n"}, Runtime="python3.12"),
    }
    first, second = plan(resources, tmp_path)
    assert first.params["Code"] == second.params["Code"]  # fixed timestamps: redeploys change nothing
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(first.params["Code"]["ZipFile"]))) as archive:
        (info,) = archive.infolist()
    assert info.date_time == (1980, 1, 1, 0, 0, 0)
    assert info.external_attr >> 16 == 0o644


def test_inline_code_wins_over_code_uri(tmp_path):
    spec = only({"Fn": serverless(InlineCode="x = 1", CodeUri="missing", Runtime="python3.12")}, tmp_path)
    assert unzip(spec.params["Code"]["ZipFile"]) == {"index.py": b"x = 1"}


# -- parameters ------------------------------------------------------------------------------------------


def test_create_function_parameters_with_defaults(tmp_path, code):
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Handler="app.handler")}, tmp_path)
    assert spec.logical_id == "Fn"
    assert spec.name == "Fn"
    assert spec.params == {
        "FunctionName": "Fn",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": f"arn:aws:iam::{ACCOUNT}:role/lambda-host-Fn",
        "Code": {"S3Bucket": "hot-reload", "S3Key": str(code.resolve())},
        "Layers": [],
        "Tags": {STACK_TAG: STACK, LOGICAL_ID_TAG: "Fn", "lambda:createdBy": "SAM"},
    }
    extras = [spec.alias, spec.version_description, spec.url, spec.reserved_concurrency, spec.event_invoke]
    assert extras == [None] * 5


def test_properties_are_passed_on_resolved(tmp_path, code):
    props = {
        "CodeUri": "src",
        "FunctionName": {"Fn::Sub": "app-${Stage}"},
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "MemorySize": {"Fn::If": ["IsProd", 1024, 128]},
        "Timeout": 30,
        "Description": "the app",
        "Role": "arn:aws:iam::123456789012:role/given",
        "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
        "EphemeralStorage": {"Size": 1024},
        "Architectures": ["arm64"],
        "LoggingConfig": {"LogFormat": "JSON"},
    }
    spec = only({"Fn": serverless(**props)}, tmp_path)
    assert spec.name == "app-prod"
    params = spec.params
    assert params["FunctionName"] == "app-prod"
    assert params["MemorySize"] == 1024
    assert params["Timeout"] == 30
    assert params["Description"] == "the app"
    assert params["Role"] == "arn:aws:iam::123456789012:role/given"
    assert params["Layers"] == ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"]
    assert params["EphemeralStorage"] == {"Size": 1024}
    assert params["Architectures"] == ["arm64"]
    assert params["LoggingConfig"] == {"LogFormat": "JSON"}


def test_the_default_role_is_cut_to_140_characters(tmp_path, code):
    name = "f" * 64
    spec = only({"Fn": serverless(CodeUri="src", FunctionName=name, Runtime="python3.12")}, tmp_path)
    assert spec.params["Role"] == f"arn:aws:iam::{ACCOUNT}:role/lambda-host-{name}"[:140]
    assert len(spec.params["Role"]) <= 140


def test_environment_variables_become_strings(tmp_path, code):
    variables = {"TEXT": "a", "NUMBER": 5, "ON": True, "OFF": False, "NOTHING": None}
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Environment={"Variables": variables})}, tmp_path)
    assert spec.params["Environment"] == {
        "Variables": {"TEXT": "a", "NUMBER": "5", "ON": "true", "OFF": "false", "NOTHING": ""}
    }


def test_an_environment_without_variables_is_an_empty_one(tmp_path, code):
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Environment=None)}, tmp_path)
    assert "Environment" not in spec.params  # null: as if not given
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Environment={})}, tmp_path)
    assert spec.params["Environment"] == {"Variables": {}}


@pytest.mark.parametrize(
    ("tracing", "mode"), [("Active", "Active"), ("PassThrough", "PassThrough"), ("x", "PassThrough")]
)
def test_sam_tracing_becomes_a_tracing_config(tmp_path, code, tracing, mode):
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Tracing=tracing)}, tmp_path)
    assert spec.params["TracingConfig"] == {"Mode": mode}


def test_cloudformation_tracing_config_is_passed_on(tmp_path, code):
    spec = only({"Fn": lambda_function(Code="src", Runtime="python3.12", TracingConfig={"Mode": "Active"})}, tmp_path)
    assert spec.params["TracingConfig"] == {"Mode": "Active"}


def test_without_tracing_there_is_no_tracing_config(tmp_path, code):
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12")}, tmp_path)
    assert "TracingConfig" not in spec.params


# -- Globals ---------------------------------------------------------------------------------------------


def test_globals_fill_what_a_function_does_not_say(tmp_path, code):
    globals_ = {"Runtime": "python3.11", "Handler": "app.handler", "Timeout": 10, "MemorySize": 256}
    resources = {"Fn": serverless(CodeUri="src", Timeout=3)}
    spec = only(resources, tmp_path, globals_=globals_)
    assert spec.params["Runtime"] == "python3.11"
    assert spec.params["Handler"] == "app.handler"
    assert spec.params["MemorySize"] == 256
    assert spec.params["Timeout"] == 3  # the function's own wins


def test_globals_are_resolved(tmp_path, code):
    globals_ = {"Runtime": "python3.12", "Description": {"Fn::Sub": "stage ${Stage}"}}
    spec = only({"Fn": serverless(CodeUri="src")}, tmp_path, globals_=globals_)
    assert spec.params["Description"] == "stage prod"


def test_environment_variables_merge_with_the_functions_own_winning(tmp_path, code):
    globals_ = {"Environment": {"Variables": {"TABLE": "t", "LEVEL": "info"}}}
    resources = {
        "A": serverless(CodeUri="src", Runtime="python3.12", Environment={"Variables": {"LEVEL": "debug", "A": 1}}),
        "B": serverless(CodeUri="src", Runtime="python3.12"),
    }
    a, b = plan(resources, tmp_path, globals_=globals_)
    assert a.params["Environment"] == {"Variables": {"TABLE": "t", "LEVEL": "debug", "A": "1"}}
    assert b.params["Environment"] == {"Variables": {"TABLE": "t", "LEVEL": "info"}}


def test_the_environment_merge_leaves_the_globals_unchanged_for_the_next_function(tmp_path, code):
    globals_ = {"Environment": {"Variables": {"TABLE": "t"}}}
    resources = {
        "A": serverless(CodeUri="src", Runtime="python3.12", Environment={"Variables": {"A": "1"}}),
        "B": serverless(CodeUri="src", Runtime="python3.12", Environment={"Variables": {"B": "2"}}),
    }
    a, b = plan(resources, tmp_path, globals_=globals_)
    assert a.params["Environment"] == {"Variables": {"TABLE": "t", "A": "1"}}
    assert b.params["Environment"] == {"Variables": {"TABLE": "t", "B": "2"}}
    assert globals_ == {"Environment": {"Variables": {"TABLE": "t"}}}


def test_globals_do_not_apply_to_cloudformation_functions(tmp_path, code):
    globals_ = {"Timeout": 10, "Environment": {"Variables": {"TABLE": "t"}}}
    spec = only({"Fn": lambda_function(Code="src", Runtime="python3.12")}, tmp_path, globals_=globals_)
    assert "Timeout" not in spec.params
    assert "Environment" not in spec.params


# -- tags ----------------------------------------------------------------------------------------------


def test_sam_tags_are_a_map_with_the_stack_tags_added(tmp_path, code):
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Tags={"team": "a", "cost": 12})}, tmp_path)
    assert spec.params["Tags"] == {
        "team": "a",
        "cost": "12",
        STACK_TAG: STACK,
        LOGICAL_ID_TAG: "Fn",
        "lambda:createdBy": "SAM",
    }


def test_cloudformation_tags_are_a_list_of_key_and_value(tmp_path, code):
    tags = [{"Key": "team", "Value": "a"}, {"Key": "cost", "Value": 12}, "not a tag"]
    spec = only({"Fn": lambda_function(Code="src", Runtime="python3.12", Tags=tags)}, tmp_path)
    assert spec.params["Tags"] == {"team": "a", "cost": "12", STACK_TAG: STACK, LOGICAL_ID_TAG: "Fn"}


def test_the_stack_tags_cannot_be_overridden_by_the_template(tmp_path, code):
    tags = {STACK_TAG: "other", LOGICAL_ID_TAG: "Else"}
    spec = only({"Fn": serverless(CodeUri="src", Runtime="python3.12", Tags=tags)}, tmp_path)
    assert spec.params["Tags"][STACK_TAG] == STACK
    assert spec.params["Tags"][LOGICAL_ID_TAG] == "Fn"


# -- SAM's extras ----------------------------------------------------------------------------------------


def test_sam_extras_are_captured(tmp_path, code):
    props = {
        "CodeUri": "src",
        "Runtime": "python3.12",
        "AutoPublishAlias": "live",
        "VersionDescription": "v",
        "FunctionUrlConfig": {"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}},
        "ReservedConcurrentExecutions": "5",
        "EventInvokeConfig": {"MaximumRetryAttempts": 0},
    }
    spec = only({"Fn": serverless(**props)}, tmp_path)
    assert spec.alias == "live"
    assert spec.version_description == "v"
    assert spec.url == {"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}}
    assert spec.reserved_concurrency == 5
    assert spec.event_invoke == {"MaximumRetryAttempts": 0}
    for key in props.keys() - {"CodeUri", "Runtime"}:
        assert key not in spec.params  # not CreateFunction's


def test_cloudformation_reserved_concurrency_is_captured(tmp_path, code):
    spec = only({"Fn": lambda_function(Code="src", Runtime="python3.12", ReservedConcurrentExecutions=0)}, tmp_path)
    assert spec.reserved_concurrency == 0
    assert spec.alias is None


# -- what is left out ------------------------------------------------------------------------------------


def test_an_unknown_property_is_noted_as_unsupported(tmp_path, code):
    omitted = Omissions()
    resources = {"Fn": serverless(CodeUri="src", Runtime="python3.12", Events={"Api": {}}, SnapStart={})}
    spec = only(resources, tmp_path, omitted=omitted)
    assert "Events" not in spec.params
    assert omitted.unsupported == {"Fn.SnapStart"}  # Events are deployed as mappings (or noted) by the deployer
    assert omitted.no_local_meaning == set()


def test_a_sam_property_is_unknown_to_a_cloudformation_function(tmp_path, code):
    omitted = Omissions()
    only({"Fn": lambda_function(Code="src", Runtime="python3.12", AutoPublishAlias="live")}, tmp_path, omitted=omitted)
    assert omitted.unsupported == {"Fn.AutoPublishAlias"}


def test_policies_and_networking_have_no_local_meaning(tmp_path, code):
    omitted = Omissions()
    resources = {
        "Fn": serverless(
            CodeUri="src", Runtime="python3.12", Policies=["AWSLambdaBasicExecutionRole"], VpcConfig={"SubnetIds": []}
        )
    }
    spec = only(resources, tmp_path, omitted=omitted)
    assert omitted.no_local_meaning == {"Fn.Policies", "Fn.VpcConfig"}
    assert omitted.unsupported == set()
    assert "Policies" not in spec.params


def test_an_image_function_with_image_uri_is_deployed_without_runtime_handler_or_layers(tmp_path):
    omitted = Omissions()
    resources = {"Fn": serverless(PackageType="Image", ImageUri="repo:tag", ImageConfig={"Command": ["app.h"]})}
    globals_ = {"Runtime": "python3.12", "Handler": "app.handler", "Layers": ["arn:x"], "Timeout": 9}
    spec = only(resources, tmp_path, globals_=globals_, omitted=omitted)
    assert spec.params["Code"] == {"ImageUri": "repo:tag"}
    assert spec.params["PackageType"] == "Image" and spec.params["ImageConfig"] == {"Command": ["app.h"]}
    assert spec.params["Timeout"] == 9
    assert not {"Runtime", "Handler", "Layers"} & set(spec.params)
    assert spec.image_build is None and omitted.unsupported == set()


def test_an_image_functions_metadata_is_built_as_sam_build_tags_it(tmp_path):
    (tmp_path / "fn").mkdir()
    resource = serverless(PackageType="Image", ImageUri="ignored:tag")
    resource["Metadata"] = {
        "Dockerfile": "Dockerfile.dev",
        "DockerContext": "./fn",
        "DockerTag": "v1",
        "DockerBuildArgs": {"A": 1, "B": True},
    }
    spec = only({"HelloFunction": resource}, tmp_path)
    expected = ImageBuild(tmp_path / "fn", "Dockerfile.dev", "hellofunction:v1", {"A": "1", "B": "true"})
    assert spec.image_build == expected
    assert spec.params["Code"] == {"ImageUri": "hellofunction:v1"}


def test_a_cloudformation_image_function_reads_code_image_uri(tmp_path):
    spec = only({"Fn": lambda_function(PackageType="Image", Code={"ImageUri": "local:1"})}, tmp_path)
    assert spec.params["Code"] == {"ImageUri": "local:1"} and spec.params["PackageType"] == "Image"


def test_an_image_function_without_an_image_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError, match="PackageType Image needs ImageUri or Metadata"):
        plan({"Fn": serverless(PackageType="Image")}, tmp_path)


def test_a_resource_whose_condition_is_false_is_skipped(tmp_path, code):
    resources = {
        "ProdOnly": {**serverless(CodeUri="src", Runtime="python3.12"), "Condition": "IsProd"},
        "DevOnly": {**serverless(CodeUri="missing-but-never-read", Runtime="python3.12"), "Condition": "IsDev"},
    }
    assert [spec.logical_id for spec in plan(resources, tmp_path)] == ["ProdOnly"]
    assert [spec.logical_id for spec in plan(resources, tmp_path, resolve=resolver(Stage="qa"))] == []


def test_other_resource_types_are_not_functions(tmp_path, code):
    resources = {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "t"}},
        "Layer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "src"}},
        "Fn": serverless(CodeUri="src", Runtime="python3.12"),
    }
    omitted = Omissions()
    assert [spec.logical_id for spec in plan(resources, tmp_path, omitted=omitted)] == ["Fn"]
    assert omitted.unsupported == set()  # other types are the deployer's to name


def test_functions_keep_the_templates_order(tmp_path, code):
    resources = {name: serverless(CodeUri="src", Runtime="python3.12") for name in ("Zeta", "Alpha", "Mid")}
    assert [spec.name for spec in plan(resources, tmp_path)] == ["Zeta", "Alpha", "Mid"]


# -- layers ----------------------------------------------------------------------------------------------


def test_a_layer_folder_is_zipped_with_its_settings(tmp_path):
    folder = tmp_path / "deps" / "python"
    folder.mkdir(parents=True)
    (folder / "lib.py").write_text("VALUE = 1\n")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "lib.cpython-312.pyc").write_bytes(b"cache")
    resources = {
        "Deps": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {
                "ContentUri": "deps",
                "LayerName": {"Fn::Sub": "deps-${Stage}"},
                "CompatibleRuntimes": ["python3.12"],
                "Description": "shared code",
                "LicenseInfo": None,
            },
        }
    }
    omitted = Omissions()
    (spec,) = layer_specs(resources, resolver(), tmp_path, omitted)
    assert spec.logical_id == "Deps"
    assert spec.name == "deps-prod"
    assert spec.params == {"Description": "shared code", "CompatibleRuntimes": ["python3.12"]}
    with zipfile.ZipFile(io.BytesIO(spec.content)) as archive:
        assert archive.namelist() == ["python/lib.py"]
        assert archive.read("python/lib.py") == b"VALUE = 1\n"
    assert omitted == Omissions()


def test_a_cloudformation_layer_zip_is_read_as_it_is(tmp_path):
    (tmp_path / "layer.zip").write_bytes(b"zip bytes")
    resources = {"Deps": {"Type": "AWS::Lambda::LayerVersion", "Properties": {"Content": "layer.zip"}}}
    (spec,) = layer_specs(resources, resolver(), tmp_path, Omissions())
    assert spec.name == "Deps"
    assert spec.content == b"zip bytes"
    assert spec.params == {}


def test_layer_content_in_s3_is_left_out(tmp_path):
    resources = {
        "Deps": {"Type": "AWS::Lambda::LayerVersion", "Properties": {"Content": {"S3Bucket": "b", "S3Key": "k"}}}
    }
    omitted = Omissions()
    assert layer_specs(resources, resolver(), tmp_path, omitted) == []
    assert omitted.unsupported == {"Deps (layer content in S3: give a local folder or zip)"}


def test_a_missing_layer_folder_is_a_template_error_naming_the_layer(tmp_path):
    resources = {"Deps": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "nope"}}}
    with pytest.raises(TemplateError, match="layer Deps: content location nope does not exist"):
        layer_specs(resources, resolver(), tmp_path, Omissions())


def test_layer_properties_not_understood_are_noted(tmp_path):
    (tmp_path / "layer.zip").write_bytes(b"zip")
    resources = {
        "Deps": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {"ContentUri": "layer.zip", "RetentionPolicy": "Retain", "Shiny": 1},
        }
    }
    omitted = Omissions()
    layer_specs(resources, resolver(), tmp_path, omitted)
    assert omitted.unsupported == {"Deps.Shiny"}
    assert omitted.no_local_meaning == {"Deps.RetentionPolicy"}


def test_a_layer_whose_condition_is_false_is_skipped(tmp_path):
    resources = {
        "Deps": {"Type": "AWS::Serverless::LayerVersion", "Condition": "IsDev", "Properties": {"ContentUri": "x"}}
    }
    assert layer_specs(resources, resolver(), tmp_path, Omissions()) == []


def test_globals_merge_maps_and_add_up_lists_as_sam_does():
    merged = merge_globals(
        {"Layers": ["g"], "Tags": {"team": "a", "env": "g"}, "Timeout": 3, "Environment": {"Variables": {"A": "1"}}},
        {"Layers": ["own"], "Tags": {"env": "own"}, "Timeout": 9, "Environment": {"Variables": {"B": "2"}}},
    )
    assert merged == {
        "Layers": ["g", "own"], "Tags": {"team": "a", "env": "own"}, "Timeout": 9,
        "Environment": {"Variables": {"A": "1", "B": "2"}},
    }  # fmt: skip
