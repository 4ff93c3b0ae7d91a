"""What every management view shares: the services, request parsing, JSON answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, g, request

from host.core.errors import InvalidRequestContent
from host.core.model import CodeRef
from host.service.event_configs import EventConfigService
from host.service.functions import FunctionService
from host.service.layers import LayerService
from host.service.permissions import PermissionService
from host.service.provisioned import ProvisionedService
from host.service.tags import TagService
from host.service.urls import UrlService
from host.service.versions import VersionService
from host.store.packages import PackageStore

FUNCTIONS = "/2015-03-31/functions"
LAYERS = "/2018-10-31/layers"


@dataclass(frozen=True)
class Services:
    functions: FunctionService
    versions: VersionService
    layers: LayerService
    packages: PackageStore
    region: str
    urls: UrlService | None = None
    event_configs: EventConfigService | None = None
    provisioned: ProvisionedService | None = None
    permissions: PermissionService | None = None  # create_app makes one over ``functions`` when not given
    rooms: tuple = ()  # Flask blueprints of capabilities with a room of their own (event source mappings, ...)
    tags: TagService | None = None  # likewise; other packages register their kinds of resource on it


def services() -> Services:
    return current_app.config["services"]


def answer(value, status: int = 200) -> Response:
    return Response(
        json.dumps(value), status=status, mimetype="application/json", headers={"X-Amzn-RequestId": g.request_id}
    )


def no_content() -> Response:
    return Response(status=204, headers={"X-Amzn-RequestId": g.request_id})


def body() -> dict:
    data = request.get_data()
    if not data:
        return {}
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise InvalidRequestContent(f"Could not parse request body into json: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidRequestContent("Could not parse request body into json: expected an object")
    return value


def int_arg(name: str) -> int | None:
    value = request.args.get(name)
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def qualifier_arg() -> str | None:
    return request.args.get("Qualifier") or None  # an empty Qualifier means none


def code_location(code: CodeRef) -> str | None:
    """Where GetFunction's Code.Location lets the caller download the zip (from this host)."""
    if code.local or services().packages.zip_path(code) is None:
        return None
    return f"http://{request.host}/_lambda-host/code/{Path(code.path).name}.zip"
