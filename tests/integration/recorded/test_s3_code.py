"""Code and layer content given by S3 location, read from the host's AWS endpoint (moto here), as recorded."""

import base64
import hashlib
import io
import urllib.request
import uuid

import pytest

from host.testing.plugin import client_for, make_zip
from tests.integration.aws_endpoint import AwsEndpoint

from .conftest import ECHO, VERSION, unique
from .expect import DATE, LOCATION, ROLE, body, creating, invalid, layer_arn, updating


@pytest.fixture(scope="module")
def aws():
    endpoint = AwsEndpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def client(aws, lambda_host_factory):
    """A host whose AWS endpoint is ``aws`` (moto's server), where S3 code is read from."""
    return client_for(lambda_host_factory(aws_endpoint_url=aws.url))


@pytest.fixture
def bucket(aws):
    name = f"code-{uuid.uuid4().hex[:8]}"
    aws.client("s3").create_bucket(Bucket=name)
    return name


def sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def params(**more) -> dict:
    return {
        "FunctionName": unique("code-function"), "Handler": "index.handler", "PackageType": "Zip",
        "Role": ROLE, "Runtime": "python3.12", **more,
    }  # fmt: skip


def download(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


def test_code_from_s3_is_stored_served_and_updated(client, aws, bucket):
    # snapshot: TestLambdaFunction::test_lambda_code_location_s3
    s3 = aws.client("s3")
    package = make_zip({"index.py": ECHO["handler.py"]})
    s3.upload_fileobj(io.BytesIO(package), bucket, "code/code-function.zip")
    create = params(Code={"S3Bucket": bucket, "S3Key": "code/code-function.zip"})
    name = create["FunctionName"]
    bare = dict(Handler="index.handler", Timeout=3, Environment=None)
    try:
        assert body(client.create_function(**create)) == creating(name, **bare)
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
        shown = client.get_function(FunctionName=name)
        assert download(shown["Code"]["Location"]) == package
        assert (shown["Configuration"]["CodeSha256"], shown["Configuration"]["CodeSize"]) == (
            sha256(package),
            len(package),
        )
        updated_package = make_zip({"index.py": VERSION["handler.py"]})
        s3.upload_fileobj(io.BytesIO(updated_package), bucket, "code/code-function.zip")
        updated = client.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="code/code-function.zip")
        assert body(updated) == updating(name, **bare)
        assert updated["CodeSha256"] == sha256(updated_package)
        shown = client.get_function(FunctionName=name)
        assert download(shown["Code"]["Location"]) == updated_package
        assert shown["Configuration"]["CodeSize"] == len(updated_package)
    finally:
        client.delete_function(FunctionName=name)


def test_a_missing_bucket_or_key_names_s3s_error(client, aws, bucket):
    # snapshot: TestLambdaFunction::test_lambda_code_location_s3_errors
    aws.client("s3").upload_fileobj(io.BytesIO(make_zip(ECHO)), bucket, "code/code-function.zip")
    no_bucket = invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does "
        "not exist"
    )
    no_key = invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."
    )
    from .expect import refused

    missing_bucket = {
        "S3Bucket": f"some-random-non-existent-bucket-{uuid.uuid4().hex[:6]}",
        "S3Key": "code/code-function.zip",
    }
    create = params()
    assert refused(client.create_function, **{**create, "Code": missing_bucket}) == no_bucket
    assert (
        refused(client.create_function, **{**create, "Code": {"S3Bucket": bucket, "S3Key": "non/existent.zip"}})
        == no_key
    )
    client.create_function(**{**create, "Code": {"S3Bucket": bucket, "S3Key": "code/code-function.zip"}})
    name = create["FunctionName"]
    try:
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
        assert refused(client.update_function_code, FunctionName=name, **missing_bucket) == no_bucket
        assert (
            refused(client.update_function_code, FunctionName=name, S3Bucket=bucket, S3Key="non/existent.zip") == no_key
        )
    finally:
        client.delete_function(FunctionName=name)


def test_layer_content_from_s3(client, aws, bucket):
    # snapshot: TestLambdaLayer::test_layer_s3_content
    content = make_zip({"python/layered.py": "X = 1\n"})
    aws.client("s3").upload_fileobj(io.BytesIO(content), bucket, "/layercontent.zip")
    name = unique("bucket-layer")
    published = client.publish_layer_version(LayerName=name, Content={"S3Bucket": bucket, "S3Key": "/layercontent.zip"})
    try:
        assert body(published) == {
            "Content": {"Location": LOCATION, "CodeSha256": sha256(content), "CodeSize": len(content)},
            "LayerArn": layer_arn(name), "LayerVersionArn": layer_arn(name, 1), "Description": "",
            "CreatedDate": DATE, "Version": 1,
        }  # fmt: skip
    finally:
        client.delete_layer_version(LayerName=name, VersionNumber=1)


def test_a_function_from_s3_runs(client, aws, bucket):
    # snapshot: test_lambda.snapshot.json TestLambdaFeatures::test_upload_lambda_from_s3 (creation and invocation)
    aws.client("s3").upload_fileobj(io.BytesIO(make_zip({"index.py": ECHO["handler.py"]})), bucket, "fn.zip")
    create = params(Code={"S3Bucket": bucket, "S3Key": "fn.zip"})
    name = create["FunctionName"]
    try:
        client.create_function(**create)
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
        answer = client.invoke(FunctionName=name, Payload=b'{"foo": "bar with \'quotes\\""}')
        assert answer["ExecutedVersion"] == "$LATEST"
        assert answer["Payload"].read() == b'{"foo": "bar with \'quotes\\""}'
    finally:
        client.delete_function(FunctionName=name)
