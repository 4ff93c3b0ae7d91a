"""Imports the Python runtime client from runtimes/_clients/python, and removes it again after."""

import importlib
import sys
from types import SimpleNamespace

import pytest

from host.images.definitions import RUNTIMES_DIR

CLIENT_DIR = str(RUNTIMES_DIR / "_clients" / "python")


def _forget_client_modules():
    for name in [n for n in sys.modules if n == "lambda_host_runtime" or n.startswith("lambda_host_runtime.")]:
        del sys.modules[name]


@pytest.fixture(scope="package")
def client():
    """The client's modules: ``client.faults``, ``client.marshal``, ``client.bootstrap``."""
    sys.path.insert(0, CLIENT_DIR)
    try:
        yield SimpleNamespace(
            faults=importlib.import_module("lambda_host_runtime.faults"),
            marshal=importlib.import_module("lambda_host_runtime.marshal"),
            bootstrap=importlib.import_module("lambda_host_runtime.bootstrap"),
        )
    finally:
        sys.path.remove(CLIENT_DIR)
        _forget_client_modules()
