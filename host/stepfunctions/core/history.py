"""Execution history events, built in AWS's shape from what happened; the only module that
writes them.

Each event is kept as its JSON text (what GetExecutionHistory sends, what SQLite stores).
Data members (``input``, ``output``, ``parameters``, ``cause`` of task failures,
``assignedVariables`` values) are strings of compact JSON, with ``*Details`` saying
``truncated: false``, as on AWS.

``previousEventId`` follows AWS's recorded rules through a ``Cursor`` per thread of
control (the execution, a Parallel branch, a Map iteration):

1. ``source`` is what the next event points back to; ``last`` the newest event written
   in this cursor's scope.
2. An event written with ``advance=False`` (MapIterationSucceeded/Failed/Aborted,
   ParallelStateSucceeded, MapStateSucceeded) points back but does not move ``source``.
3. A branch or iteration starts from its parent's ``source``; when it ends, the parent's
   source becomes the larger of the two (``Cursor.join``). So the first state's
   ``...StateEntered`` points to 0, a second Map iteration starts from the first one's
   last inner event, and ``MapStateSucceeded`` points to the last iteration's
   ``MapIterationSucceeded``.
"""

from __future__ import annotations

import json
from typing import Any

from host.stepfunctions.core.definition import State

NOT_TRUNCATED = {"truncated": False}
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def text(value: Any) -> str:
    return _dumps(value)


class Cursor:
    __slots__ = ("last", "source")

    def __init__(self, source: int = 0, last: int | None = None) -> None:
        self.source = source
        self.last = source if last is None else last

    def child(self) -> Cursor:
        return Cursor(self.source)

    def join(self, other: Cursor) -> None:
        self.source = max(self.source, other.source)
        self.last = max(self.last, other.last)

    def dump(self) -> list[int]:
        return [self.source, self.last]

    @classmethod
    def load(cls, value: list[int]) -> Cursor:
        return cls(value[0], value[1])


class History:
    """The events of one execution: ids handed out here; ``pending`` holds those not yet stored."""

    __slots__ = ("clock", "events", "keep", "next_id", "pending")

    def __init__(self, clock, next_id: int = 1, keep: bool = False) -> None:
        self.clock = clock
        self.next_id = next_id
        self.pending: list[tuple[int, str]] = []
        self.keep = keep  # also keep every event (Express executions, TestState, the CLI)
        self.events: list[tuple[int, str]] = []

    def add(
        self,
        cursor: Cursor | None,
        kind: str,
        details_key: str | None = None,
        details: Any = None,
        advance: bool = True,
        previous: int | None = None,
    ) -> int:
        event_id = self.next_id
        self.next_id += 1
        if previous is None:
            previous = cursor.source if cursor is not None else 0
        body = {"timestamp": self.clock(), "type": kind, "id": event_id, "previousEventId": previous}
        if details_key is not None:
            body[details_key] = details
        encoded = _dumps(body)
        self.pending.append((event_id, encoded))
        if self.keep:
            self.events.append((event_id, encoded))
        if cursor is not None:
            cursor.last = event_id
            if advance:
                cursor.source = event_id
        return event_id

    def take(self) -> list[tuple[int, str]]:
        pending, self.pending = self.pending, []
        return pending


# -- execution ---------------------------------------------------------------------------------


def execution_started(
    h: History, input_text: str, role_arn: str, version_arn: str | None = None, alias_arn: str | None = None
) -> int:
    details: dict[str, Any] = {"input": input_text, "inputDetails": NOT_TRUNCATED, "roleArn": role_arn}
    if alias_arn:
        details["stateMachineAliasArn"] = alias_arn
    if version_arn:
        details["stateMachineVersionArn"] = version_arn
    return h.add(None, "ExecutionStarted", "executionStartedEventDetails", details, previous=0)


def execution_succeeded(h: History, cursor: Cursor, output_text: str) -> int:
    details = {"output": output_text, "outputDetails": NOT_TRUNCATED}
    return h.add(cursor, "ExecutionSucceeded", "executionSucceededEventDetails", details)


def _error_details(error: str | None, cause: str | None) -> dict:
    details = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def execution_failed(h: History, cursor: Cursor, error: str | None, cause: str | None) -> int:
    return h.add(cursor, "ExecutionFailed", "executionFailedEventDetails", _error_details(error, cause))


def execution_timed_out(h: History, cursor: Cursor, error: str | None, cause: str | None) -> int:
    return h.add(cursor, "ExecutionTimedOut", "executionTimedOutEventDetails", _error_details(error, cause))


def execution_aborted(h: History, error: str | None, cause: str | None) -> int:
    return h.add(None, "ExecutionAborted", "executionAbortedEventDetails", _error_details(error, cause), previous=0)


def execution_redriven(h: History, cursor: Cursor, redrive_count: int) -> int:
    details = {"redriveCount": redrive_count}
    return h.add(cursor, "ExecutionRedriven", "executionRedrivenEventDetails", details)


# -- states ------------------------------------------------------------------------------------


def state_entered(h: History, cursor: Cursor, state: State, input_text: str) -> int:
    details = {"name": state.name, "input": input_text, "inputDetails": NOT_TRUNCATED}
    return h.add(cursor, f"{state.type}StateEntered", "stateEnteredEventDetails", details)


def state_exited(
    h: History,
    cursor: Cursor,
    state: State,
    output_text: str,
    assigned: dict | None = None,
    previous: int | None = None,
) -> int:
    details: dict[str, Any] = {"name": state.name, "output": output_text, "outputDetails": NOT_TRUNCATED}
    if assigned:
        details["assignedVariables"] = {name: _dumps(value) for name, value in assigned.items()}
        details["assignedVariablesDetails"] = NOT_TRUNCATED
    return h.add(cursor, f"{state.type}StateExited", "stateExitedEventDetails", details, previous=previous)


def state_aborted(h: History, cursor: Cursor, state: State, previous: int) -> int:
    return h.add(cursor, f"{state.type}StateAborted", previous=previous, advance=False)


def evaluation_failed(
    h: History, cursor: Cursor, state: State, error: str, cause: str | None, location: str, previous: int
) -> int:
    details = {"error": error, "cause": cause, "state": state.name}
    if location is not None:
        details["location"] = location
    return h.add(cursor, "EvaluationFailed", "evaluationFailedEventDetails", details, previous=previous)


# -- tasks -------------------------------------------------------------------------------------


def task_scheduled(
    h: History,
    cursor: Cursor,
    resource_type: str,
    resource: str,
    region: str,
    parameters_text: str,
    timeout: int | None,
    heartbeat: int | None,
    credentials: Any = None,
) -> int:
    details: dict[str, Any] = {
        "resourceType": resource_type,
        "resource": resource,
        "region": region,
        "parameters": parameters_text,
    }
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        details["heartbeatInSeconds"] = heartbeat
    if credentials is not None:
        details["taskCredentials"] = credentials
    return h.add(cursor, "TaskScheduled", "taskScheduledEventDetails", details)


def task_started(h: History, cursor: Cursor, resource_type: str, resource: str) -> int:
    details = {"resourceType": resource_type, "resource": resource}
    return h.add(cursor, "TaskStarted", "taskStartedEventDetails", details)


def task_submitted(h: History, cursor: Cursor, resource_type: str, resource: str, output_text: str) -> int:
    details = {
        "resourceType": resource_type,
        "resource": resource,
        "output": output_text,
        "outputDetails": NOT_TRUNCATED,
    }
    return h.add(cursor, "TaskSubmitted", "taskSubmittedEventDetails", details)


def task_succeeded(h: History, cursor: Cursor, resource_type: str, resource: str, output_text: str) -> int:
    details = {
        "resourceType": resource_type,
        "resource": resource,
        "output": output_text,
        "outputDetails": NOT_TRUNCATED,
    }
    return h.add(cursor, "TaskSucceeded", "taskSucceededEventDetails", details)


def task_failed(
    h: History,
    cursor: Cursor,
    resource_type: str,
    resource: str,
    error: str | None,
    cause: str | None,
    kind: str = "TaskFailed",
) -> int:
    details = {"resourceType": resource_type, "resource": resource, **_error_details(error, cause)}
    key = {
        "TaskFailed": "taskFailedEventDetails",
        "TaskTimedOut": "taskTimedOutEventDetails",
        "TaskStartFailed": "taskStartFailedEventDetails",
        "TaskSubmitFailed": "taskSubmitFailedEventDetails",
    }[kind]
    return h.add(cursor, kind, key, details)


def lambda_scheduled(
    h: History, cursor: Cursor, resource: str, input_text: str, timeout: int | None, credentials: Any = None
) -> int:
    details: dict[str, Any] = {"resource": resource, "input": input_text, "inputDetails": NOT_TRUNCATED}
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if credentials is not None:
        details["taskCredentials"] = credentials
    return h.add(cursor, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details)


def lambda_started(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "LambdaFunctionStarted")


def lambda_succeeded(h: History, cursor: Cursor, output_text: str) -> int:
    details = {"output": output_text, "outputDetails": NOT_TRUNCATED}
    return h.add(cursor, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", details)


def lambda_failed(
    h: History, cursor: Cursor, error: str | None, cause: str | None, kind: str = "LambdaFunctionFailed"
) -> int:
    key = {
        "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
        "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
        "LambdaFunctionStartFailed": "lambdaFunctionStartFailedEventDetails",
        "LambdaFunctionScheduleFailed": "lambdaFunctionScheduleFailedEventDetails",
    }[kind]
    return h.add(cursor, kind, key, _error_details(error, cause))


def activity_scheduled(
    h: History, cursor: Cursor, resource: str, input_text: str, timeout: int | None, heartbeat: int | None
) -> int:
    details: dict[str, Any] = {"resource": resource, "input": input_text, "inputDetails": NOT_TRUNCATED}
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        details["heartbeatInSeconds"] = heartbeat
    return h.add(cursor, "ActivityScheduled", "activityScheduledEventDetails", details)


def activity_started(h: History, cursor: Cursor, worker_name: str | None) -> int:
    details = {"workerName": worker_name} if worker_name else {}
    return h.add(cursor, "ActivityStarted", "activityStartedEventDetails", details)


def activity_succeeded(h: History, cursor: Cursor, output_text: str) -> int:
    details = {"output": output_text, "outputDetails": NOT_TRUNCATED}
    return h.add(cursor, "ActivitySucceeded", "activitySucceededEventDetails", details)


def activity_failed(
    h: History, cursor: Cursor, error: str | None, cause: str | None, kind: str = "ActivityFailed"
) -> int:
    key = {
        "ActivityFailed": "activityFailedEventDetails",
        "ActivityTimedOut": "activityTimedOutEventDetails",
        "ActivityScheduleFailed": "activityScheduleFailedEventDetails",
    }[kind]
    return h.add(cursor, kind, key, _error_details(error, cause))


# -- Parallel and Map ------------------------------------------------------------------------------


def parallel_started(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "ParallelStateStarted")


def parallel_succeeded(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "ParallelStateSucceeded", advance=False)


def parallel_failed(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "ParallelStateFailed")


def map_started(h: History, cursor: Cursor, length: int) -> int:
    return h.add(cursor, "MapStateStarted", "mapStateStartedEventDetails", {"length": length})


def map_succeeded(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "MapStateSucceeded", advance=False)


def map_failed(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "MapStateFailed")


def map_iteration(h: History, cursor: Cursor, outcome: str, name: str, index: int, previous: int | None = None) -> int:
    """``outcome`` is Started, Succeeded, Failed or Aborted; only Started moves the cursor."""
    key = f"mapIteration{outcome}EventDetails"
    return h.add(
        cursor,
        f"MapIteration{outcome}",
        key,
        {"name": name, "index": index},
        advance=outcome == "Started",
        previous=previous,
    )


def map_run_started(h: History, cursor: Cursor, map_run_arn: str) -> int:
    return h.add(cursor, "MapRunStarted", "mapRunStartedEventDetails", {"mapRunArn": map_run_arn})


def map_run_succeeded(h: History, cursor: Cursor) -> int:
    return h.add(cursor, "MapRunSucceeded")


def map_run_failed(h: History, cursor: Cursor, error: str | None, cause: str | None) -> int:
    return h.add(cursor, "MapRunFailed", "mapRunFailedEventDetails", _error_details(error, cause))
