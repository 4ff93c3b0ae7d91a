"""A pytest plugin: a lambda-host on a free port and a boto3 Lambda client pointed at it.

Fixtures:

``lambda_host``
    A host for the whole session (its own state directory, function logs off unless
    ``LAMBDA_HOST_TEST_LOGS=1``). Every container it starts is removed when the session
    ends, even if tests fail.
``lambda_client``
    A boto3 Lambda client for ``lambda_host``, with no SDK retries (a retried invoke
    would hide a failure and run the function twice).
``lambda_host_factory``
    Starts extra hosts with other settings (``lambda_host_factory(idle_timeout=1)``),
    stopped at the end of the test.
``create_function``
    Creates a function from a dict of files (or zip bytes) under a unique name and
    deletes it after the test: ``name = create_function({"app.py": src})``.

Option ``--lambda-host-debug FUNCTION[=PORT]`` (repeatable): the session host starts that
function's environments under a debugger waiting on 127.0.0.1:PORT (``host.debugging``).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from host.debugging import parse_targets
from host.host import Host, HostConfig

TEST_LABEL = "lambda-host.test-run"
DEFAULT_ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"


def make_zip(files: dict[str, str | bytes], modes: dict[str, int] | None = None) -> bytes:
    """A deployment package holding ``files`` (path to content), executable where ``modes`` says."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            mode = (modes or {}).get(name, 0o755 if name.endswith("bootstrap") else 0o644)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def client_for(host: Host, **config) -> boto3.client:
    options = {"retries": {"total_max_attempts": 1}, "read_timeout": 960, "connect_timeout": 10}
    options.update(config)
    return boto3.client(
        "lambda",
        endpoint_url=host.endpoint,
        region_name=host.config.region,
        aws_access_key_id="lambda-host",
        aws_secret_access_key="lambda-host",
        config=Config(**options),
    )


def _remove_test_containers(run_id: str) -> None:
    try:
        from host.environments.docker_backend import DockerBackend

        DockerBackend().remove_labelled({TEST_LABEL: run_id})
    except Exception:
        pass


def _start_host(state_dir: Path, run_id: str, **settings) -> Host:
    settings.setdefault("function_logs", os.environ.get("LAMBDA_HOST_TEST_LOGS") == "1")
    settings.setdefault("async_time_scale", 0.002)  # AWS's 1 and 2 minute retries in 0.12 and 0.24 s
    settings.setdefault("shutdown_grace", 2.0)  # a test's stuck invocation must not hold up its teardown
    labels = {TEST_LABEL: run_id, **settings.pop("labels", {})}
    host = Host(HostConfig(port=0, state_dir=state_dir, labels=labels, **settings))
    host.start_in_thread()
    return host


def pytest_addoption(parser) -> None:
    parser.getgroup("lambda-host").addoption(
        "--lambda-host-debug",
        action="append",
        default=[],
        metavar="FUNCTION[=PORT]",
        help="start FUNCTION's environments under a debugger waiting on 127.0.0.1:PORT (debugpy 5678,"
        " Node.js inspector 9229 by default); no timeout while debugging (repeatable)",
    )


@pytest.fixture(scope="session")
def lambda_host_run_id() -> Iterator[str]:
    run_id = secrets.token_hex(6)
    yield run_id
    _remove_test_containers(run_id)


@pytest.fixture(scope="session")
def lambda_host(tmp_path_factory, lambda_host_run_id, pytestconfig) -> Iterator[Host]:
    debug = parse_targets(pytestconfig.getoption("lambda_host_debug", default=None))
    host = _start_host(tmp_path_factory.mktemp("lambda-host"), lambda_host_run_id, debug=debug)
    try:
        yield host
    finally:
        host.stop_thread()
        _remove_test_containers(lambda_host_run_id)


@pytest.fixture(scope="session")
def lambda_client(lambda_host):
    return client_for(lambda_host)


@pytest.fixture
def lambda_host_factory(tmp_path_factory, lambda_host_run_id) -> Iterator[Callable[..., Host]]:
    hosts: list[Host] = []

    def start(state_dir: Path | None = None, **settings) -> Host:
        state_dir = state_dir or tmp_path_factory.mktemp("lambda-host-extra")
        host = _start_host(state_dir, lambda_host_run_id, **settings)
        hosts.append(host)
        return host

    try:
        yield start
    finally:
        for host in hosts:
            host.stop_thread()


@pytest.fixture
def create_function(lambda_client) -> Iterator[Callable[..., str]]:
    created: list[tuple[object, str]] = []

    def create(
        code: dict[str, str | bytes] | bytes,
        runtime: str = "python3.11",
        handler: str = "app.handler",
        client=None,
        name: str | None = None,
        **params,
    ) -> str:
        client = client or lambda_client
        name = name or f"test-{secrets.token_hex(5)}"
        package = code if isinstance(code, bytes) else make_zip(code)
        client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=params.pop("Role", DEFAULT_ROLE),
            Handler=handler,
            Code={"ZipFile": package},
            **params,
        )
        created.append((client, name))
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        return name

    yield create
    for client, name in created:
        with contextlib.suppress(Exception):  # the test may have deleted it already
            client.delete_function(FunctionName=name)
