"""What an environment execs: the runtime's bootstrap, or for Python the interpreter directly."""

import pytest

from host.environments.spawning import NoEntrypoint, entrypoint
from host.images.definitions import load_definitions


@pytest.fixture(scope="module")
def definitions():
    return load_definitions()


def test_python_starts_its_interpreter_directly_when_there_is_no_exec_wrapper(definitions):
    argv = entrypoint(definitions["python3.11"], "/code", None, {"A": "1"})
    assert argv == ["/var/lang/bin/python3.11", "/var/runtime/bootstrap.py"]


def test_python_with_an_exec_wrapper_goes_through_the_bootstrap_script(definitions):
    runtime = definitions["python3.13"]
    argv = entrypoint(runtime, "/code", None, {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper"})
    assert argv == list(runtime.entrypoints)


def test_nodejs_starts_node_with_the_bootstraps_arguments(definitions):
    runtime = definitions["nodejs20.x"]
    assert entrypoint(runtime, "/code", None, {}, 1024) == [
        "/var/lang/bin/node", "--expose-gc", "--max-http-header-size", "81920", "--max-old-space-size=921",
        "/var/runtime/index.mjs",
    ]  # fmt: skip
    own = entrypoint(runtime, "/code", None, {"NODE_OPTIONS": "--max-old-space-size=50"}, 1024)
    assert not any(arg.startswith("--max-old-space-size") for arg in own)
    assert entrypoint(runtime, "/code", None, {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/w"}) == list(runtime.entrypoints)


def test_a_custom_runtime_needs_a_bootstrap_in_the_code_or_a_layer(definitions, tmp_path):
    runtime = definitions["provided.al2023"]
    with pytest.raises(NoEntrypoint):
        entrypoint(runtime, str(tmp_path), None)
    (tmp_path / "bootstrap").write_text("#!/bin/sh\n")
    assert entrypoint(runtime, str(tmp_path), None) == ["/var/task/bootstrap"]


IMAGE_ID = "sha256:" + "12" * 32


def image_function(**image_changes):
    from host.core.model import CodeRef, FunctionConfig, ImageRef

    image = ImageRef(
        uri="app:1",
        resolved_uri=f"app@{IMAGE_ID}",
        image_id=IMAGE_ID,
        entrypoint=("/lambda-entrypoint.sh",),
        command=("app.handler",),
        working_dir="/var/task",
        env=(("PATH", "/var/lang/bin:/usr/bin"), ("FROM_IMAGE", "yes"), ("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11")),
    ).with_changes(**image_changes)
    return FunctionConfig(
        name="fn", arn="arn:aws:lambda:us-east-1:123456789012:function:fn", runtime="", handler="", role="r",
        code=CodeRef("12" * 32, 0, ""), environment=(("USER_VAR", "1"),), package_type="Image", image=image,
    )  # fmt: skip


def test_an_image_function_runs_its_images_entrypoint_and_cmd_in_its_workdir(definitions):
    from host.environments.spawning import launch

    function = image_function(config_working_directory="/srv")
    assert launch(definitions["python3.11"], function, None) == ("/srv", ["/lambda-entrypoint.sh", "app.handler"])
    with pytest.raises(NoEntrypoint):
        launch(definitions["python3.11"], image_function(entrypoint=(), command=()), None)


def test_an_image_functions_variables_start_from_its_image_env(definitions):
    from host.core.variables import Platform
    from host.environments.spawning import runtime_variables
    from host.images.catalog import RuntimeCatalog

    function = image_function(config_command=("app.other",))
    catalog = RuntimeCatalog(definitions, builder=None)
    runtime = catalog.register_image(function.image)
    assert runtime.id == "image-121212121212" and catalog.definition(runtime.id) is runtime
    platform = Platform("us-east-1", "127.0.0.1:9001", "http://x", ("a", "b", None))
    env = runtime_variables(function, runtime, "stream", platform)
    assert env["FROM_IMAGE"] == "yes" and env["USER_VAR"] == "1" and env["PATH"] == "/var/lang/bin:/usr/bin"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"  # the image's own, not replaced
    assert env["_HANDLER"] == "app.other" and env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert env["LAMBDA_TASK_ROOT"] == "/var/task"


def test_an_image_entrypoint_without_a_path_is_looked_up_on_the_images_path(definitions):
    from host.environments.spawning import launch

    function = image_function(config_entry_point=("python3", "-m", "awslambdaric"))
    _, argv = launch(definitions["python3.11"], function, None)
    assert argv == ["/bin/sh", "-c", 'exec "$0" "$@"', "python3", "-m", "awslambdaric", "app.handler"]
