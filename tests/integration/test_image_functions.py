"""Container image functions: user images built FROM the project's AWS-named base images, run by
the host as Lambda runs them, and the same images answering ``docker run -p`` through the emulator."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
import time
from pathlib import Path

import docker
import pytest
import requests
from botocore.exceptions import ClientError

from host.host import Host
from host.images import aws_bases
from host.images.builder import ImageBuilder
from host.images.definitions import load_definitions
from host.testing.plugin import DEFAULT_ROLE, client_for

PY_APP = """
import os, time

counter = 0

def handler(event, context):
    global counter
    counter += 1
    if event.get("fail"):
        raise ValueError("bad " + event["fail"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("allocate_mb"):
        hog = [bytearray(1024 * 1024) for _ in range(event["allocate_mb"])]
    return {
        "version": VERSION,
        "counter": counter,
        "cwd": os.getcwd(),
        "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
        "name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "memory": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
        "user": os.environ.get("GREETING"),
        "from_image": os.environ.get("FROM_IMAGE"),
        "mark": os.environ.get("MARK"),
        "request_id": context.aws_request_id,
    }

def other(event, context):
    return {"other": True, "cwd": os.getcwd(), "mark": os.environ.get("MARK")}
"""

PY_DOCKERFILE = """FROM public.ecr.aws/lambda/python:3.11
ARG VERSION=one
ENV FROM_IMAGE=yes
COPY app.py ${LAMBDA_TASK_ROOT}
RUN sed -i "1i VERSION = '${VERSION}'" ${LAMBDA_TASK_ROOT}/app.py
COPY entry.sh /entry.sh
CMD ["app.handler"]
"""

ENTRY_SH = '#!/bin/sh\nexport MARK=entry\nexec /lambda-entrypoint.sh "$@"\n'

NODE_APP = """
exports.handler = async (event, context) => {
  if (event.fail) { throw new TypeError("node says " + event.fail); }
  return { node: process.version, task_root: process.env.LAMBDA_TASK_ROOT, echo: event, id: context.awsRequestId };
};
"""

NODE_DOCKERFILE = """FROM public.ecr.aws/lambda/nodejs:20
COPY index.js ${LAMBDA_TASK_ROOT}/
CMD ["index.handler"]
"""


def _ensure_aws_bases(client: docker.DockerClient) -> None:
    """The AWS-named base images the test Dockerfiles start FROM (built from the runtime images)."""
    definitions = load_definitions()
    builder = ImageBuilder(client, say=lambda line: None, chatty=False)
    for runtime in ("python3.11", "nodejs20.x"):
        builder.ensure(definitions[runtime])


def build_image(client: docker.DockerClient, folder: Path, files: dict[str, str], tag: str, **buildargs) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content)
        (folder / name).chmod(0o755 if name.endswith(".sh") else 0o644)
    for chunk in client.api.build(path=str(folder), tag=tag, rm=True, forcerm=True, decode=True, buildargs=buildargs):
        if "error" in chunk:
            raise RuntimeError(chunk["error"])
    return tag


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """Three user images (two Python versions of one function, one Node.js), removed afterwards."""
    client = docker.from_env()
    _ensure_aws_bases(client)
    run = secrets.token_hex(4)
    root = tmp_path_factory.mktemp("images")
    built: dict[str, str] = {}
    try:
        py_files = {"Dockerfile": PY_DOCKERFILE, "app.py": PY_APP, "entry.sh": ENTRY_SH}
        built["py1"] = build_image(client, root / "py1", py_files, f"lambda-host-test/py-{run}:one", VERSION="one")
        built["py2"] = build_image(client, root / "py2", py_files, f"lambda-host-test/py-{run}:two", VERSION="two")
        node_files = {"Dockerfile": NODE_DOCKERFILE, "index.js": NODE_APP}
        built["node"] = build_image(client, root / "node", node_files, f"lambda-host-test/node-{run}:one")
        yield built
    finally:
        for tag in built.values():
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(tag, force=True)


@pytest.fixture
def create_image_function(lambda_client):
    created: list[str] = []

    def create(image_uri: str, client=None, **params) -> str:
        client = client or lambda_client
        name = f"img-{secrets.token_hex(5)}"
        client.create_function(
            FunctionName=name, Role=DEFAULT_ROLE, PackageType="Image", Code={"ImageUri": image_uri}, **params
        )
        created.append(name)
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        return name

    yield create
    for name in created:
        with contextlib.suppress(Exception):
            lambda_client.delete_function(FunctionName=name)


def call(client, name, event, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_an_image_from_the_aws_python_base_runs_with_its_image_env_and_the_lambda_variables(
    lambda_client, images, create_image_function
):
    name = create_image_function(images["py1"], Environment={"Variables": {"GREETING": "hi"}}, MemorySize=256)
    response, body = call(lambda_client, name, {}, LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert body["version"] == "one"
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert body["cwd"] == "/var/task" and body["task_root"] == "/var/task"
    assert (body["name"], body["memory"], body["user"], body["from_image"]) == (name, "256", "hi", "yes")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "START RequestId:" in log and "REPORT RequestId:" in log and "Init Duration" in log
    # Warm: the same runtime process answers the next invocation.
    _, again = call(lambda_client, name, {}, LogType="Tail")
    assert again["counter"] == 2


def test_get_function_shows_the_image_as_aws_does(lambda_client, images, create_image_function):
    name = create_image_function(images["py1"])
    got = lambda_client.get_function(FunctionName=name)
    image_id = docker.from_env().images.get(images["py1"]).id
    repository = images["py1"].rsplit(":", 1)[0]
    assert got["Code"] == {
        "RepositoryType": "ECR",
        "ImageUri": images["py1"],
        "ResolvedImageUri": f"{repository}@{image_id}",
    }
    config = got["Configuration"]
    assert config["PackageType"] == "Image"
    assert "Runtime" not in config and "Handler" not in config and "RuntimeVersionConfig" not in config
    assert config["ImageConfigResponse"] == {}  # as AWS shows an image function without ImageConfig
    assert config["CodeSize"] == 0 and config["CodeSha256"] == image_id.split(":")[1]
    listed = [f for f in lambda_client.list_functions()["Functions"] if f["FunctionName"] == name]
    assert listed[0]["PackageType"] == "Image" and "Runtime" not in listed[0]


def test_a_handler_error_and_a_timeout_have_lambdas_shapes(lambda_client, images, create_image_function):
    name = create_image_function(images["py1"], Timeout=1)
    response, body = call(lambda_client, name, {"fail": "input"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input"
    started = time.monotonic()
    response, body = call(lambda_client, name, {"sleep": 5})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert body == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    assert time.monotonic() - started < 3
    _, after = call(lambda_client, name, {})
    assert after["counter"] == 1  # a fresh runtime after the timeout


def test_memory_size_is_the_image_functions_memory_limit(lambda_client, images, create_image_function):
    name = create_image_function(images["py1"], MemorySize=128, Timeout=30)
    response, body = call(lambda_client, name, {"allocate_mb": 400})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert body == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
    }


def test_a_nodejs_image_runs_its_handler_and_reports_errors(lambda_client, images, create_image_function):
    name = create_image_function(images["node"])
    response, body = call(lambda_client, name, {"a": 1})
    assert body["node"].startswith("v") and body["task_root"] == "/var/task" and body["echo"] == {"a": 1}
    assert body["id"] == response["ResponseMetadata"]["RequestId"]
    response, body = call(lambda_client, name, {"fail": "no"})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "node says no"


def test_update_function_code_moves_latest_to_a_new_image_while_versions_keep_theirs(
    lambda_client, images, create_image_function
):
    name = create_image_function(images["py1"])
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lambda_client.update_function_code(FunctionName=name, ImageUri=images["py2"])
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    assert lambda_client.get_function(FunctionName=name)["Code"]["ImageUri"] == images["py2"]
    assert call(lambda_client, name, {})[1]["version"] == "two"
    assert call(lambda_client, name, {}, Qualifier=version)[1]["version"] == "one"
    response, body = call(lambda_client, f"{name}:live", {})
    assert body["version"] == "one" and response["ExecutedVersion"] == version
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_code(FunctionName=name, ZipFile=b"PK")
    assert caught.value.response["Error"]["Message"] == (
        "Please provide ImageUri when updating a function with packageType Image."
    )


def test_image_config_overrides_entrypoint_command_and_working_directory(lambda_client, images, create_image_function):
    config = {"EntryPoint": ["/entry.sh"], "Command": ["app.other"], "WorkingDirectory": "/var/runtime"}
    name = create_image_function(images["py1"], ImageConfig=config)
    shown = lambda_client.get_function_configuration(FunctionName=name)["ImageConfigResponse"]
    assert shown == {"ImageConfig": config}
    _, body = call(lambda_client, name, {})
    assert body == {"other": True, "cwd": "/var/runtime", "mark": "entry"}
    # Only the command changed: the image's own ENTRYPOINT (/lambda-entrypoint.sh) runs it.
    lambda_client.update_function_configuration(FunctionName=name, ImageConfig={"Command": ["app.handler"]})
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    _, body = call(lambda_client, name, {})
    assert body["version"] == "one" and body["mark"] is None and body["cwd"] == "/var/task"
    # An entry point named without its path is found on the image's PATH, as Docker finds it.
    lambda_client.update_function_configuration(
        FunctionName=name, ImageConfig={"EntryPoint": ["sh", "/entry.sh"], "Command": ["app.other"]}
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    _, body = call(lambda_client, name, {})
    assert body == {"other": True, "cwd": "/var/task", "mark": "entry"}


def test_a_missing_image_and_handler_or_runtime_on_an_image_function_are_refused_as_aws_refuses_them(
    lambda_client, images
):
    name = f"img-{secrets.token_hex(5)}"
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(
            FunctionName=name, Role=DEFAULT_ROLE, PackageType="Image", Code={"ImageUri": "no-such/image:tag"}
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"] == "Source image no-such/image:tag does not exist. Provide a valid source image."
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(
            FunctionName=name, Role=DEFAULT_ROLE, PackageType="Docker", Code={"ImageUri": images["py1"]}
        )
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert (
        "Value 'Docker' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: "
        "[Image, Zip]" in caught.value.response["Error"]["Message"]
    )
    layer = "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"
    for extra in ({"Handler": "app.handler"}, {"Runtime": "python3.11"}, {"Layers": [layer]}):
        with pytest.raises(ClientError) as caught:
            lambda_client.create_function(
                FunctionName=name, Role=DEFAULT_ROLE, PackageType="Image", Code={"ImageUri": images["py1"]}, **extra
            )
        assert caught.value.response["Error"]["Message"] == (
            "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
        )


@contextlib.contextmanager
def emulated(image: str, *command: str):
    """``docker run -p <free port>:8080 image command``: the invocation URL; the container removed after."""
    container = docker.from_env().containers.run(
        image, list(command) or None, detach=True, ports={"8080/tcp": ("127.0.0.1", None)},
        labels={"lambda-host.test": "rie"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        port = None
        while port is None and time.monotonic() < deadline:
            container.reload()
            bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get("8080/tcp")
            port = bindings[0]["HostPort"] if bindings else None
        yield container, f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations"
    finally:
        container.remove(force=True)


def first_answer(url: str, event: dict, within: float = 20) -> dict:
    deadline = time.monotonic() + within
    while True:
        try:
            return requests.post(url, json=event, timeout=within).json()
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise


@pytest.mark.parametrize("which", ["py1", "node"])
def test_the_aws_named_base_image_answers_docker_run_like_awss_emulator(images, which):
    with emulated(images[which]) as (container, url):
        body = first_answer(url, {})
        error = requests.post(url, json={"fail": "rie"}, timeout=10).json()
        if which == "node":
            assert body["echo"] == {} and body["task_root"] == "/var/task"
            assert error["errorType"] == "TypeError" and error["errorMessage"] == "node says rie"
        else:
            assert body["version"] == "one" and body["name"] == "test_function" and body["task_root"] == "/var/task"
            assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad rie"
        assert "REPORT RequestId:" in container.logs().decode()


def test_the_emulator_answers_an_init_error_at_once(images):
    # The layer of this checkout under a private tag: the AWS names are global to the engine, and a
    # host of another checkout may point them at its own layer while this test runs.
    client = docker.from_env()
    definition = load_definitions()["nodejs20.x"]
    runtime_tag = ImageBuilder(client, say=lambda line: None, chatty=False).ensure(definition)
    tag = f"lambda-host-test/aws-nodejs20.x:{secrets.token_hex(4)}"
    aws_bases.build_layer(client, definition, runtime_tag, tag)
    try:
        with emulated(tag, "missing.handler") as (_, url):
            started = time.monotonic()
            body = first_answer(url, {})
            assert body["errorType"] == "Runtime.ImportModuleError"
            assert time.monotonic() - started < 10
    finally:
        client.images.remove(tag, force=True)


def test_the_spare_environment_makes_the_next_image_cold_start_cheaper(
    lambda_client, lambda_host: Host, images, create_image_function
):
    """A first invoke starts the image's container; a spare is then kept for the image, so another
    function on the same image starts without waiting for a container."""
    first = create_image_function(images["node"])
    call(lambda_client, first, {})
    second = create_image_function(images["node"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _spare_ready(lambda_host, images["node"]):
        time.sleep(0.05)
    assert _spare_ready(lambda_host, images["node"])
    started = time.monotonic()
    call(lambda_client, second, {})
    assert time.monotonic() - started < 1.5


def _spare_ready(host: Host, tag: str) -> bool:
    image_id = docker.from_env().images.get(tag).id
    runtime = "image-" + image_id.split(":")[1][:12]
    return any(env.runtime.id == runtime and env.state.value == "Stem" for env in host.scheduler.stems.all())


SAM_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Handler: ignored.for.images
    Timeout: 10
Resources:
  Built:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sam-built-image
      PackageType: Image
      ImageConfig:
        Command: ["app.handler"]
    Metadata:
      Dockerfile: Dockerfile
      DockerContext: ./fn
      DockerTag: TAG
      DockerBuildArgs:
        VERSION: from-sam
  Direct:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sam-direct-image
      PackageType: Image
      ImageUri: DIRECT
"""


def test_a_sam_image_function_is_built_from_its_metadata_at_deploy_and_runs(
    lambda_host_factory, images, tmp_path, caplog
):
    folder = tmp_path / "project"
    (folder / "fn").mkdir(parents=True)
    for name, content in {"Dockerfile": PY_DOCKERFILE, "app.py": PY_APP, "entry.sh": ENTRY_SH}.items():
        (folder / "fn" / name).write_text(content)
    (folder / "fn" / "entry.sh").chmod(0o755)
    tag = f"test-{secrets.token_hex(4)}"
    template = SAM_TEMPLATE.replace("TAG", tag).replace("DIRECT", images["node"])
    (folder / "template.yaml").write_text(template)
    client = docker.from_env()
    try:
        with caplog.at_level(logging.INFO, logger="lambda_host.template"):
            host = lambda_host_factory(state_dir=tmp_path / "state", template=folder / "template.yaml")
        lines = [record.getMessage() for record in caplog.records]
        assert any(line.startswith(f"Built: building image built:{tag}") for line in lines)
        assert any("Step 1/" in line for line in lines)  # the build's progress, line by line
        lambda_client = client_for(host)
        got = lambda_client.get_function(FunctionName="sam-built-image")
        assert got["Code"]["ImageUri"] == f"built:{tag}" and got["Configuration"]["PackageType"] == "Image"
        _, body = call(lambda_client, "sam-built-image", {})
        assert body["version"] == "from-sam" and body["from_image"] == "yes"
        _, body = call(lambda_client, "sam-direct-image", {"c": 3})
        assert body["echo"] == {"c": 3}
        # A restart with the same state deploys in place: the image is built again (from the cache)
        # and the functions keep their names and images.
        host.stop_thread()
        again = client_for(lambda_host_factory(state_dir=tmp_path / "state", template=folder / "template.yaml"))
        _, body = call(again, "sam-built-image", {})
        assert body["version"] == "from-sam"
        assert again.get_function(FunctionName="sam-direct-image")["Code"]["ImageUri"] == images["node"]
    finally:
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(f"built:{tag}", force=True)


def test_an_image_without_a_python_for_the_agent_leaves_the_function_failed_with_the_reason(lambda_client, tmp_path):
    client = docker.from_env()
    tag = build_image(
        client,
        tmp_path / "bare",
        {"Dockerfile": 'FROM scratch\nCOPY bootstrap /bootstrap\nCMD ["/bootstrap"]\n', "bootstrap": "#!/bin/sh\n"},
        f"lambda-host-test/bare-{secrets.token_hex(4)}:1",
    )
    name = f"img-{secrets.token_hex(5)}"
    try:
        lambda_client.create_function(FunctionName=name, Role=DEFAULT_ROLE, PackageType="Image", Code={"ImageUri": tag})
        deadline = time.monotonic() + 20
        config = lambda_client.get_function_configuration(FunctionName=name)
        while config["State"] == "Pending" and time.monotonic() < deadline:
            time.sleep(0.1)
            config = lambda_client.get_function_configuration(FunctionName=name)
        assert config["State"] == "Failed" and config["StateReasonCode"] == "InvalidImage"
        assert "has no python3" in config["StateReason"]
    finally:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)
        client.images.remove(tag, force=True)


def test_an_image_function_runs_again_after_a_restart_of_its_host(lambda_host_factory, images, tmp_path):
    state = tmp_path / "state"
    host = lambda_host_factory(state_dir=state)
    client = client_for(host)
    client.create_function(
        FunctionName="kept", Role=DEFAULT_ROLE, PackageType="Image", Code={"ImageUri": images["py1"]}
    )
    client.get_waiter("function_active_v2").wait(FunctionName="kept", WaiterConfig={"Delay": 0.2})
    assert call(client, "kept", {})[1]["version"] == "one"
    host.stop_thread()
    again = client_for(lambda_host_factory(state_dir=state))
    assert again.get_function(FunctionName="kept")["Code"]["ImageUri"] == images["py1"]
    assert call(again, "kept", {})[1]["version"] == "one"


PROVIDED_BOOTSTRAP = """#!/bin/sh
set -eu
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  headers=$(mktemp)
  event=$(curl -sS -D "$headers" "$api/invocation/next")
  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
  curl -sS -X POST "$api/invocation/$id/response" -d "{\\"got\\": $event, \\"handler\\": \\"$_HANDLER\\"}" >/dev/null
done
"""


def test_a_shell_bootstrap_image_from_the_provided_base_runs_in_the_host_and_under_docker_run(
    lambda_client, create_image_function, tmp_path
):
    client = docker.from_env()
    ImageBuilder(client, say=lambda line: None, chatty=False).ensure(load_definitions()["provided.al2023"])
    folder = tmp_path / "provided"
    folder.mkdir()
    (folder / "bootstrap").write_text(PROVIDED_BOOTSTRAP)
    (folder / "bootstrap").chmod(0o755)  # the bootstrap must be executable, as on AWS
    dockerfile = (
        'FROM public.ecr.aws/lambda/provided:al2023\nCOPY bootstrap ${LAMBDA_RUNTIME_DIR}\nCMD ["function.handler"]\n'
    )
    tag = build_image(client, folder, {"Dockerfile": dockerfile}, f"lambda-host-test/sh-{secrets.token_hex(4)}:1")
    try:
        name = create_image_function(tag)
        _, body = call(lambda_client, name, {"n": 1})
        assert body == {"got": {"n": 1}, "handler": "function.handler"}
        with emulated(tag) as (_, url):
            assert first_answer(url, {"n": 2}) == {"got": {"n": 2}, "handler": "function.handler"}
    finally:
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(tag, force=True)


def test_provisioned_concurrency_initialises_an_image_functions_environment_ahead(
    lambda_client, images, create_image_function
):
    name = create_image_function(images["py1"])
    version = lambda_client.publish_version(FunctionName=name)["Version"]
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    deadline = time.monotonic() + 60
    config = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    while config["Status"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.1)
        config = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert config["Status"] == "READY"
    response, body = call(lambda_client, name, {}, Qualifier=version, LogType="Tail")
    assert body["version"] == "one" and body["counter"] == 1
    assert "Init Duration" not in base64.b64decode(response["LogResult"]).decode()  # initialised ahead
