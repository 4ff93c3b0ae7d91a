"""Layer versions and their permissions."""

from __future__ import annotations

from flask import Blueprint, request

from host.api import shapes
from host.api.common import LAYERS, answer, body, code_location, int_arg, no_content, services
from host.core import permissions
from host.core.errors import InvalidRequestContent
from host.core.model import LayerVersion

blueprint = Blueprint("layers", __name__)

VERSION = LAYERS + "/<name>/versions/<version>"


def layer_shape(layer: LayerVersion) -> dict:
    return shapes.layer_version(layer, code_location(layer.code))


def version_number(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidRequestContent(f"Invalid layer version: {text}") from exc


def filters() -> dict:
    return {
        "runtime": request.args.get("CompatibleRuntime"),
        "architecture": request.args.get("CompatibleArchitecture"),
    }


@blueprint.post(LAYERS + "/<name>/versions")
def publish_layer_version(name: str):
    return answer(layer_shape(services().layers.publish(name, body())), 201)


@blueprint.get(LAYERS + "/<name>/versions")
def list_layer_versions(name: str):
    page, marker = services().layers.versions(name, request.args.get("Marker"), int_arg("MaxItems"), **filters())
    result: dict = {"LayerVersions": [shapes.layer_version(v, None, listing=True) for v in page]}
    if marker:
        result["NextMarker"] = marker
    return answer(result)


@blueprint.get(VERSION)
def get_layer_version(name: str, version: str):
    return answer(layer_shape(services().layers.get(name, version_number(version))))


@blueprint.delete(VERSION)
def delete_layer_version(name: str, version: str):
    services().layers.delete(name, version_number(version))
    return no_content()


@blueprint.get(LAYERS)
@blueprint.get(LAYERS + "/")
def list_layers_or_find():
    if request.args.get("find") == "LayerVersion":
        return answer(layer_shape(services().layers.get_by_arn(request.args.get("Arn", ""))))
    page, marker = services().layers.latest_per_layer(request.args.get("Marker"), int_arg("MaxItems"), **filters())
    result: dict = {"Layers": [shapes.layer_listing(v) for v in page]}
    if marker:
        result["NextMarker"] = marker
    return answer(result)


@blueprint.post(VERSION + "/policy")
def add_layer_version_permission(name: str, version: str):
    layers = services().layers
    added, revision = layers.add_permission(
        name, version_number(version), body(), request.args.get("RevisionId") or None
    )
    return answer({"Statement": permissions.to_json(added), "RevisionId": revision}, 201)


@blueprint.get(VERSION + "/policy")
def get_layer_version_policy(name: str, version: str):
    document, revision = services().layers.policy(name, version_number(version))
    return answer({"Policy": permissions.to_json(document), "RevisionId": revision})


@blueprint.delete(VERSION + "/policy/<statement_id>")
def remove_layer_version_permission(name: str, version: str, statement_id: str):
    services().layers.remove_permission(
        name, version_number(version), statement_id, request.args.get("RevisionId") or None
    )
    return no_content()
