"""Checks on CreateEventSourceMapping and UpdateEventSourceMapping, with AWS's exact words.

Pure: facts that need the endpoint or the function (does the queue exist, its visibility
timeout, the function's timeout) are passed in by the service. Ranges are Coral-style
``ValidationException``s collected together; Lambda's own rules are
``InvalidParameterValueException``s, most of them recorded against AWS
(``reference/event-source-mappings.md`` §1.5).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from host.core.errors import InvalidParameterValue, ValidationError, validation_message
from host.core.validation import Problems
from host.event_sources.core.config import DYNAMODB, SQS, SourceArn
from host.event_sources.core.filters import check_pattern

RANGES = {
    "BatchSize": ("batchSize", 1, 10000),
    "MaximumBatchingWindowInSeconds": ("maximumBatchingWindowInSeconds", 0, 300),
    "ParallelizationFactor": ("parallelizationFactor", 1, 10),
    "MaximumRecordAgeInSeconds": ("maximumRecordAgeInSeconds", -1, 604800),
    "MaximumRetryAttempts": ("maximumRetryAttempts", -1, 10000),
    "TumblingWindowInSeconds": ("tumblingWindowInSeconds", 0, 900),
}
POSITIONS = ("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON")
DEFAULT_BATCH = {SQS: 10}
STREAM_DEFAULT_BATCH = 100
SQS_WINDOW_NEEDED = "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
FIFO_WINDOW = "Batching window is not supported for FIFO queues"
FIFO_BATCH = "Batch size for FIFO queues must be less than or equal to 10"
AGE_RANGE = "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"
ON_SUCCESS = "Unsupported DestinationConfig parameter for given event source mapping type."
NO_SOURCE = "Unrecognized event source."
NO_FUNCTION = "Function does not exist"
BAD_FILTER = "Invalid filter pattern definition."
STREAM_ONLY = (
    "StartingPosition", "StartingPositionTimestamp", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError", "ParallelizationFactor", "DestinationConfig", "TumblingWindowInSeconds",
)  # fmt: skip


def no_queue() -> InvalidParameterValue:
    return InvalidParameterValue(
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
        "SQS Error Message: The specified queue does not exist."
    )


def no_stream(arn: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Stream not found: {arn}")


def visibility_too_short(visibility: int, timeout: int) -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Queue visibility timeout: {visibility} seconds is less than Function timeout: {timeout} seconds"
    )


def check_ranges(params: Mapping[str, Any]) -> None:
    """Types, ranges and enums, all problems at once, as a ``ValidationException``."""
    problems = Problems()
    for key, (field, low, high) in RANGES.items():
        value = params.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            problems.add(value, field, "Member must be a number")
        elif value > high:
            problems.add(value, field, f"Member must have value less than or equal to {high}")
        elif value < low:
            problems.add(value, field, f"Member must have value greater than or equal to {low}")
    position = params.get("StartingPosition")
    if position is not None and position not in POSITIONS:
        problems.add(
            position, "startingPosition", "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
        )
    for kind in params.get("FunctionResponseTypes") or []:
        if kind != "ReportBatchItemFailures":
            problems.add(
                params["FunctionResponseTypes"], "functionResponseTypes",
                "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
            )  # fmt: skip
            break
    concurrency = (params.get("ScalingConfig") or {}).get("MaximumConcurrency")
    if concurrency is not None:
        if not isinstance(concurrency, int) or isinstance(concurrency, bool):
            problems.add(concurrency, "scalingConfig.maximumConcurrency", "Member must be a number")
        elif concurrency > 1000:
            problems.add(
                concurrency, "scalingConfig.maximumConcurrency", "Member must have value less than or equal to 1000"
            )
        elif concurrency < 2:
            problems.add(
                concurrency, "scalingConfig.maximumConcurrency", "Member must have value greater than or equal to 2"
            )
    if problems.items:
        raise ValidationError(validation_message(problems.items))


def source_of(params: Mapping[str, Any]) -> SourceArn:
    source = SourceArn.parse(params.get("EventSourceArn"))
    if source is None:
        raise InvalidParameterValue(NO_SOURCE)
    return source


def check_rules(source: SourceArn, values: Mapping[str, Any], creating: bool) -> None:
    """Lambda's rules over the whole resulting configuration (``values``: request over defaults)."""
    if source.kind in (SQS,):
        if values.get("BatchSize", 10) > 10 and not values.get("MaximumBatchingWindowInSeconds"):
            raise InvalidParameterValue(SQS_WINDOW_NEEDED)
        if source.fifo and values.get("MaximumBatchingWindowInSeconds"):
            raise InvalidParameterValue(FIFO_WINDOW)
        if source.fifo and values.get("BatchSize", 10) > 10:
            raise InvalidParameterValue(FIFO_BATCH)
    else:
        position = values.get("StartingPosition")
        if creating and position is None:
            raise InvalidParameterValue(
                "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
                "Member must not be null."
            )
        if position == "AT_TIMESTAMP" and source.kind == DYNAMODB:
            raise InvalidParameterValue(f"Unsupported starting position for arn type: {source.arn}")
        age = values.get("MaximumRecordAgeInSeconds")
        if age is not None and 0 <= age < 60:
            raise InvalidParameterValue(AGE_RANGE)
    destination = values.get("DestinationConfig") or {}
    if destination.get("OnSuccess") or (source.kind == SQS and (destination.get("OnFailure") or {}).get("Destination")):
        raise InvalidParameterValue(ON_SUCCESS)


def filter_patterns(criteria: Any) -> tuple[str, ...] | None:
    """The patterns of ``FilterCriteria`` (None when there are none, as AWS drops ``{"Filters": []}``)."""
    if criteria is None:
        return None
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    if not filters:
        return None
    patterns = []
    for item in filters:
        pattern = item.get("Pattern") if isinstance(item, dict) else None
        if not isinstance(pattern, str) or len(pattern) > 4096:
            raise InvalidParameterValue(BAD_FILTER)
        try:
            check_pattern(json.loads(pattern))
        except ValueError as exc:
            raise InvalidParameterValue(BAD_FILTER) from exc
        patterns.append(pattern)
    return tuple(patterns)
