"""Layer versions."""

from __future__ import annotations

from flask import Blueprint, request

from host.api import shapes
from host.api.common import LAYERS, answer, body, code_location, int_arg, no_content, services
from host.core.errors import InvalidRequestContent
from host.core.model import LayerVersion

blueprint = Blueprint("layers", __name__)


def layer_shape(layer: LayerVersion) -> dict:
    return shapes.layer_version(layer, code_location(layer.code))


def version_number(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidRequestContent(f"Invalid layer version: {text}") from exc


@blueprint.post(LAYERS + "/<name>/versions")
def publish_layer_version(name: str):
    return answer(layer_shape(services().layers.publish(name, body())), 201)


@blueprint.get(LAYERS + "/<name>/versions")
def list_layer_versions(name: str):
    page, marker = services().layers.versions(name, request.args.get("Marker"), int_arg("MaxItems"))
    result: dict = {"LayerVersions": [shapes.layer_version(v, None, listing=True) for v in page]}
    if marker:
        result["NextMarker"] = marker
    return answer(result)


@blueprint.get(LAYERS + "/<name>/versions/<version>")
def get_layer_version(name: str, version: str):
    return answer(layer_shape(services().layers.get(name, version_number(version))))


@blueprint.delete(LAYERS + "/<name>/versions/<version>")
def delete_layer_version(name: str, version: str):
    services().layers.delete(name, version_number(version))
    return no_content()


@blueprint.get(LAYERS)
@blueprint.get(LAYERS + "/")
def list_layers_or_find():
    if request.args.get("find") == "LayerVersion":
        return answer(layer_shape(services().layers.get_by_arn(request.args.get("Arn", ""))))
    items = [
        {
            "LayerName": v.name,
            "LayerArn": v.layer_arn,
            "LatestMatchingVersion": shapes.layer_version(v, None, listing=True),
        }
        for v in services().layers.latest_per_layer()
    ]
    return answer({"Layers": items})
