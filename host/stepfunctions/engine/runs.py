"""An execution while it runs: a ``Run`` with a tree of ``Frame``s, and their checkpoint.

A frame is one thread of control through a list of states: the execution itself, a
Parallel branch or a Map iteration. Its ``phase`` says what it waits for:

- ``enter``: about to enter ``state`` with ``input`` (ready to step);
- ``wait``: a Wait state until ``wake_at``; ``retry``: a retry's delay until ``wake_at``;
- ``task``: a task in flight (``task`` holds its token, deadlines, whether it was submitted);
- ``children``: a Parallel or Map state whose branches or iterations run (``join``);
- ``done``: finished.

``Run.checkpoint`` is everything needed to continue after a crash: the next event id
and the frame tree, as JSON. Frames not yet entered carry their input; a frame in a
task carries the request so the task can be sent again (at least once, as AWS allows).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from host.stepfunctions.core.definition import Definition, State, StateList
from host.stepfunctions.core.history import Cursor, History
from host.stepfunctions.core.templates import Variables

ENTER, WAIT, RETRY, TASK, CHILDREN, DONE = "enter", "wait", "retry", "task", "children", "done"


@dataclass(frozen=True)
class Machine:
    """The state machine an execution runs, as it was when the execution started."""

    arn: str  # the state machine's ARN (unqualified)
    name: str
    definition: Definition
    definition_text: str
    role_arn: str
    type: str  # STANDARD or EXPRESS
    version_arn: str | None = None
    alias_arn: str | None = None
    logging: dict | None = None
    revision_id: str | None = None
    updated: float | None = None  # when the machine (or version) was last changed


def machine_from_record(stored: dict, definition_of: Callable[[str, str], Definition]) -> Machine:
    """The machine an execution started with, from its stored record (resuming, redriving)."""
    return Machine(
        stored["arn"],
        stored["name"],
        definition_of(stored["definition"], stored["type"]),
        stored["definition"],
        stored["role_arn"],
        stored["type"],
        stored.get("version_arn"),
        stored.get("alias_arn"),
        stored.get("logging"),
        stored.get("revision_id"),
        stored.get("update_date"),
    )


@dataclass
class TaskFlight:
    """A task in flight: what was asked, and how to tell a stale answer from the current one."""

    request: dict  # resource, parameters, timeout, heartbeat, credentials
    generation: int
    token: str | None = None
    submitted: bool = False
    submitted_output: Any = None
    deadline: float | None = None  # epoch seconds
    heartbeat_deadline: float | None = None
    started: bool = False
    handles: list = field(default_factory=list)  # timers and futures, not persisted

    def dump(self) -> dict:
        return {
            "request": self.request,
            "generation": self.generation,
            "token": self.token,
            "submitted": self.submitted,
            "submitted_output": self.submitted_output,
            "deadline": self.deadline,
            "heartbeat": self.heartbeat_deadline,
            "started": self.started,
        }

    @classmethod
    def load(cls, raw: dict) -> TaskFlight:
        return cls(
            raw["request"],
            raw["generation"],
            raw.get("token"),
            raw.get("submitted", False),
            raw.get("submitted_output"),
            raw.get("deadline"),
            raw.get("heartbeat"),
            raw.get("started", False),
        )


@dataclass
class Join:
    """A Parallel or Map state's children: results so far, what runs, what is left."""

    kind: str  # "parallel" or "map"
    total: int
    results: list
    finished: list  # bool per child
    running: dict  # index -> Frame
    next_index: int = 0
    failures: int = 0
    cursor: Cursor = field(default_factory=Cursor)
    succeeded_max: int = 0  # the newest MapIterationSucceeded id
    plan: dict | None = None  # Map: items, limits
    effective_input: Any = None  # Parallel: what each branch gets
    map_run: dict | None = None  # distributed Map: its map run record
    filling: bool = False  # a Map is starting iterations (not persisted)


@dataclass
class Frame:
    run: Run
    states: StateList
    state: str
    input: Any
    cursor: Cursor
    variables: Variables
    parent: Frame | None = None
    index: int = 0  # branch or item index in the parent
    phase: str = ENTER
    entered_id: int = 0
    entered_prev: int = 0
    entered_time: float = 0.0
    attempts: list = field(default_factory=list)
    retry_count: int = 0
    wake_at: float | None = None
    task: TaskFlight | None = None
    join: Join | None = None
    item: tuple | None = None  # (index, value) inside a Map iteration
    yielded: bool = False  # a Task lets other ready frames go first once (AWS's event order)
    queued: bool = False
    timer: asyncio.TimerHandle | None = None

    @property
    def current(self) -> State:
        return self.states.states[self.state]

    def dump(self) -> dict:
        out: dict[str, Any] = {
            "state": self.state,
            "input": self.input,
            "cursor": self.cursor.dump(),
            "vars": self.variables.values,
            "index": self.index,
            "phase": self.phase,
            "entered": [self.entered_id, self.entered_prev, self.entered_time],
            "attempts": self.attempts,
            "retries": self.retry_count,
            "wake": self.wake_at,
        }
        if self.item is not None:
            out["item"] = list(self.item)
        if self.task is not None:
            out["task"] = self.task.dump()
        if self.join is not None:
            join = self.join
            out["join"] = {
                "kind": join.kind,
                "total": join.total,
                "results": join.results,
                "finished": join.finished,
                "running": {
                    str(i): child if isinstance(child, str) else child.dump() for i, child in join.running.items()
                },
                "next": join.next_index,
                "failures": join.failures,
                "cursor": join.cursor.dump(),
                "succeeded": join.succeeded_max,
                "plan": join.plan,
                "input": join.effective_input,
                "map_run": join.map_run,
            }
        return out


@dataclass
class Run:
    arn: str
    name: str
    machine: Machine
    input: Any
    input_text: str
    start: float
    history: History
    express: bool = False
    status: str = "RUNNING"
    stop: float | None = None
    output_text: str | None = None
    error: str | None = None
    cause: str | None = None
    redrive_count: int = 0
    redrive_date: float | None = None
    deadline: float | None = None  # the definition's TimeoutSeconds, as an epoch second
    root: Frame | None = None
    mock_case: str | None = None  # Step Functions Local's test case, when one was chosen
    parent_token: str | None = None  # a nested execution: its parent task's token
    trace_header: str | None = None
    done: asyncio.Future | None = None  # resolves when the execution ends (sync callers)
    dirty: bool = False
    timers: list = field(default_factory=list)
    tokens: set = field(default_factory=set)
    generation: int = 0
    stream: Any = None  # where Express log lines go, when logging is on
    store_id: int | None = None  # the execution's row (Standard executions)
    parent_run: Any = None  # a distributed Map's child: the map run it reports to
    testing: bool = False  # TestState: one state, no waiting, no retries, the next state reported
    test_next: str | None = None
    test_mock: Any = None  # TestState's mocked task answer (an integration)
    test_details: dict | None = None  # TestState's errorDetails: the retrier or catcher that matched
    test_retry_count: int = 0  # TestState's stateConfiguration.retrierRetryCount
    test_context: dict | None = None  # TestState's context: fields of $$ given by the caller
    test_context_text: str | None = None

    @property
    def finished(self) -> bool:
        return self.status != "RUNNING"

    def checkpoint(self) -> dict:
        return {
            "next_id": self.history.next_id,
            "root": self.root.dump() if self.root else None,
            "deadline": self.deadline,
            "generation": self.generation,
        }


def restore_frame(run: Run, states: StateList, raw: dict, parent: Frame | None, outer: Variables | None) -> Frame:
    """A frame (and its children) from its checkpoint."""
    entered = raw.get("entered", [0, 0, 0.0])
    frame = Frame(
        run=run,
        states=states,
        state=raw["state"],
        input=raw.get("input"),
        cursor=Cursor.load(raw["cursor"]),
        variables=Variables(dict(raw.get("vars") or {}), outer),
        parent=parent,
        index=raw.get("index", 0),
        phase=raw.get("phase", ENTER),
        entered_id=entered[0],
        entered_prev=entered[1],
        entered_time=entered[2],
        attempts=list(raw.get("attempts") or []),
        retry_count=raw.get("retries", 0),
        wake_at=raw.get("wake"),
        item=tuple(raw["item"]) if raw.get("item") is not None else None,
    )
    if raw.get("task") is not None:
        frame.task = TaskFlight.load(raw["task"])
    if raw.get("join") is not None:
        j = raw["join"]
        join = Join(
            j["kind"],
            j["total"],
            j["results"],
            j["finished"],
            {},
            j.get("next", 0),
            j.get("failures", 0),
            Cursor.load(j["cursor"]),
            j.get("succeeded", 0),
            j.get("plan"),
            j.get("input"),
            j.get("map_run"),
        )
        state = frame.current
        for key, child_raw in j["running"].items():
            index = int(key)
            if isinstance(child_raw, str):  # a distributed Map's child execution, by its ARN
                join.running[index] = child_raw
                continue
            child_states = state.spec.branches[index] if join.kind == "parallel" else state.spec.processor
            join.running[index] = restore_frame(run, child_states, child_raw, frame, frame.variables)
        frame.join = join
    return frame
