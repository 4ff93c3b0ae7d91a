"""Parallel branches and inline Map iterations: child frames of one state, and their join.

1. Parallel: ``ParallelStateStarted``, then every branch as a child frame with the same
   input; the output is the branch outputs in branch order. A failing branch aborts the
   others and fails the state with *its* error (not ``States.BranchFailed``, as AWS
   records it).
2. Inline Map: ``MapStateStarted {length}``, then up to ``MaxConcurrency`` iterations at
   a time (0: all), each framed by ``MapIterationStarted``/``Succeeded``; the output is
   the iteration outputs in item order. An iteration's failure aborts the running ones
   (``<Type>StateAborted`` and ``MapIterationAborted``) and fails the state.
3. A retry of either state starts it over from its Started event.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from host.stepfunctions.core import errors, evaluate, history
from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.core.history import Cursor
from host.stepfunctions.core.templates import Variables
from host.stepfunctions.engine.interpreter import SLICE
from host.stepfunctions.engine.runs import CHILDREN, DONE, ENTER, Frame, Join

if TYPE_CHECKING:
    from host.stepfunctions.engine.interpreter import Engine


class Collections:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.distributed = None  # set by the service: runs a distributed Map (engine/distributed.py)

    # -- Parallel -----------------------------------------------------------------------------------

    def _mocked(self, frame: Frame) -> bool:
        """TestState's ``mock`` answers a Map or Parallel state without running its items or
        branches."""
        run = frame.run
        if not (run.testing and frame.parent is None and run.test_mock is not None):
            return False
        mock = run.test_mock.mock
        state = frame.current
        if state.type == "Map":  # the items are still read: a path that is not an array fails as it would
            try:
                evaluate.map_plan(state, frame.input, self.engine.scope(frame, frame.input))
            except StatesError as error:
                prefix = errors.entered(state.name, frame.entered_id)
                cause = (error.cause or "").removeprefix(prefix).replace('"$$', '"$', 1)
                self.engine.state_failed(frame, StatesError(error.error, cause, error.location, error.terminal))
                self.engine.proceed(frame)
                return True
        if "errorOutput" in mock:
            failure = mock["errorOutput"] or {}
            self.engine.state_failed(frame, StatesError(failure.get("error"), failure.get("cause"), terminal=False))
            self.engine.proceed(frame)
        else:
            self._complete(frame, json.loads(mock.get("result", "null")))
        return True

    def start_parallel(self, frame: Frame) -> None:
        engine = self.engine
        if self._mocked(frame):
            return
        state = frame.current
        branch_input = evaluate.parallel_input(state, frame.input, engine.scope(frame, frame.input))
        history.parallel_started(frame.run.history, frame.cursor)
        branches = state.spec.branches
        join = Join(
            "parallel",
            len(branches),
            [None] * len(branches),
            [False] * len(branches),
            {},
            cursor=Cursor(frame.cursor.source, frame.cursor.last),
            effective_input=branch_input,
        )
        frame.join = join
        frame.phase = CHILDREN
        engine.touch(frame.run)
        for index, branch in enumerate(branches):
            child = Frame(
                frame.run,
                branch,
                branch.start_at,
                branch_input,
                Cursor(frame.cursor.source),
                Variables({}, frame.variables),
                parent=frame,
                index=index,
            )
            join.running[index] = child
            engine.make_ready(child)

    # -- Map ----------------------------------------------------------------------------------------

    def start_map(self, frame: Frame) -> None:
        engine = self.engine
        state = frame.current
        if self._mocked(frame):
            return
        if state.spec.distributed or state.spec.reader is not None:
            self.distributed.start(frame)
            return
        plan = evaluate.map_plan(state, frame.input, engine.scope(frame, frame.input))
        items = plan.items
        history.map_started(frame.run.history, frame.cursor, len(items))
        join = Join(
            "map",
            len(items),
            [None] * len(items),
            [False] * len(items),
            {},
            cursor=Cursor(frame.cursor.source, frame.cursor.last),
            plan={
                "items": items,
                "max": plan.max_concurrency,
                "count": plan.tolerated_count,
                "percentage": plan.tolerated_percentage,
            },
        )
        frame.join = join
        frame.phase = CHILDREN
        engine.touch(frame.run)
        self._advance(frame)

    def _advance(self, frame: Frame) -> None:
        """Start iterations until MaxConcurrency of them run, each stepped at once until it waits
        (so Pass-only iterations run one after another, as AWS records them); complete the Map
        when every item is done. Never re-entered: a child finishing inside the loop only
        leaves its result."""
        join = frame.join
        if join is None or join.filling:
            return
        join.filling = True
        started = time.perf_counter()
        try:
            limit = join.plan["max"] or join.total
            while frame.join is join:
                if not join.running and join.next_index >= join.total:
                    self._map_complete(frame)
                    return
                if join.next_index >= join.total or len(join.running) >= limit:
                    return
                if time.perf_counter() - started > SLICE:
                    self.engine.loop.call_soon(self._advance, frame)
                    return
                index = join.next_index
                join.next_index += 1
                child = self._start_iteration(frame, index)
                if child is not None:
                    self.engine.step(child)
        finally:
            join.filling = False

    def _start_iteration(self, frame: Frame, index: int) -> Frame | None:
        engine = self.engine
        join = frame.join
        state = frame.current
        item = join.plan["items"][index]
        processor = state.spec.processor
        child = Frame(
            frame.run,
            processor,
            processor.start_at,
            None,
            Cursor(join.cursor.source),
            Variables({}, frame.variables),
            parent=frame,
            index=index,
            item=(index, item),
        )
        join.running[index] = child
        history.map_iteration(frame.run.history, child.cursor, "Started", state.name, index)
        try:
            value = (
                frame.input
                if state.jsonata
                else evaluate.map_input(state, frame.input, engine.scope(frame, frame.input))
            )
            scope = engine.scope(frame, value)
            scope.input = frame.input
            scope.context = lambda: engine.context(frame, item=(index, item))
            child.input = evaluate.map_item_input(state, item, index, scope)
        except StatesError as error:
            child.phase = DONE
            self.child_failed(child, error.error, error.cause, terminal=error)
            return None
        return child

    # -- children ending -----------------------------------------------------------------------------

    def child_succeeded(self, child: Frame, output: Any) -> None:
        frame = child.parent
        join = frame.join
        if join is None or join.running.get(child.index) is not child:
            return
        del join.running[child.index]
        join.results[child.index] = output
        join.finished[child.index] = True
        join.cursor.join(child.cursor)
        run = frame.run
        if join.kind == "map":
            event_id = history.map_iteration(run.history, child.cursor, "Succeeded", frame.state, child.index)
            join.succeeded_max = max(join.succeeded_max, event_id)
            self._advance(frame)
        elif all(join.finished):
            frame.cursor.join(join.cursor)
            history.parallel_succeeded(run.history, frame.cursor)
            self._complete(frame, join.results)
        self.engine.touch(run)

    def _map_complete(self, frame: Frame) -> None:
        join = frame.join
        frame.cursor.join(join.cursor)
        frame.cursor.source = max(frame.cursor.source, join.succeeded_max)
        history.map_succeeded(frame.run.history, frame.cursor)
        self._complete(frame, join.results)

    def _complete(self, frame: Frame, results: list) -> None:
        engine = self.engine
        frame.phase = ENTER
        try:
            transition = evaluate.collection_result(
                frame.current, frame.input, results, engine.scope(frame, frame.input)
            )
            frame.join = None
            engine.finish(frame, transition)
        except StatesError as error:
            frame.join = None
            engine.state_failed(frame, error)
        engine.proceed(frame)

    def child_failed(self, child: Frame, error: str | None, cause: str | None, terminal: Any = None) -> None:
        frame = child.parent
        join = frame.join
        if join is None or join.running.get(child.index) is not child:
            return
        del join.running[child.index]
        run = frame.run
        h = run.history
        failing_event = child.cursor.source
        join.cursor.join(child.cursor)
        if join.kind == "map":
            history.map_iteration(h, child.cursor, "Failed", frame.state, child.index)
        self._abort_running(frame, failing_event)
        frame.cursor.join(join.cursor)
        frame.cursor.source = failing_event if join.kind == "parallel" else join.cursor.source
        cursor = frame.cursor
        failed_event = (
            (lambda: history.map_failed(h, cursor))
            if join.kind == "map"
            else (lambda: history.parallel_failed(h, cursor))
        )
        frame.join = None
        frame.phase = ENTER
        self.engine.touch(run)
        failure = terminal if isinstance(terminal, StatesError) else StatesError(error, cause)
        if failure.error == errors.RUNTIME:
            failure = StatesError(error, cause, terminal=True)
        self.engine.state_failed(frame, failure, failed_event)
        self.engine.proceed(frame)

    def _abort_running(self, frame: Frame, previous: int) -> None:
        join = frame.join
        h = frame.run.history
        for index in sorted(join.running):
            other = join.running[index]
            self.engine.cancel(other)
            if other.entered_id and other.phase != ENTER:
                history.state_aborted(h, other.cursor, other.current, previous)
            if join.kind == "map":
                history.map_iteration(h, other.cursor, "Aborted", frame.state, index, previous=previous)
            other.phase = DONE
        join.running.clear()
