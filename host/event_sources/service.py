"""The five operations on event source mappings, and running the enabled ones.

1. Create checks the request (``core.validation``), the function, the source (it must
   exist on the endpoint) and duplicates, stores the mapping as ``Creating`` (or
   ``Disabled``) and answers at once; its pollers start in the background and the state
   becomes ``Enabled`` once they poll (so records sent after that are seen).
2. Update answers ``Updating``, ``Enabling`` or ``Disabling`` and applies the change in the
   background; pollers restart from the checkpoints, never from the starting position.
3. Delete answers ``Deleting``, stops the pollers and forgets the mapping and its
   checkpoints.
4. On a host start every mapping that was running runs again from its checkpoints.

A function deleted under a mapping leaves it ``Enabled``, as on AWS; its pollers keep
trying. ``LastProcessingResult`` is kept in memory and stored when it changes.
"""

from __future__ import annotations

import threading
import time
import uuid as uuids
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from host.aws.endpoint import AwsEndpoint
from host.core.errors import InvalidParameterValue, ResourceConflict, ResourceNotFound
from host.core.metrics import NO_METRICS, MetricsRecorder
from host.core.paging import page
from host.event_sources.core import validation as checks
from host.event_sources.core.config import SQS, MappingConfig, SourceArn
from host.event_sources.lambda_side import FunctionFacts, LambdaSide
from host.event_sources.pollers.base import Context, log
from host.event_sources.pollers.sqs import SqsRunner
from host.event_sources.pollers.streams import StreamRunner
from host.event_sources.store import CheckpointWriter, MappingStore

NOT_FOUND = "The resource you requested does not exist."
READY_TIMEOUT = 15.0
PAGE_SIZE = 100


class EventSourceService:
    def __init__(
        self,
        store: MappingStore,
        writer: CheckpointWriter,
        lam: LambdaSide,
        endpoint: AwsEndpoint,
        region: str = "us-east-1",
        account: str = "123456789012",
        metrics: MetricsRecorder = NO_METRICS,
    ) -> None:
        self.metrics = metrics  # stream mappings' IteratorAge
        self.region = region
        self.account = account
        self.store = store
        self.writer = writer
        self.lam = lam
        self.endpoint = endpoint
        self.lock = threading.RLock()
        self.running: dict[str, threading.Event] = {}  # uuid -> its pollers' stop event
        self.contexts: dict[str, Context] = {}  # uuid -> its running pollers' context (and counters)
        self.results: dict[str, str] = {}
        self.closed = False

    # -- the operations --------------------------------------------------------------------

    def create(self, params: dict[str, Any]) -> MappingConfig:
        checks.check_ranges(params)
        source = checks.source_of(params)
        facts = self._function(params.get("FunctionName"))
        values = _defaults(source) | {k: v for k, v in params.items() if v is not None}
        checks.check_rules(source, values, creating=True)
        filters = checks.filter_patterns(params.get("FilterCriteria"))
        with self.lock:
            self._no_duplicate(source, facts)
            self._source_exists(source, facts)
            enabled = bool(values.get("Enabled", True))
            now = time.time()
            mapping = MappingConfig(
                uuid=str(uuids.uuid4()),
                function_arn=facts.arn,
                function_name=facts.name,
                qualifier=facts.qualifier,
                source=source,
                batch_size=values["BatchSize"],
                window=values.get("MaximumBatchingWindowInSeconds", 0),
                enabled=enabled,
                state="Creating" if enabled else "Disabled",
                state_reason="USER_INITIATED" if source.kind == SQS else "User action",
                last_modified=now,
                response_types=tuple(values.get("FunctionResponseTypes") or ()),
                filters=filters,
                maximum_concurrency=(values.get("ScalingConfig") or {}).get("MaximumConcurrency"),
                starting_position=values.get("StartingPosition"),
                starting_timestamp=_epoch(values.get("StartingPositionTimestamp")),
                max_retries=values.get("MaximumRetryAttempts", -1),
                max_age=values.get("MaximumRecordAgeInSeconds", -1),
                bisect=bool(values.get("BisectBatchOnFunctionError", False)),
                parallelization=values.get("ParallelizationFactor", 1),
                on_failure=_on_failure(values),
                tumbling_window=values.get("TumblingWindowInSeconds", 0),
                tags=dict(params.get("Tags") or {}),
                created=now,
            )
            self.store.put(mapping)
        if enabled:
            self._settle(mapping.uuid, start=True)
        return mapping

    def get(self, uuid: str) -> MappingConfig:
        mapping = self.store.get(uuid)
        if mapping is None:
            raise ResourceNotFound(NOT_FOUND)
        result = self.results.get(uuid)
        return replace(mapping, last_result=result) if result else mapping

    def list(
        self, function_name: str | None, source_arn: str | None, marker: str | None, max_items: int | None
    ) -> tuple[list[MappingConfig], str | None]:
        wanted = None
        if function_name:
            from host.core.names import parse_function_name

            wanted = parse_function_name(function_name, None, region=self.region, account=self.account)
        found = []
        for mapping in self.store.all():
            if source_arn and mapping.source.arn != source_arn:
                continue
            if wanted is not None and (
                mapping.function_name != wanted.name
                or (wanted.qualifier is not None and mapping.qualifier != wanted.qualifier)
            ):
                continue
            found.append(self.get(mapping.uuid))
        return page(found, lambda m: m.uuid, marker, max_items, PAGE_SIZE)

    def update(self, uuid: str, params: dict[str, Any]) -> MappingConfig:
        checks.check_ranges(params)
        with self.lock:
            mapping = self.get(uuid)
            if mapping.state in ("Deleting",):
                raise ResourceConflict("The resource you requested is being deleted.")
            changes: dict[str, Any] = {}
            if params.get("FunctionName") is not None:
                facts = self._function(params["FunctionName"])
                changes.update(function_arn=facts.arn, function_name=facts.name, qualifier=facts.qualifier)
            values = _current(mapping) | {k: v for k, v in params.items() if v is not None}
            checks.check_rules(mapping.source, values, creating=False)
            if "FilterCriteria" in params and params["FilterCriteria"] is not None:
                changes["filters"] = checks.filter_patterns(params["FilterCriteria"])
            simple = {
                "BatchSize": "batch_size", "MaximumBatchingWindowInSeconds": "window",
                "MaximumRetryAttempts": "max_retries", "MaximumRecordAgeInSeconds": "max_age",
                "BisectBatchOnFunctionError": "bisect", "ParallelizationFactor": "parallelization",
                "TumblingWindowInSeconds": "tumbling_window",
            }  # fmt: skip
            for key, field in simple.items():
                if params.get(key) is not None:
                    changes[field] = params[key]
            if params.get("FunctionResponseTypes") is not None:
                changes["response_types"] = tuple(params["FunctionResponseTypes"])
            if params.get("ScalingConfig") is not None:
                changes["maximum_concurrency"] = params["ScalingConfig"].get("MaximumConcurrency")
            if params.get("DestinationConfig") is not None:
                changes["on_failure"] = _on_failure(params)
            enabled = params.get("Enabled")
            if mapping.kind == SQS and "function_name" in changes:
                facts = self._function(params["FunctionName"])
                self._source_exists(mapping.source, facts)
            if enabled is not None and bool(enabled) != mapping.enabled:
                state = "Enabling" if enabled else "Disabling"
                changes["enabled"] = bool(enabled)
            else:
                state = "Updating"
            updated = replace(mapping, **changes, state=state, last_modified=time.time())
            self.store.put(updated)
        self._settle(uuid, start=updated.enabled)
        return updated

    def delete(self, uuid: str) -> MappingConfig:
        with self.lock:
            mapping = replace(self.get(uuid), state="Deleting")
            self.store.put(mapping)
        threading.Thread(target=self._forget, args=(uuid,), name="esm-delete", daemon=True).start()
        return mapping

    def retag(self, uuid: str, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
        """Replace a mapping's tags with ``change(current tags)`` (TagResource and UntagResource)."""
        with self.lock:
            mapping = self.get(uuid)
            self.store.put(replace(mapping, tags=change(dict(mapping.tags))))

    # -- running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Run every mapping that was running when the host stopped, from its checkpoints."""
        for mapping in self.store.all():
            if mapping.state == "Deleting":
                self._forget(mapping.uuid)
            elif mapping.enabled:
                self._settle(mapping.uuid, start=True)
            elif mapping.state != "Disabled":
                self.store.put(replace(mapping, state="Disabled"))

    def report(self, uuid: str, result: str) -> None:
        """A poller's LastProcessingResult; stored only when it changes."""
        if self.results.get(uuid) == result:
            return
        self.results[uuid] = result
        with self.lock:
            mapping = self.store.get(uuid)
            if mapping is not None and mapping.last_result != result:
                self.store.put(replace(mapping, last_result=result))

    def counters(self, uuid: str) -> tuple[int, float]:
        """(batches invoked, CPU seconds the pollers spent on them) of a running mapping, for benchmarks."""
        context = self.contexts.get(uuid)
        return (context.batches, context.cpu) if context is not None else (0, 0.0)

    def close(self) -> None:
        self.closed = True
        with self.lock:
            for stop in self.running.values():
                stop.set()
            self.running.clear()

    def finish(self) -> None:
        """Commit the last checkpoints: call after the invocations in flight at ``close`` have ended,
        so a batch that finished during the host's drain is not delivered again at the next start."""
        self.writer.close()

    def _settle(self, uuid: str, start: bool) -> None:
        """Stop the mapping's pollers, start new ones if ``start``, then record the state it settles in."""
        threading.Thread(target=self._apply, args=(uuid, start), name="esm-settle", daemon=True).start()

    def _apply(self, uuid: str, start: bool) -> None:
        with self.lock:
            previous = self.running.pop(uuid, None)
            if previous is not None:
                previous.set()
            mapping = self.store.get(uuid)
            if mapping is None or self.closed:
                return
            ready = None
            if start:
                stop = threading.Event()
                runner = self._runner(mapping, stop)
                self.running[uuid] = stop
                self.contexts[uuid] = runner.context
                runner.start()
                ready = runner.ready
        if ready is not None and not ready.wait(READY_TIMEOUT):
            log.warning("event source mapping %s: its source is not polled yet", uuid)
        with self.lock:
            current = self.store.get(uuid)
            if current is not None and current.state not in ("Deleting",):
                final = "Enabled" if current.enabled else "Disabled"
                if current.state != final:
                    self.store.put(replace(current, state=final, last_modified=time.time()))

    def _runner(self, mapping: MappingConfig, stop: threading.Event):
        context = Context(mapping, self.lam, self.endpoint, self.report, stop, metrics=self.metrics)
        if mapping.kind == SQS:
            facts = self.lam.resolve(mapping.function_arn)
            return SqsRunner(context, facts.reserved_concurrency if facts else None)
        return StreamRunner(context, self.store.checkpoints(mapping.uuid), self.writer)

    def _forget(self, uuid: str) -> None:
        with self.lock:
            stop = self.running.pop(uuid, None)
            if stop is not None:
                stop.set()
            self.store.delete(uuid)
            self.results.pop(uuid, None)

    # -- checks that need the function or the endpoint ---------------------------------------

    def _function(self, name: Any) -> FunctionFacts:
        if not isinstance(name, str) or not name:
            raise InvalidParameterValue(checks.NO_FUNCTION)
        facts = self.lam.resolve(name)
        if facts is None:
            raise InvalidParameterValue(checks.NO_FUNCTION)
        return facts

    def _no_duplicate(self, source: SourceArn, facts: FunctionFacts) -> None:
        for other in self.store.all():
            if (
                other.source.arn != source.arn
                or other.function_name != facts.name
                or other.qualifier != facts.qualifier
            ):
                continue
            if source.kind == SQS:
                message = (
                    f'An event source mapping with SQS arn (" {source.arn} ") and function (" {facts.name} ") '
                    f"already exists. Please update or delete the existing mapping with UUID {other.uuid}"
                )
            else:
                message = (
                    f'The event source arn (" {source.arn} ") and function (" {facts.name} ") provided mapping '
                    f"already exists. Please update or delete the existing mapping with UUID {other.uuid}"
                )
            raise ResourceConflict(message)

    def _source_exists(self, source: SourceArn, facts: FunctionFacts) -> None:
        """The queue or stream must exist; a queue's visibility timeout must cover the function's timeout."""
        try:
            if source.kind == SQS:
                sqs = self.endpoint.client("sqs", source.region)
                url = sqs.get_queue_url(QueueName=source.name, QueueOwnerAWSAccountId=source.account)["QueueUrl"]
                attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                visibility = int(attributes["Attributes"].get("VisibilityTimeout", 30))
                if visibility < facts.timeout:
                    raise checks.visibility_too_short(visibility, facts.timeout)
            elif source.kind == "kinesis":
                arn = source.arn.split("/consumer/")[0]
                self.endpoint.client("kinesis", source.region).describe_stream_summary(StreamARN=arn)
            else:
                self.endpoint.client("dynamodbstreams", source.region).describe_stream(StreamArn=source.arn)
        except InvalidParameterValue:
            raise
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            if source.kind == SQS and ("NonExistentQueue" in code or code == "QueueDoesNotExist"):
                raise checks.no_queue() from exc
            if code in ("ResourceNotFoundException",) or source.kind != SQS:
                raise checks.no_stream(source.arn) from exc
            raise InvalidParameterValue(f"Error occurred while checking the event source: {exc}") from exc


def _defaults(source: SourceArn) -> dict[str, Any]:
    return {"BatchSize": 10 if source.kind == SQS else 100, "MaximumBatchingWindowInSeconds": 0}


def _current(mapping: MappingConfig) -> dict[str, Any]:
    return {
        "BatchSize": mapping.batch_size,
        "MaximumBatchingWindowInSeconds": mapping.window,
        "StartingPosition": mapping.starting_position,
        "MaximumRecordAgeInSeconds": mapping.max_age,
    }


def _on_failure(values: dict[str, Any]) -> str | None:
    return ((values.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination") or None


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    from datetime import datetime

    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
