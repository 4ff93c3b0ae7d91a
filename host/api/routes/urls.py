"""Function URL configurations (under the 2021-10-31 API version, as AWS has them)."""

from __future__ import annotations

from flask import Blueprint, request

from host.api import shapes
from host.api.common import answer, body, int_arg, no_content, qualifier_arg, services
from host.core.model import FunctionUrl

blueprint = Blueprint("urls", __name__)

URLS = "/2021-10-31/functions/<name>"


def config(url: FunctionUrl, operation: str) -> dict:
    urls = services().urls
    return shapes.function_url_config(url, urls.address(url), urls.function_arn(url), operation)


@blueprint.post(URLS + "/url")
def create_function_url_config(name: str):
    return answer(config(services().urls.create(name, qualifier_arg(), body()), "create"), 201)


@blueprint.get(URLS + "/url")
def get_function_url_config(name: str):
    return answer(config(services().urls.get(name, qualifier_arg()), "get"))


@blueprint.put(URLS + "/url")
def update_function_url_config(name: str):
    return answer(config(services().urls.update(name, qualifier_arg(), body()), "update"))


@blueprint.delete(URLS + "/url")
def delete_function_url_config(name: str):
    services().urls.delete(name, qualifier_arg())
    return no_content()


@blueprint.get(URLS + "/urls")
def list_function_url_configs(name: str):
    page, marker = services().urls.list(name, request.args.get("Marker"), int_arg("MaxItems"))
    result: dict = {"FunctionUrlConfigs": [config(url, "list") for url in page]}
    if marker:
        result["NextMarker"] = marker
    return answer(result)
