"""Provisioned concurrency configurations (under the 2019-09-30 API version, as AWS has them)."""

from __future__ import annotations

from flask import Blueprint, request

from host.api import shapes
from host.api.common import answer, body, int_arg, no_content, qualifier_arg, services

blueprint = Blueprint("provisioned", __name__)

CONFIG = "/2019-09-30/functions/<name>/provisioned-concurrency"


@blueprint.put(CONFIG)
def put_provisioned_concurrency_config(name: str):
    return answer(shapes.provisioned_config(services().provisioned.put(name, qualifier_arg(), body())), 202)


@blueprint.get(CONFIG)
def get_or_list_provisioned_concurrency_configs(name: str):
    provisioned = services().provisioned
    if request.args.get("List") == "ALL":  # ListProvisionedConcurrencyConfigs shares the path
        page, marker = provisioned.list(name, request.args.get("Marker"), int_arg("MaxItems"))
        result: dict = {
            "ProvisionedConcurrencyConfigs": [
                shapes.provisioned_config(config, provisioned.function_arn(config)) for config in page
            ]
        }
        if marker:
            result["NextMarker"] = marker
        return answer(result)
    return answer(shapes.provisioned_config(provisioned.get(name, qualifier_arg())))


@blueprint.delete(CONFIG)
def delete_provisioned_concurrency_config(name: str):
    services().provisioned.delete(name, qualifier_arg())
    return no_content()
