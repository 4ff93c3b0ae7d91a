"""``EventSourceMappingConfiguration`` as AWS answers it, per source type (§1.3, AWS-recorded).

SQS mappings have no stream keys and no ``LastProcessingResult``; stream mappings always
show ``DestinationConfig`` (``{"OnFailure": {}}`` when unset); ``FilterCriteria`` and
``ScalingConfig`` appear only when set. Keys in AWS's (alphabetical) order.
"""

from __future__ import annotations

import json

from host.event_sources.core.config import SQS, MappingConfig


def configuration(mapping: MappingConfig) -> dict:
    shape: dict = {"BatchSize": mapping.batch_size}
    stream = mapping.kind != SQS
    if stream:
        shape["BisectBatchOnFunctionError"] = mapping.bisect
        shape["DestinationConfig"] = {"OnFailure": {"Destination": mapping.on_failure} if mapping.on_failure else {}}
    shape["EventSourceArn"] = mapping.source.arn
    shape["EventSourceMappingArn"] = mapping.arn
    if mapping.filters is not None:
        shape["FilterCriteria"] = {"Filters": [{"Pattern": pattern} for pattern in mapping.filters]}
    shape["FunctionArn"] = mapping.function_arn
    shape["FunctionResponseTypes"] = list(mapping.response_types)
    shape["LastModified"] = mapping.last_modified
    if stream:
        shape["LastProcessingResult"] = mapping.last_result
    shape["MaximumBatchingWindowInSeconds"] = mapping.window
    if stream:
        shape["MaximumRecordAgeInSeconds"] = mapping.max_age
        shape["MaximumRetryAttempts"] = mapping.max_retries
        shape["ParallelizationFactor"] = mapping.parallelization
    if mapping.maximum_concurrency is not None:
        shape["ScalingConfig"] = {"MaximumConcurrency": mapping.maximum_concurrency}
    if stream:
        shape["StartingPosition"] = mapping.starting_position
        if mapping.starting_timestamp is not None:
            shape["StartingPositionTimestamp"] = mapping.starting_timestamp
    shape["State"] = mapping.state
    shape["StateTransitionReason"] = mapping.state_reason
    if stream:
        shape["TumblingWindowInSeconds"] = mapping.tumbling_window
    shape["UUID"] = mapping.uuid
    return shape


def to_json(mapping: MappingConfig) -> str:
    """The stored form (every field, not the API shape)."""
    from dataclasses import asdict

    return json.dumps(asdict(mapping))


def from_json(text: str) -> MappingConfig:
    from host.event_sources.core.config import SourceArn

    values = json.loads(text)
    values["source"] = SourceArn(**values["source"])
    values["response_types"] = tuple(values.get("response_types") or ())
    if values.get("filters") is not None:
        values["filters"] = tuple(values["filters"])
    return MappingConfig(**values)
