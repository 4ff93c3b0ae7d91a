"""SAM ``Events`` of Type SQS, Kinesis and DynamoDB, and ``AWS::Lambda::EventSourceMapping``,
as CreateEventSourceMapping parameters. Pure translation.

SAM's event properties are the API's names, but for the source (``Queue``/``Stream``) and
``DestinationConfig.OnFailure`` (``{Type, Destination}``, the API takes ``{Destination}``).
A function with ``AutoPublishAlias`` is mapped through its alias, as SAM does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EVENT_TYPES = {"SQS": "Queue", "Kinesis": "Stream", "DynamoDB": "Stream"}
MAPPING_KEYS = (
    "BatchSize", "Enabled", "FilterCriteria", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes",
    "ScalingConfig", "StartingPosition", "StartingPositionTimestamp", "MaximumRetryAttempts",
    "BisectBatchOnFunctionError", "ParallelizationFactor", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds",
    "DestinationConfig", "Tags",
)  # fmt: skip


@dataclass(frozen=True)
class MappingSpec:
    logical_id: str  # "<Function>.<Event>" for SAM events, the resource's id otherwise
    params: dict[str, Any]


def from_events(logical: str, function: str, events: dict, notes: set[str]) -> list[MappingSpec]:
    """Mappings of one function's ``Events``; other event types are noted as not deployed."""
    specs = []
    for name, event in (events or {}).items():
        kind = (event or {}).get("Type")
        props = (event or {}).get("Properties") or {}
        if kind not in EVENT_TYPES:
            notes.add(f"{logical}.Events.{name} ({kind})")
            continue
        params = {"EventSourceArn": str(props.get(EVENT_TYPES[kind])), "FunctionName": function}
        params.update(_mapping_params(props))
        specs.append(MappingSpec(f"{logical}.{name}", params))
    return specs


def from_resource(logical: str, props: dict) -> MappingSpec:
    params = {"EventSourceArn": str(props.get("EventSourceArn")), "FunctionName": str(props.get("FunctionName"))}
    params.update(_mapping_params(props))
    return MappingSpec(logical, params)


def _mapping_params(props: dict) -> dict[str, Any]:
    params = {key: props[key] for key in MAPPING_KEYS if props.get(key) is not None}
    for key in ("BatchSize", "MaximumBatchingWindowInSeconds", "MaximumRetryAttempts", "ParallelizationFactor",
                "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds"):  # fmt: skip
        if key in params:
            params[key] = int(params[key])
    for key in ("Enabled", "BisectBatchOnFunctionError"):
        if key in params and isinstance(params[key], str):
            params[key] = params[key].lower() == "true"
    if "ScalingConfig" in params:
        params["ScalingConfig"] = {k: int(v) for k, v in params["ScalingConfig"].items()}
    destination = (params.get("DestinationConfig") or {}).get("OnFailure")
    if destination is not None:
        params["DestinationConfig"] = {"OnFailure": {"Destination": str(destination.get("Destination"))}}
    if isinstance(params.get("Tags"), list):
        params["Tags"] = {str(t["Key"]): str(t["Value"]) for t in params["Tags"]}
    return params
