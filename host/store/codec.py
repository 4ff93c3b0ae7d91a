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
    LayerRef,
    LayerVersion,
    ProvisionedConcurrency,
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
    return FunctionConfig(**data)


def layer_from_json(text: str) -> LayerVersion:
    data = json.loads(text)
    data["code"] = CodeRef(**data["code"])
    data["compatible_runtimes"] = _tuple_or_none(data.get("compatible_runtimes"))
    data["compatible_architectures"] = _tuple_or_none(data.get("compatible_architectures"))
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
