"""Distributed Map: a Map Run of child executions, and DescribeMapRun/ListMapRuns/UpdateMapRun.

1. ``MapStateStarted`` (length 0 when an ItemReader reads the items, as AWS records it),
   ``MapRunStarted {mapRunArn}``; the items come from ``ItemReader`` (``s3:getObject`` of
   JSON, JSONL or CSV, ``s3:listObjectsV2``; through the host's AWS endpoint) or from the
   input; ``ItemBatcher`` groups them; ``ItemSelector`` shapes each.
2. Each item (or batch) runs as a child execution of ``<machine>/<label>`` (Standard
   children are stored executions with their own history, Express ones live in memory), at
   most ``MaxConcurrency`` at once (0: up to 1000).
3. ``MapRunSucceeded``, or ``MapRunFailed`` when more children failed than tolerated
   (``States.ExceedToleratedFailureThreshold``) or the reader failed (``States.ItemReaderFailed``),
   then the Map state's own Succeeded/Failed events. ``ResultWriter`` (``s3:putObject``)
   writes the results and a manifest and makes the output ``{MapRunArn, ResultWriterDetails}``.
4. The Map Run record is stored; after a restart the parent reattaches to its children.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from host.stepfunctions.core import errors, evaluate, history
from host.stepfunctions.core.definition import Definition
from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.core.history import Cursor
from host.stepfunctions.engine.runs import CHILDREN, ENTER, Frame, Join, Machine, Run
from host.stepfunctions.service import arns, paging
from host.stepfunctions.service.errors import ResourceNotFound, ValidationException
from host.stepfunctions.service.item_reader import ItemReaderError, read_items, write_results

if TYPE_CHECKING:
    from host.stepfunctions.app import StepFunctions

TABLE = "sfn_map_runs"
MAX_CHILDREN = 1000


class MapRunService:
    def __init__(self, sfn: StepFunctions) -> None:
        self.sfn = sfn
        self.waiting: dict[str, tuple[Frame, int]] = {}  # child ARN -> (parent frame, item index)
        self.reading: set[asyncio.Task] = set()
        sfn.engine.on_end.append(self._child_ended)

    # -- running ---------------------------------------------------------------------------------

    def start(self, frame: Frame) -> None:
        engine = self.sfn.engine
        state = frame.current
        spec = state.spec
        scope = engine.scope(frame, frame.input)
        items = None if spec.reader is not None else evaluate.map_items(state, frame.input, scope)
        plan = evaluate.map_plan(state, frame.input, scope, items=items or [])
        run = frame.run
        h = run.history
        history.map_started(h, frame.cursor, len(items) if items is not None else 0)
        label = spec.label or uuid.uuid4().hex[:8]
        run_id = str(uuid.uuid4())
        map_run_arn = self.sfn.names.map_run(run.machine.name, label, run_id)
        history.map_run_started(h, frame.cursor, map_run_arn)
        record = {
            "mapRunArn": map_run_arn,
            "executionArn": run.arn,
            "label": label,
            "stateMachineArn": f"{run.machine.arn}/{label}",
            "status": "RUNNING",
            "startDate": engine.clock(),
            "maxConcurrency": plan.max_concurrency,
            "toleratedFailurePercentage": plan.tolerated_percentage or 0.0,
            "toleratedFailureCount": plan.tolerated_count or 0,
            "children": {},
            "runId": run_id,
        }
        frame.join = Join(
            "map",
            0,
            [],
            [],
            {},
            cursor=Cursor(frame.cursor.source, frame.cursor.last),
            plan={
                "items": [],
                "max": plan.max_concurrency,
                "count": plan.tolerated_count,
                "percentage": plan.tolerated_percentage,
            },
            map_run=record,
        )
        frame.phase = CHILDREN
        self._store(record)
        engine.touch(run)
        if spec.reader is not None:
            self._read(frame, scope)
        else:
            self._begin(frame, items)

    def _read(self, frame: Frame, scope) -> None:
        task = asyncio.ensure_future(self._read_then_run(frame, scope))
        self.reading.add(task)
        task.add_done_callback(self.reading.discard)

    async def _read_then_run(self, frame: Frame, scope) -> None:
        state = frame.current
        loop = asyncio.get_running_loop()
        try:
            items = await loop.run_in_executor(
                self.sfn.clients.pool, read_items, self.sfn.clients, self.sfn.engine.region, state, frame.input, scope
            )
        except ItemReaderError as failure:
            self._fail(frame, errors.ITEM_READER_FAILED, str(failure))
            return
        except StatesError as failure:
            self._fail(frame, failure.error, failure.cause)
            return
        self._begin(frame, items)

    def _begin(self, frame: Frame, items: list) -> None:
        join = frame.join
        state = frame.current
        batcher = state.spec.batcher
        if batcher:
            size = batcher.get("MaxItemsPerBatch") or len(items) or 1
            base = batcher.get("BatchInput") or {}
            items = [{**base, "Items": items[i : i + size]} for i in range(0, len(items), size)]
        join.total = len(items)
        join.results = [None] * len(items)
        join.finished = [False] * len(items)
        join.plan["items"] = items
        join.map_run["itemCounts"] = len(items)
        self._fill(frame)

    def _fill(self, frame: Frame) -> None:
        join = frame.join
        if join is None:
            return
        limit = join.plan["max"] or MAX_CHILDREN
        while join.next_index < join.total and len(join.running) < limit:
            index = join.next_index
            join.next_index += 1
            self._start_child(frame, index)
        if join.next_index >= join.total and not join.running:
            self._complete(frame)

    def _child_machine(self, frame: Frame) -> Machine:
        state = frame.current
        run = frame.run
        record = frame.join.map_run
        processor = state.spec.processor
        raw = dict(state.raw.get("ItemProcessor") or state.raw.get("Iterator") or {})
        raw.pop("ProcessorConfig", None)
        kind = state.spec.execution_type or "STANDARD"
        name = f"{run.machine.name}/{record['label']}"
        return Machine(
            record["stateMachineArn"], name, Definition(processor, raw), json.dumps(raw), run.machine.role_arn, kind
        )

    def _start_child(self, frame: Frame, index: int) -> None:
        engine = self.sfn.engine
        join = frame.join
        state = frame.current
        item = join.plan["items"][index]
        try:
            scope = engine.scope(
                frame,
                frame.input
                if state.jsonata
                else evaluate.map_input(state, frame.input, engine.scope(frame, frame.input)),
            )
            scope.input = frame.input
            scope.context = lambda: engine.context(frame, item=(index, item))
            child_input = evaluate.map_item_input(state, item, index, scope)
        except StatesError as failure:
            self._fail(frame, failure.error, failure.cause)
            return
        machine = self._child_machine(frame)
        record = join.map_run
        child = self.sfn.executions.start_child(
            machine, child_input, {"map_run_arn": record["mapRunArn"], "label": record["label"]}
        )
        record["children"][str(index)] = child.arn
        join.running[index] = child.arn
        self.waiting[child.arn] = (frame, index)
        self._store(record)
        engine.touch(frame.run)
        if child.finished:
            self._child_ended(child)

    def _child_ended(self, child: Run) -> None:
        waiting = self.waiting.pop(child.arn, None)
        if waiting is None:
            return
        frame, index = waiting
        join = frame.join
        if join is None or join.map_run is None or join.running.get(index) != child.arn:
            return
        del join.running[index]
        join.finished[index] = True
        if child.status == "SUCCEEDED":
            join.results[index] = json.loads(child.output_text) if child.output_text is not None else None
        else:
            join.failures += 1
            join.results[index] = {"Error": child.error, "Cause": child.cause}
            plan = evaluate.MapPlan([], join.plan["max"], join.plan["count"], join.plan["percentage"])
            if not evaluate.tolerated(plan, join.failures, join.total):
                self._fail(frame, errors.TOLERATED_FAILURE, "The specified tolerated failure threshold was exceeded")
                return
        self.sfn.engine.touch(frame.run)
        self._fill(frame)

    def _complete(self, frame: Frame) -> None:
        engine = self.sfn.engine
        join = frame.join
        record = join.map_run
        h = frame.run.history
        history.map_run_succeeded(h, frame.cursor)
        record["status"] = "SUCCEEDED"
        record["stopDate"] = engine.clock()
        self._store(record)
        results = join.results
        writer = frame.current.spec.writer
        if writer:
            try:
                results = write_results(
                    self.sfn.clients,
                    engine.region,
                    writer,
                    record,
                    join.results,
                    frame.current,
                    frame.input,
                    engine.scope(frame, frame.input),
                )
            except ItemReaderError as failure:
                frame.phase = ENTER
                frame.join = None
                engine.state_failed(
                    frame,
                    StatesError(errors.RESULT_WRITER_FAILED, str(failure)),
                    lambda: history.map_failed(h, frame.cursor),
                )
                engine.proceed(frame)
                return
        history.map_succeeded(h, frame.cursor)
        frame.phase = ENTER
        frame.join = None
        try:
            transition = evaluate.collection_result(
                frame.current, frame.input, results, engine.scope(frame, frame.input)
            )
            engine.finish(frame, transition)
        except StatesError as failure:
            engine.state_failed(frame, failure)
        engine.proceed(frame)

    def _fail(self, frame: Frame, error: str, cause: str | None) -> None:
        engine = self.sfn.engine
        join = frame.join
        if join is None:
            return
        record = join.map_run
        for child_arn in list(join.running.values()):
            child = engine.runs.get(child_arn)
            self.waiting.pop(child_arn, None)
            if child is not None and not child.finished:
                engine.abort(child, None, None)
        h = frame.run.history
        history.map_run_failed(h, frame.cursor, error, cause)
        record["status"] = "FAILED"
        record["stopDate"] = engine.clock()
        self._store(record)
        frame.phase = ENTER
        frame.join = None
        engine.state_failed(frame, StatesError(error, cause), lambda: history.map_failed(h, frame.cursor))
        engine.proceed(frame)

    def resume(self, frame: Frame) -> None:
        """After a restart: follow the children again; the finished ones report from the store."""
        join = frame.join
        if not join.plan.get("items") and join.total == 0 and frame.current.spec.reader is not None:
            engine = self.sfn.engine
            self._read(frame, engine.scope(frame, frame.input))
            return
        for index, child_arn in list(join.running.items()):
            self.waiting[child_arn] = (frame, int(index))
            child = self.sfn.engine.runs.get(child_arn)
            if child is None:
                row = self.sfn.store.execution(child_arn)
                if row is not None and row.status != "RUNNING":
                    stand_in = Run(row.arn, row.name, None, None, row.input, row.start, None)
                    stand_in.status, stand_in.output_text = row.status, row.output
                    stand_in.error, stand_in.cause = row.error, row.cause
                    self._child_ended(stand_in)
        self._fill(frame)

    # -- the API -----------------------------------------------------------------------------------

    def _store(self, record: dict) -> None:
        stored = {k: v for k, v in record.items()}
        self.sfn.store.put(
            TABLE, record["mapRunArn"], stored, record["startDate"], execution_arn=record["executionArn"]
        )

    def _get(self, arn: str) -> dict:
        arns.parse(arn, ("mapRun",))
        self.sfn.durability.flush()
        record = self.sfn.store.get(TABLE, arn)
        if record is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return record

    def describe(self, arn: str) -> dict:
        record = self._get(arn)
        children = list(record.get("children", {}).values())
        counts = {"pending": 0, "running": 0, "succeeded": 0, "failed": 0, "timedOut": 0, "aborted": 0}
        for child_arn in children:
            row = self.sfn.store.execution(child_arn)
            status = row.status if row is not None else "SUCCEEDED"
            key = {
                "RUNNING": "running",
                "SUCCEEDED": "succeeded",
                "FAILED": "failed",
                "TIMED_OUT": "timedOut",
                "ABORTED": "aborted",
            }.get(status, "succeeded")
            counts[key] += 1
        total = record.get("itemCounts") if isinstance(record.get("itemCounts"), int) else len(children)
        counts["pending"] = max(0, total - len(children))
        written = counts["succeeded"] + counts["failed"] if record.get("status") != "RUNNING" else 0
        out = {
            "mapRunArn": record["mapRunArn"],
            "executionArn": record["executionArn"],
            "status": record["status"],
            "startDate": record["startDate"],
            "maxConcurrency": record["maxConcurrency"],
            "toleratedFailurePercentage": float(record["toleratedFailurePercentage"]),
            "toleratedFailureCount": record["toleratedFailureCount"],
            "itemCounts": {**counts, "total": total, "resultsWritten": written},
            "executionCounts": {**counts, "total": total, "resultsWritten": written},
            "redriveCount": 0,
        }
        if record.get("stopDate"):
            out["stopDate"] = record["stopDate"]
        return out

    def list(self, execution_arn: str, max_results: int | None, token: str | None) -> dict:
        arns.parse(execution_arn, ("execution",))
        self.sfn.durability.flush()
        records = self.sfn.store.all(TABLE, "WHERE execution_arn = ?", (execution_arn,))
        items = [
            {
                "executionArn": r["executionArn"],
                "mapRunArn": r["mapRunArn"],
                "stateMachineArn": r["stateMachineArn"],
                "startDate": r["startDate"],
                **({"stopDate": r["stopDate"]} if r.get("stopDate") else {}),
            }
            for r in records
        ]
        page, next_token = paging.page(items, max_results, token)
        out: dict[str, Any] = {"mapRuns": page}
        if next_token:
            out["nextToken"] = next_token
        return out

    def update(self, arn: str, max_concurrency: int | None, percentage: float | None, count: int | None) -> dict:
        record = self._get(arn)
        if max_concurrency is None and percentage is None and count is None:
            raise ValidationException("At least one of the parameters must be specified")
        for child in list(self.waiting.items()):
            frame, _ = child[1]
            join = frame.join
            if join is not None and join.map_run is not None and join.map_run["mapRunArn"] == arn:
                if max_concurrency is not None:
                    join.plan["max"] = max_concurrency
                if percentage is not None:
                    join.plan["percentage"] = percentage
                if count is not None:
                    join.plan["count"] = count
                self._fill(frame)
                break
        if max_concurrency is not None:
            record["maxConcurrency"] = max_concurrency
        if percentage is not None:
            record["toleratedFailurePercentage"] = percentage
        if count is not None:
            record["toleratedFailureCount"] = count
        record["updateDate"] = time.time()
        self._store(record)
        return {}
