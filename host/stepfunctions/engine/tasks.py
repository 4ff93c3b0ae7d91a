"""A Task state's life between ``TaskScheduled`` and its answer, and the task tokens.

1. ``start`` evaluates the request (a callback task gets its token first, so
   ``$$.Task.Token`` is there for the Parameters), writes the Scheduled event of the
   task's family and hands a ``TaskCall`` to the integration.
2. The integration answers through ``_Reply``; every answer checks the generation it was
   given, so one that comes after a timeout, a stop or a retry is dropped.
3. ``TimeoutSeconds`` and ``HeartbeatSeconds`` run from the Started event; a heartbeat
   (``SendTaskHeartbeat``) moves the heartbeat deadline.
4. Tokens map to their frame while the task waits; a token whose task is over is
   remembered a while so ``SendTask*`` can say ``TaskTimedOut`` rather than
   ``TaskDoesNotExist``, as AWS does.
"""

from __future__ import annotations

import base64
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from host.stepfunctions.core import errors, evaluate, history
from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.engine.runs import DONE, ENTER, TASK, Frame, Run, TaskFlight
from host.stepfunctions.integrations.base import (
    ACTIVITY,
    LAMBDA_FUNCTION,
    ExecutionInfo,
    Integration,
    Target,
    TaskCall,
    UnknownResource,
)

if TYPE_CHECKING:
    from host.stepfunctions.engine.interpreter import Engine

CLOSED_TOKENS_KEPT = 10000


def new_token() -> str:
    return "AQ" + base64.urlsafe_b64encode(os.urandom(120)).decode().rstrip("=")


class TokenProblem(Exception):
    """``code`` is the API error: TaskDoesNotExist, TaskTimedOut or InvalidToken."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TaskDriver:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.resolve: Callable[[Target, Run, str], Integration] | None = None
        self.activity_exists: Callable[[str], bool] = lambda arn: True
        self.tokens: dict[str, Frame] = {}
        self.closed: OrderedDict[str, str] = OrderedDict()
        self._generation = 0

    def _next_generation(self) -> int:
        self._generation += 1
        return self._generation

    # -- starting -------------------------------------------------------------------------------

    def start(self, frame: Frame) -> None:
        engine = self.engine
        state = frame.current
        run = frame.run
        try:
            target = Target.parse(state.spec.resource)
        except UnknownResource:
            raise errors.runtime(
                state.name, frame.entered_id, f"The resource {state.spec.resource} is not supported"
            ) from None
        if target.family == ACTIVITY and not self.activity_exists(target.arn):
            raise errors.runtime(state.name, frame.entered_id, f"The activity {target.arn} does not exist.")
        token = new_token() if target.pattern == "waitForTaskToken" or target.family == ACTIVITY else None
        frame.task = TaskFlight({}, self._next_generation(), token)
        request = evaluate.task_request(state, frame.input, engine.scope(frame, frame.input))
        frame.task.request = {
            "parameters": request.parameters,
            "timeout": request.timeout,
            "heartbeat": request.heartbeat,
            "credentials": request.credentials,
        }
        self._scheduled(frame, target, request)
        frame.phase = TASK
        engine.touch(run)
        self._dispatch(frame, target, resumed=False)

    def _scheduled(self, frame: Frame, target: Target, request: evaluate.TaskRequest) -> None:
        h, cursor = frame.run.history, frame.cursor
        parameters_text = history.text(request.parameters)
        if target.family == LAMBDA_FUNCTION:
            history.lambda_scheduled(h, cursor, target.arn, parameters_text, request.timeout, request.credentials)
        elif target.family == ACTIVITY:
            history.activity_scheduled(h, cursor, target.arn, parameters_text, request.timeout, request.heartbeat)
        else:
            history.task_scheduled(
                h,
                cursor,
                target.resource_type,
                target.resource,
                self.engine.region,
                parameters_text,
                request.timeout,
                request.heartbeat,
                request.credentials,
            )

    def _dispatch(self, frame: Frame, target: Target, resumed: bool) -> None:
        run = frame.run
        task = frame.task
        if task.token is not None:
            self.tokens[task.token] = frame
            run.tokens.add(task.token)
            if not resumed and target.family != ACTIVITY:  # the token leaves with the request: durable first
                self.engine.flush_now()
        request = task.request
        call = TaskCall(
            target=target,
            parameters=request["parameters"],
            state_name=frame.state,
            execution=self.execution_info(run),
            token=task.token,
            timeout=request["timeout"],
            heartbeat=request["heartbeat"],
            credentials=request["credentials"],
            attempt=frame.retry_count,
            resumed=resumed,
            submitted=task.submitted_output if resumed else None,
        )
        reply = _Reply(self, frame, task.generation, target)
        try:
            self.resolve(target, run, frame.state).start(call, reply)
        except StatesError as error:
            reply.started()
            reply.failed(error.error, error.cause)

    def execution_info(self, run: Run) -> ExecutionInfo:
        return ExecutionInfo(
            run.arn,
            run.name,
            run.machine.arn,
            self.engine.region,
            self.engine.account,
            run.express,
            run.mock_case,
            run.trace_header,
        )

    def resume(self, frame: Frame) -> None:
        """A task that was in flight when the host stopped: wait on for its token when the
        work was handed over, otherwise send it again."""
        task = frame.task
        target = Target.parse(frame.current.spec.resource)
        task.generation = self._next_generation()
        self._arm(frame, task)
        if task.token is not None and (task.submitted or (target.family == ACTIVITY and task.started)):
            self.tokens[task.token] = frame
            frame.run.tokens.add(task.token)
            return
        self._dispatch(frame, target, resumed=True)

    # -- timers -------------------------------------------------------------------------------

    def _arm(self, frame: Frame, task: TaskFlight) -> None:
        for handle in task.handles:
            handle.cancel()
        task.handles = []
        engine = self.engine
        if task.deadline is not None:
            task.handles.append(engine.call_at(task.deadline, self._timeout, frame, task.generation))
        if task.heartbeat_deadline is not None:
            task.handles.append(engine.call_at(task.heartbeat_deadline, self._timeout, frame, task.generation))

    def _timeout(self, frame: Frame, generation: int) -> None:
        task = frame.task
        if task is None or task.generation != generation or frame.run.finished:
            return
        target = Target.parse(frame.current.spec.resource)
        h, cursor = frame.run.history, frame.cursor
        if target.family == LAMBDA_FUNCTION:
            history.lambda_failed(h, cursor, errors.TIMEOUT, None, "LambdaFunctionTimedOut")
        elif target.family == ACTIVITY:
            history.activity_failed(h, cursor, errors.TIMEOUT, None, "ActivityTimedOut")
        else:
            history.task_failed(h, cursor, target.resource_type, target.resource, errors.TIMEOUT, None, "TaskTimedOut")
        self._close(frame, "timed out")
        self.engine.state_failed(frame, StatesError(errors.TIMEOUT, None))
        self.engine.proceed(frame)

    def heartbeat(self, token: str) -> None:
        frame = self._frame_of(token)
        task = frame.task
        heartbeat = task.request.get("heartbeat")
        if heartbeat is not None:
            task.heartbeat_deadline = self.engine.clock() + heartbeat
            self._arm(frame, task)
            self.engine.touch(frame.run)

    # -- answers through tokens ---------------------------------------------------------------------

    def _frame_of(self, token: str) -> Frame:
        frame = self.tokens.get(token)
        if frame is not None and frame.task is not None and frame.task.token == token and frame.phase == TASK:
            return frame
        if token in self.closed:
            raise TokenProblem("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        raise TokenProblem("TaskDoesNotExist", "Task does not exist anymore")

    def succeed_by_token(self, token: str, output: Any) -> None:
        frame = self._frame_of(token)
        _Reply(self, frame, frame.task.generation, Target.parse(frame.current.spec.resource)).succeeded(output)

    def fail_by_token(self, token: str, error: str | None, cause: str | None) -> None:
        frame = self._frame_of(token)
        _Reply(self, frame, frame.task.generation, Target.parse(frame.current.spec.resource)).failed(error, cause)

    def reply_for(self, token: str) -> _Reply:
        frame = self._frame_of(token)
        return _Reply(self, frame, frame.task.generation, Target.parse(frame.current.spec.resource))

    # -- ending ---------------------------------------------------------------------------------------

    def _close(self, frame: Frame, why: str) -> None:
        task = frame.task
        if task is None:
            return
        task.generation = -1
        for handle in task.handles:
            handle.cancel()
        task.handles = []
        if task.token is not None:
            self.tokens.pop(task.token, None)
            frame.run.tokens.discard(task.token)
            self.closed[task.token] = why
            while len(self.closed) > CLOSED_TOKENS_KEPT:
                self.closed.popitem(last=False)

    def abandon(self, frame: Frame) -> None:
        self._close(frame, "abandoned")

    def forget(self, run: Run) -> None:
        for token in list(run.tokens):
            self.tokens.pop(token, None)
            self.closed[token] = "ended"
        run.tokens.clear()


class _Reply:
    """An integration's way back to the frame it works for (event loop only)."""

    __slots__ = ("driver", "frame", "generation", "target")

    def __init__(self, driver: TaskDriver, frame: Frame, generation: int, target: Target) -> None:
        self.driver = driver
        self.frame = frame
        self.generation = generation
        self.target = target

    @property
    def current(self) -> bool:
        frame = self.frame
        return (
            not frame.run.finished
            and frame.phase == TASK
            and frame.task is not None
            and frame.task.generation == self.generation
        )

    def started(self, worker: str | None = None) -> None:
        if not self.current:
            return
        frame, task = self.frame, self.frame.task
        if task.started:
            return
        task.started = True
        h, cursor, target = frame.run.history, frame.cursor, self.target
        if target.family == LAMBDA_FUNCTION:
            history.lambda_started(h, cursor)
        elif target.family == ACTIVITY:
            history.activity_started(h, cursor, worker)
        else:
            history.task_started(h, cursor, target.resource_type, target.resource)
        now = self.driver.engine.clock()
        if task.request.get("timeout") is not None:
            task.deadline = now + task.request["timeout"]
        if task.request.get("heartbeat") is not None:
            task.heartbeat_deadline = now + task.request["heartbeat"]
        self.driver._arm(frame, task)
        self.driver.engine.touch(frame.run)

    def submitted(self, output: Any) -> None:
        if not self.current:
            return
        frame = self.frame
        history.task_submitted(
            frame.run.history, frame.cursor, self.target.resource_type, self.target.resource, history.text(output)
        )
        frame.task.submitted = True
        frame.task.submitted_output = output
        self.driver.engine.touch(frame.run)

    def succeeded(self, output: Any) -> None:
        if not self.current:
            return
        frame, driver = self.frame, self.driver
        engine = driver.engine
        target = self.target
        if not frame.task.started:
            self.started()
        output_text = history.text(output)
        if errors.over_limit(output_text):
            name = target.arn if target.family == LAMBDA_FUNCTION else target.service
            failure = errors.too_large(name, terminal=False)
            self.failed(failure.error, failure.cause)
            return
        h, cursor = frame.run.history, frame.cursor
        if target.family == LAMBDA_FUNCTION:
            history.lambda_succeeded(h, cursor, output_text)
        elif target.family == ACTIVITY:
            history.activity_succeeded(h, cursor, output_text)
        else:
            history.task_succeeded(h, cursor, target.resource_type, target.resource, output_text)
        driver._close(frame, "succeeded")
        frame.phase = ENTER
        try:
            transition = evaluate.task_result(frame.current, frame.input, output, engine.scope(frame, frame.input))
            frame.task = None
            engine.finish(frame, transition)
        except StatesError as error:
            frame.task = None
            engine.state_failed(frame, error)
        engine.proceed(frame)

    def failed(self, error: str | None, cause: str | None) -> None:
        if not self.current:
            return
        frame, driver = self.frame, self.driver
        if not frame.task.started:
            self.started()
        h, cursor, target = frame.run.history, frame.cursor, self.target
        if target.family == LAMBDA_FUNCTION:
            history.lambda_failed(h, cursor, error, cause)
        elif target.family == ACTIVITY:
            history.activity_failed(h, cursor, error, cause)
        else:
            history.task_failed(h, cursor, target.resource_type, target.resource, error, cause)
        driver._close(frame, "failed")
        frame.phase = ENTER
        frame.task = None
        driver.engine.state_failed(frame, StatesError(error, cause))
        if frame.phase == ENTER or frame.phase == DONE:
            driver.engine.proceed(frame)
