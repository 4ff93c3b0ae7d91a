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
