"""Versions and aliases."""

from __future__ import annotations

from flask import Blueprint, request

from host.api import shapes
from host.api.common import FUNCTIONS, answer, body, int_arg, no_content, services

blueprint = Blueprint("versions", __name__)


@blueprint.post(FUNCTIONS + "/<name>/versions")
def publish_version(name: str):
    version = services().versions.publish(name, body())
    return answer(shapes.function_configuration(version, services().region, arn=version.qualified_arn), 201)


@blueprint.get(FUNCTIONS + "/<name>/versions")
def list_versions_by_function(name: str):
    page, marker = services().versions.versions(name, request.args.get("Marker"), int_arg("MaxItems"))
    region = services().region
    result: dict = {
        "Versions": [shapes.function_configuration(v, region, arn=v.qualified_arn, listing=True) for v in page]
    }
    if marker:
        result["NextMarker"] = marker
    return answer(result)


@blueprint.post(FUNCTIONS + "/<name>/aliases")
def create_alias(name: str):
    return answer(shapes.alias_configuration(services().versions.create_alias(name, body())), 201)


@blueprint.get(FUNCTIONS + "/<name>/aliases")
def list_aliases(name: str):
    page, marker = services().versions.aliases(
        name, request.args.get("FunctionVersion"), request.args.get("Marker"), int_arg("MaxItems")
    )
    result: dict = {"Aliases": [shapes.alias_configuration(alias) for alias in page]}
    if marker:
        result["NextMarker"] = marker
    return answer(result)


@blueprint.get(FUNCTIONS + "/<name>/aliases/<alias>")
def get_alias(name: str, alias: str):
    return answer(shapes.alias_configuration(services().versions.get_alias(name, alias)))


@blueprint.put(FUNCTIONS + "/<name>/aliases/<alias>")
def update_alias(name: str, alias: str):
    return answer(shapes.alias_configuration(services().versions.update_alias(name, alias, body())))


@blueprint.delete(FUNCTIONS + "/<name>/aliases/<alias>")
def delete_alias(name: str, alias: str):
    services().versions.delete_alias(name, alias)
    return no_content()
