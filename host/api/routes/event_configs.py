"""Event invoke configurations (under the 2019-09-25 API version, as AWS has them)."""

from __future__ import annotations

from flask import Blueprint, request

from host.api import shapes
from host.api.common import answer, body, int_arg, no_content, qualifier_arg, services
from host.core.model import EventInvokeConfig

blueprint = Blueprint("event_configs", __name__)

CONFIG = "/2019-09-25/functions/<name>/event-invoke-config"


def shape(config: EventInvokeConfig) -> dict:
    return shapes.event_invoke_config(config, services().event_configs.function_arn(config))


@blueprint.put(CONFIG)
def put_function_event_invoke_config(name: str):
    return answer(shape(services().event_configs.put(name, qualifier_arg(), body())))


@blueprint.post(CONFIG)
def update_function_event_invoke_config(name: str):
    return answer(shape(services().event_configs.update(name, qualifier_arg(), body())))


@blueprint.get(CONFIG)
def get_function_event_invoke_config(name: str):
    return answer(shape(services().event_configs.read(name, qualifier_arg())))


@blueprint.delete(CONFIG)
def delete_function_event_invoke_config(name: str):
    services().event_configs.delete(name, qualifier_arg())
    return no_content()


@blueprint.get(CONFIG + "/list")
def list_function_event_invoke_configs(name: str):
    page, marker = services().event_configs.list(name, request.args.get("Marker"), int_arg("MaxItems"))
    result: dict = {"FunctionEventInvokeConfigs": [shape(config) for config in page]}
    if marker:
        result["NextMarker"] = marker
    return answer(result)
