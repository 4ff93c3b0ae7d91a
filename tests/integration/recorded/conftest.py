"""Fixtures for the tests pinned to AWS's recordings (LocalStack's AWS-validated snapshots).

Each test names the snapshot key it reproduces in a comment: ``# snapshot: <Class>::<test>``,
from ``tests/aws/services/lambda_/test_lambda_api.snapshot.json`` unless another file is named.
Functions are created the way those recordings created them (python3.12, ``handler.handler``,
30 s, ``Environment: {Variables: {}}``), so whole responses compare with the recorded ones.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator

import pytest
from botocore.exceptions import ClientError

from host.testing.plugin import client_for, make_zip

from .expect import ROLE

ECHO = {"handler.py": "def handler(event, context):\n    return event\n"}
VERSION = {"handler.py": "def handler(event, context):\n    return {'version': 2}\n"}


def unique(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def unchecked_client(lambda_host):
    """A client that sends what boto3 would refuse itself, so the host's own answer shows."""
    return client_for(lambda_host, parameter_validation=False)


@pytest.fixture
def settling(lambda_host_factory):
    """A client of a host whose creates and updates take 2 s to settle, so what AWS shows meanwhile
    (Pending, InProgress, a second update refused) can be asserted without racing the clock."""
    return client_for(lambda_host_factory(settle_time=2.0))


def create_waited(client, **params) -> dict:
    """CreateFunction as the ``function`` fixture does it, through ``client``, waited Active."""
    params.setdefault("FunctionName", unique())
    params.setdefault("Runtime", "python3.12")
    params.setdefault("Role", ROLE)
    params.setdefault("Handler", "handler.handler")
    params.setdefault("Timeout", 30)
    params.setdefault("Environment", {"Variables": {}})
    params.setdefault("Code", {"ZipFile": make_zip(ECHO)})
    response = client.create_function(**{k: v for k, v in params.items() if v is not None})
    client.get_waiter("function_active_v2").wait(FunctionName=response["FunctionName"], WaiterConfig={"Delay": 0.2})
    return response


@pytest.fixture
def function(lambda_client) -> Iterator[Callable[..., dict]]:
    """``function(**params)``: CreateFunction as the recordings did, waited Active; its answer."""
    names: list[str] = []

    def create(wait: bool = True, **params) -> dict:
        params.setdefault("FunctionName", unique())
        params.setdefault("Runtime", "python3.12")
        params.setdefault("Role", ROLE)
        params.setdefault("Handler", "handler.handler")
        params.setdefault("Timeout", 30)
        params.setdefault("Environment", {"Variables": {}})
        params.setdefault("Code", {"ZipFile": make_zip(ECHO)})
        params = {k: v for k, v in params.items() if v is not None}
        response = lambda_client.create_function(**params)
        names.append(response["FunctionName"])
        if wait:
            lambda_client.get_waiter("function_active_v2").wait(
                FunctionName=response["FunctionName"], WaiterConfig={"Delay": 0.1}
            )
        return response

    yield create
    for name in names:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


@pytest.fixture
def bare_function(function) -> Callable[..., dict]:
    """As the recordings' ``create_lambda_function_aws``: ``index.handler``, no variables, AWS's defaults."""

    def create(wait: bool = True, **params) -> dict:
        params.setdefault("Handler", "index.handler")
        params.setdefault("Timeout", None)
        params.setdefault("Environment", None)
        return function(wait=wait, **params)

    return create


@pytest.fixture
def layer(lambda_client) -> Iterator[Callable[..., dict]]:
    """``layer(**params)``: PublishLayerVersion of a small zip; every version it made is deleted after."""
    made: list[tuple[str, int]] = []

    def publish(**params) -> dict:
        params.setdefault("LayerName", unique("layer"))
        params.setdefault("Content", {"ZipFile": make_zip({"python/layered.py": "X = 1\n"})})
        response = lambda_client.publish_layer_version(**params)
        made.append((params["LayerName"], response["Version"]))
        return response

    yield publish
    for name, version in made:
        with contextlib.suppress(ClientError):
            lambda_client.delete_layer_version(LayerName=name, VersionNumber=version)


def wait_updated(lambda_client, name: str) -> None:
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
