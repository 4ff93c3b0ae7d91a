"""JSON for the stored values: frozen dataclasses in, plain dicts on disk."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from host.core.model import (
    Alias,
    CodeRef,
    EventInvokeConfig,
    FunctionConfig,
    FunctionPolicy,
    FunctionUrl,
    ImageRef,
    LayerRef,
    LayerVersion,
    ProvisionedConcurrency,
    VpcSettings,
)


def dumps(value: Any) -> str:
    return json.dumps(dataclasses.asdict(value), separators=(",", ":"))


def _tuple_or_none(value):
    return None if value is None else tuple(tuple(v) if isinstance(v, list) else v for v in value)


def function_from_json(text: str) -> FunctionConfig:
    data = json.loads(text)
    data["code"] = CodeRef(**data["code"])
    data["layers"] = tuple(
        LayerRef(layer["arn"], layer["code_size"], CodeRef(**layer["code"])) for layer in data["layers"]
    )
    data["environment"] = _tuple_or_none(data.get("environment"))
    data["architectures"] = tuple(data["architectures"])
    data["tags"] = _tuple_or_none(data.get("tags")) or ()
    vpc = data.get("vpc")
    if vpc is not None:
        data["vpc"] = VpcSettings(
            tuple(vpc["subnet_ids"]),
            tuple(vpc["security_group_ids"]),
            vpc["vpc_id"],
            vpc["ipv6_allowed_for_dual_stack"],
        )
    image = data.get("image")
    if image is not None:
        for key in ("entrypoint", "command", "config_entry_point", "config_command"):
            if image.get(key) is not None:
                image[key] = tuple(image[key])
        image["env"] = tuple(tuple(pair) for pair in image.get("env") or ())
        data["image"] = ImageRef(**image)
    return FunctionConfig(**data)


def layer_from_json(text: str) -> LayerVersion:
    data = json.loads(text)
    data["code"] = CodeRef(**data["code"])
    data["compatible_runtimes"] = _tuple_or_none(data.get("compatible_runtimes"))
    data["compatible_architectures"] = _tuple_or_none(data.get("compatible_architectures"))
    data["policy"] = tuple(data.get("policy") or ())
    return LayerVersion(**data)


def alias_from_json(text: str) -> Alias:
    data = json.loads(text)
    data["additional_weights"] = tuple((version, weight) for version, weight in data.get("additional_weights") or ())
    return Alias(**data)


def url_from_json(text: str) -> FunctionUrl:
    return FunctionUrl(**json.loads(text))


def event_invoke_config_from_json(text: str) -> EventInvokeConfig:
    return EventInvokeConfig(**json.loads(text))


def policy_from_json(text: str) -> FunctionPolicy:
    data = json.loads(text)
    data["statements"] = tuple(data["statements"])
    return FunctionPolicy(**data)


def provisioned_from_json(text: str) -> ProvisionedConcurrency:
    return ProvisionedConcurrency(**json.loads(text))
