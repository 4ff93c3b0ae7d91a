"""Runs executions on the host's event loop: no thread per execution, per branch or per state.

1. Frames ready to move wait in one queue; ``_pump`` steps them for at most a few
   milliseconds of CPU, then yields the loop (the Invoke API shares it) and continues
   on the next turn.
2. Stepping a frame evaluates states (``core.evaluate``) until one has to wait: a Wait
   or a retry's delay (a loop timer), a task (an integration answers later through
   ``TaskDriver``), or a Parallel/Map's children (``collections``).
3. Every event goes through ``core.history``; a run with new events is *dirty* and is
   written to the store in batches (``Durability``), a few milliseconds later or before
   any API answer that depends on it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from host.stepfunctions.core import errors, evaluate, history
from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.core.evaluate import Caught, Failed, Retry, Transition
from host.stepfunctions.core.history import Cursor
from host.stepfunctions.core.templates import Scope, Variables
from host.stepfunctions.core.timestamps import iso_millis
from host.stepfunctions.engine.runs import DONE, ENTER, RETRY, WAIT, Frame, Run

log = logging.getLogger("lambda_host.stepfunctions")

SLICE = 0.005  # seconds of CPU one pump may take before the loop gets a turn
EXECUTION_STATES = ("Task", "Parallel", "Map")


_MARK = "\u0000lambda-host-input\u0000"
_MARK_TEXT = history.text(_MARK)


def run_of(frame: Frame) -> Run:
    return frame.run


def text_of(run: Run, value: Any) -> str:
    """A value's JSON text in history. The execution input, passed on untouched (alone or inside
    a result), keeps the text it was given in: AWS re-serialises only what a state changed."""
    source = run.input
    if not isinstance(source, dict | list):
        return history.text(value)
    if value is source:
        return run.input_text
    if isinstance(value, list) and run.input_text != history.text(source):
        swapped, found = _swap(value, source)
        if found:
            return history.text(swapped).replace(_MARK_TEXT, run.input_text)
    return history.text(value)


def _swap(value: Any, source: Any) -> tuple[Any, bool]:
    """The input inside Parallel and Map results (lists of outputs); objects built by templates
    are written anew, as AWS writes them."""
    if value is source:
        return _MARK, True
    if isinstance(value, list):
        items = [_swap(item, source) for item in value]
        if any(hit for _, hit in items):
            return [item for item, _ in items], True
        return value, False
    return value, False


class Engine:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        region: str,
        account: str,
        clock: Callable[[], float] = time.time,
        wait_scale: float = 1.0,
    ) -> None:
        self.loop = loop
        self.region = region
        self.account = account
        self.clock = clock
        self.wait_scale = wait_scale
        self.ready: deque[Frame] = deque()
        self.pumping = False
        self.runs: dict[str, Run] = {}
        self.on_dirty: Callable[[Run], None] = lambda run: None
        self.flush_now: Callable[[], None] = lambda: None  # write what is pending at once (durability)
        self.on_end: list[Callable[[Run], None]] = []
        self.on_launch: list[Callable[[Run], None]] = []  # a new run started (metrics)
        from host.stepfunctions.engine.collections import Collections
        from host.stepfunctions.engine.tasks import TaskDriver

        self.tasks = TaskDriver(self)
        self.collections = Collections(self)

    # -- runs --------------------------------------------------------------------------------

    def launch(self, run: Run) -> None:
        """Start a new run: its ExecutionStarted event, then its first state."""
        machine = run.machine
        history.execution_started(run.history, run.input_text, machine.role_arn, machine.version_arn, machine.alias_arn)
        program = machine.definition.program
        run.root = Frame(run, program, program.start_at, run.input, Cursor(0), Variables())
        if machine.definition.timeout_seconds:
            run.deadline = run.start + machine.definition.timeout_seconds
        self.adopt(run)
        for listener in self.on_launch:
            listener(run)
        self.make_ready(run.root)

    def adopt(self, run: Run) -> None:
        """Track a run (new or resumed): its execution timeout and its end."""
        self.runs[run.arn] = run
        if run.done is None:
            run.done = self.loop.create_future()
        if run.deadline is not None:
            run.timers.append(self.call_at(run.deadline, self._timed_out, run))
        self.touch(run)

    def touch(self, run: Run) -> None:
        if not run.dirty:
            run.dirty = True
            self.on_dirty(run)

    def call_at(self, when: float, callback, *args) -> asyncio.TimerHandle:
        """A loop timer at epoch second ``when``."""
        return self.loop.call_later(max(0.0, when - self.clock()), callback, *args)

    def scaled(self, seconds: float) -> float:
        return seconds * self.wait_scale

    # -- the ready queue -----------------------------------------------------------------------

    def make_ready(self, frame: Frame) -> None:
        if frame.queued:
            return
        frame.queued = True
        self.ready.append(frame)
        if not self.pumping:
            self.pumping = True
            self.loop.call_soon(self._pump)

    def _pump(self) -> None:
        started = time.perf_counter()
        ready = self.ready
        try:
            while ready:
                frame = ready.popleft()
                frame.queued = False
                if frame.run.finished or frame.phase != ENTER:
                    continue
                self.step(frame)
                if time.perf_counter() - started > SLICE:
                    break
        finally:
            if ready:
                self.loop.call_soon(self._pump)
            else:
                self.pumping = False

    # -- stepping ---------------------------------------------------------------------------------

    def scope(self, frame: Frame, value: Any) -> Scope:
        return Scope(value, lambda: self.context(frame), frame.variables, frame.state, frame.entered_id, value)

    def context(self, frame: Frame, item: tuple | None = None) -> dict:
        """The context object (``$$``) as the frame's current state sees it (``item``: the Map
        item an ItemSelector is evaluated for)."""
        run = frame.run
        if run.test_context is not None and frame.parent is None:
            return run.test_context  # TestState's context, given whole
        context: dict[str, Any] = {
            "Execution": {
                "Id": run.arn,
                "Input": run.input,
                "StartTime": iso_millis(run.start),
                "Name": run.name,
                "RoleArn": run.machine.role_arn,
                "RedriveCount": run.redrive_count,
            },
            "StateMachine": {"Id": run.machine.arn, "Name": run.machine.name},
            "State": {"Name": frame.state, "EnteredTime": iso_millis(frame.entered_time)},
        }
        if run.testing:  # TestState's context, as AWS gives it: a fixed state name, no redrives
            del context["Execution"]["RedriveCount"]
            context["Execution"]["RoleArn"] = run.machine.role_arn or None
            if frame.parent is None:
                context["State"]["Name"] = "StateName"
        if run.redrive_count:
            context["Execution"]["RedriveTime"] = iso_millis(run.redrive_date or run.start)
        if frame.current.type in EXECUTION_STATES:
            context["State"]["RetryCount"] = frame.retry_count
        if frame.task is not None and frame.task.token is not None:
            context["Task"] = {"Token": frame.task.token}
        if item is None:
            item_frame = frame
            while item_frame is not None and item_frame.item is None:
                item_frame = item_frame.parent
            item = item_frame.item if item_frame is not None else None
        if item is not None:
            context["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return context

    def step(self, frame: Frame) -> None:
        """Move ``frame`` through states until one has to wait."""
        run = frame.run
        while frame.phase == ENTER and not run.finished:
            state = frame.current
            if state.type == "Task" and not frame.yielded:
                frame.yielded = True  # let the other ready frames enter their states first, as AWS orders them
                self.make_ready(frame)
                return
            frame.yielded = False
            self.enter(frame)
            self.visit(frame)

    def enter(self, frame: Frame) -> None:
        state = frame.current
        frame.entered_prev = frame.cursor.source
        frame.entered_time = self.clock()
        frame.entered_id = history.state_entered(
            frame.run.history, frame.cursor, state, text_of(frame.run, frame.input)
        )
        preset = frame.run.test_retry_count if frame.run.testing and frame.parent is None else 0
        frame.attempts = [preset] * len(state.retry)
        frame.retry_count = preset
        self.touch(frame.run)

    def visit(self, frame: Frame) -> None:
        """Run the current (entered) state: to its end, or until it waits."""
        state = frame.current
        kind = state.type
        scope = self.scope(frame, frame.input)
        try:
            if kind == "Pass":
                self.finish(frame, evaluate.run_pass(state, frame.input, scope))
            elif kind == "Choice":
                self.finish(frame, evaluate.run_choice(state, frame.input, scope))
            elif kind == "Succeed":
                self.finish(frame, evaluate.run_succeed(state, frame.input, scope))
            elif kind == "Fail":
                failed: Failed = evaluate.run_fail(state, frame.input, scope)
                self.fail_frame(frame, failed.error, failed.cause)
            elif kind == "Wait":
                deadline = evaluate.wait_deadline(state, frame.input, scope, frame.entered_time)
                wake = (
                    frame.entered_time
                    if run_of(frame).testing
                    else frame.entered_time + self.scaled(deadline - frame.entered_time)
                )
                self.sleep(frame, WAIT, wake)
            elif kind == "Task":
                self.tasks.start(frame)
            elif kind == "Parallel":
                self.collections.start_parallel(frame)
            elif kind == "Map":
                self.collections.start_map(frame)
            else:
                raise errors.runtime(state.name, frame.entered_id, f"Unsupported state type {kind}")
        except StatesError as error:
            self.state_failed(frame, error)

    def sleep(self, frame: Frame, phase: str, wake: float) -> None:
        frame.phase = phase
        frame.wake_at = wake
        frame.timer = self.call_at(wake, self.wake, frame)
        self.touch(frame.run)

    def wake(self, frame: Frame) -> None:
        """A Wait's end or a retry's delay is over."""
        if frame.run.finished or frame.phase not in (WAIT, RETRY):
            return
        phase, frame.phase, frame.wake_at, frame.timer = frame.phase, ENTER, None, None
        try:
            if phase == WAIT:
                state = frame.current
                self.finish(frame, evaluate.finish_wait(state, frame.input, self.scope(frame, frame.input)))
            else:
                self.retry(frame)
        except StatesError as error:
            self.state_failed(frame, error)
        self.proceed(frame)

    def proceed(self, frame: Frame) -> None:
        """After an answer from outside the step loop (a timer, a task, a child): continue."""
        if frame.phase == ENTER and not frame.run.finished:
            self.make_ready(frame)

    def retry(self, frame: Frame) -> None:
        frame.retry_count += 1
        kind = frame.current.type
        if kind == "Task":
            self.tasks.start(frame)
        elif kind == "Parallel":
            self.collections.start_parallel(frame)
        else:
            self.collections.start_map(frame)

    # -- leaving a state --------------------------------------------------------------------------

    def finish(self, frame: Frame, outcome: Transition, previous: int | None = None) -> None:
        """The state is done: its Exited event, its variables, then the next state or the end."""
        state = frame.current
        run = frame.run
        output_text = text_of(run, outcome.output)
        if errors.over_limit(output_text):
            raise errors.too_large(state.name, terminal=True)
        if state.type != "Fail":
            history.state_exited(run.history, frame.cursor, state, output_text, outcome.assigned, previous)
        if outcome.assigned:
            frame.variables.values.update(outcome.assigned)
        self.touch(run)
        if outcome.next is None or (run.testing and frame.parent is None):
            frame.phase = DONE
            run.test_next = outcome.next
            self.frame_done(frame, outcome.output, output_text)
            return
        frame.state = outcome.next
        frame.input = outcome.output
        frame.phase = ENTER
        frame.task = None
        frame.join = None

    def frame_done(self, frame: Frame, output: Any, output_text: str) -> None:
        if frame.parent is None:
            run = frame.run
            history.execution_succeeded(run.history, frame.cursor, output_text)
            self.end(run, "SUCCEEDED", output_text=output_text)
        else:
            self.collections.child_succeeded(frame, output)

    def state_failed(self, frame: Frame, error: StatesError, failed_event=None) -> None:
        """A state failed: EvaluationFailed for JSONata errors, then retry, catch or failure.
        ``failed_event`` writes the state's own failure event (MapStateFailed,
        ParallelStateFailed), which AWS writes only when the state is not retried."""
        run = frame.run
        if run.finished:
            return
        state = frame.current
        if error.error == errors.QUERY_EVALUATION:
            # AWS points a Wait's failure at its Entered event, any other at what the Entered pointed at.
            previous = frame.entered_id if state.type == "Wait" else frame.entered_prev
            history.evaluation_failed(
                run.history, frame.cursor, state, error.error, error.cause, error.location, previous
            )
        self.touch(run)
        if error.terminal:
            if failed_event is not None:
                failed_event()
            self.fail_frame(frame, error.error, error.cause)
            return
        decision = evaluate.on_error(
            state, frame.input, error, frame.attempts, self.scope(frame, frame.input), random.random()
        )
        if run.testing and frame.parent is None:
            run.test_details = _error_details(state, error, decision)
        if isinstance(decision, Retry) and run.testing and frame.parent is None:
            self.end(run, "RETRIABLE", error=error.error, cause=error.cause)  # TestState does not retry
            return
        if isinstance(decision, Retry):
            frame.attempts[decision.retrier] += 1
            self.sleep(frame, RETRY, self.clock() + self.scaled(decision.delay))
            return
        if failed_event is not None:
            failed_event()
        if isinstance(decision, Caught) and run.testing and frame.parent is None:
            run.test_next = decision.transition.next
            output = decision.transition.output
            self.end(run, "CAUGHT_ERROR", output_text=text_of(run, output), error=error.error, cause=error.cause)
            return
        if isinstance(decision, Caught):
            frame.phase = ENTER
            frame.task = None
            frame.join = None
            try:
                self.finish(frame, decision.transition)
            except StatesError as late:  # the catcher's output is over the limit
                self.fail_frame(frame, late.error, late.cause)
            return
        self.fail_frame(frame, error.error, error.cause)

    def fail_frame(self, frame: Frame, error: str | None, cause: str | None) -> None:
        """The frame's states failed without a catch: the execution fails, or its parent hears of it."""
        frame.phase = DONE
        if frame.parent is None:
            run = frame.run
            history.execution_failed(run.history, frame.cursor, error, cause)
            self.end(run, "FAILED", error=error, cause=cause)
        else:
            self.collections.child_failed(frame, error, cause)

    # -- the end -----------------------------------------------------------------------------------

    def end(
        self, run: Run, status: str, output_text: str | None = None, error: str | None = None, cause: str | None = None
    ) -> None:
        if run.finished:
            return
        run.status = status
        run.stop = self.clock()
        run.output_text = output_text
        run.error = error
        run.cause = cause
        self.cancel(run.root)
        for timer in run.timers:
            timer.cancel()
        run.timers.clear()
        self.tasks.forget(run)
        self.touch(run)
        for listener in self.on_end:
            try:
                listener(run)
            except Exception:
                log.exception("an execution end listener failed")
        if run.done is not None and not run.done.done():
            run.done.set_result(run)

    def cancel(self, frame: Frame | None) -> None:
        """Stop every timer and task below ``frame``."""
        if frame is None:
            return
        if frame.timer is not None:
            frame.timer.cancel()
            frame.timer = None
        if frame.task is not None:
            self.tasks.abandon(frame)
        if frame.join is not None:
            for child in list(frame.join.running.values()):
                self.cancel(child)

    def _timed_out(self, run: Run) -> None:
        if run.finished:
            return
        cursor = self.deepest_cursor(run.root)
        history.execution_timed_out(run.history, cursor, errors.TIMEOUT, None)
        self.end(run, "TIMED_OUT", error=errors.TIMEOUT)

    def deepest_cursor(self, frame: Frame) -> Cursor:
        best = frame.cursor
        if frame.join is not None:
            for child in frame.join.running.values():
                candidate = self.deepest_cursor(child)
                if candidate.last > best.last:
                    best = candidate
        return best

    def abort(self, run: Run, error: str | None, cause: str | None) -> None:
        """StopExecution: ExecutionAborted, pointing at no event, as AWS records it."""
        if run.finished:
            return
        history.execution_aborted(run.history, error, cause)
        self.end(run, "ABORTED", error=error, cause=cause)


def _error_details(state, error: StatesError, decision) -> dict | None:
    """TestState's ``errorDetails``: the catcher that caught, or the retrier that matched (with
    the backoff it would wait, while it has attempts left)."""
    if isinstance(decision, Caught):
        return {"catchIndex": decision.catcher}
    if isinstance(decision, Retry):
        return {"retryBackoffIntervalSeconds": int(decision.delay), "retryIndex": decision.retrier}
    index = evaluate.matching_retrier(state, error)
    return {"retryIndex": index} if index is not None else None
