"""Executions: start (async or sync), describe, list, history, stop, redrive, and the
task-token calls, as the API answers them.

Runs on the event loop. Every call that reads or changes Standard executions first writes
what the engine has pending (``Durability.flush``), so an answer never shows a state the
disk does not hold. Express executions live in memory only, as on AWS: the API refuses to
describe them.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from host.stepfunctions.core.errors import PAYLOAD_LIMIT
from host.stepfunctions.core.history import History
from host.stepfunctions.engine.durability import Durability
from host.stepfunctions.engine.interpreter import Engine
from host.stepfunctions.engine.runs import Machine, Run
from host.stepfunctions.engine.tasks import TokenProblem
from host.stepfunctions.service import arns, paging
from host.stepfunctions.service.errors import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidExecutionInput,
    InvalidOutput,
    InvalidToken,
    StateMachineDoesNotExist,
    StateMachineTypeNotSupported,
    TaskDoesNotExist,
    TaskTimedOut,
    ValidationException,
)
from host.stepfunctions.service.machines import MachineService
from host.stepfunctions.store.db import ExecutionRow, SfnStore

STATUSES = ("SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING")
EXPRESS_KEPT = 1000  # finished Express runs kept in memory (their history, for logs and the CLI)
_TOKEN = re.compile(r"[A-Za-z_$]+")


def check_input(text: str | None) -> tuple[Any, str]:
    """The execution input as a value and as text; AWS's (Jackson's) refusals."""
    if text is None:
        return {}, "{}"
    if not text.strip():
        raise InvalidExecutionInput("Invalid State Machine Execution Input: 'Invalid execution input.'")
    if len(text.encode()) > PAYLOAD_LIMIT:
        raise InvalidExecutionInput(
            "Invalid State Machine Execution Input: 'The input exceeds the maximum size of 262144 bytes.'"
        )
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        stripped = text.lstrip()
        if stripped and stripped[0] not in '{["-0123456789':
            token = _TOKEN.match(stripped)
            word = token.group(0) if token else stripped[0]
            detail = (
                f"Unrecognized token '{word}': was expecting (JSON String, Number, Array, Object or token "
                "'null', 'true' or 'false')"
            )
        elif stripped.startswith("{") and exc.msg.startswith("Expecting property name"):
            char = text[exc.pos] if exc.pos < len(text) else ""
            detail = (
                f"Unexpected character ('{char}' (code {ord(char) if char else 0})): was expecting double-quote "
                "to start field name"
            )
        else:
            detail = exc.msg
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{detail}'") from None


class ExecutionService:
    def __init__(
        self, engine: Engine, durability: Durability, store: SfnStore, machines: MachineService, names: arns.Names
    ) -> None:
        self.engine = engine
        self.durability = durability
        self.store = store
        self.machines = machines
        self.names = names
        self.express: dict[str, Run] = {}
        self.mock_cases: Callable[[str, str], bool] | None = None  # is (machine, test case) in the mock file
        engine.on_end.append(self._ended)

    # -- starting -------------------------------------------------------------------------------------

    def start(
        self,
        machine_arn: str,
        name: str | None = None,
        input_text: str | None = None,
        trace_header: str | None = None,
        mock_case: str | None = None,
        parent_token: str | None = None,
        extra: dict | None = None,
    ) -> Run:
        if "#" in machine_arn:  # Step Functions Local: <state machine ARN>#<test case>
            machine_arn, mock_case = machine_arn.split("#", 1)
        machine = self._machine(machine_arn)
        if mock_case is not None and not (self.mock_cases is not None and self.mock_cases(machine.name, mock_case)):
            raise ValidationException(
                f"Test case '{mock_case}' of state machine '{machine.name}' is not in the mock configuration "
                "(--sfn-mock-config or SFN_MOCK_CONFIG)"
            )
        value, text = check_input(input_text)
        if name is not None:
            arns.check_name(name)
        name = name or str(uuid.uuid4())
        now = self.engine.clock()
        express = machine.type == "EXPRESS"
        if express:
            arn = self.names.express_execution(machine.name, name, str(uuid.uuid4()))
        else:
            arn = self.names.execution(machine.name, name)
            self.durability.flush()
            existing = self.store.execution(arn)
            if existing is not None:
                if existing.status == "RUNNING" and existing.input == text:
                    return self.engine.runs.get(arn) or _row_run(existing, machine)
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        run = Run(arn, name, machine, value, text, now, History(self.engine.clock, keep=express), express=express)
        run.mock_case = mock_case
        run.trace_header = trace_header
        run.parent_token = parent_token
        if not express:
            extras = {
                "mock_case": mock_case,
                "trace_header": trace_header,
                "parent_token": parent_token,
                **(extra or {}),
            }
            run.store_id = self.store.insert_execution(
                arn,
                machine.arn,
                name,
                now,
                text,
                _machine_record(machine),
                None,
                {k: v for k, v in extras.items() if v},
            )
        else:
            self.express[arn] = run
            while len(self.express) > EXPRESS_KEPT:
                oldest = next(iter(self.express))
                if not self.express[oldest].finished:
                    break
                del self.express[oldest]
        self.engine.launch(run)
        if not express:
            self.durability.flush()
        return run

    def start_child(self, machine: Machine, value: Any, extra: dict) -> Run:
        """A distributed Map's child execution of ``<machine>/<label>``."""
        name = str(uuid.uuid4())
        now = self.engine.clock()
        text = json.dumps(value, separators=(",", ":"))
        express = machine.type == "EXPRESS"
        if express:
            arn = self.names.express_execution(machine.name, name, str(uuid.uuid4()))
        else:
            arn = self.names.execution(machine.name, name)
        run = Run(arn, name, machine, value, text, now, History(self.engine.clock, keep=express), express=express)
        if not express:
            run.store_id = self.store.insert_execution(
                arn, machine.arn, name, now, text, _machine_record(machine), None, {**extra, "express_child": False}
            )
        self.engine.launch(run)
        return run

    def _machine(self, machine_arn: str) -> Machine:
        return self.machines.resolve(machine_arn)

    async def start_sync(
        self, machine_arn: str, name: str | None, input_text: str | None, trace_header: str | None = None
    ) -> dict:
        if "#" not in machine_arn:
            arns.parse(machine_arn, ("stateMachine",))
            record = self.store.get("sfn_state_machines", arns.machine_of(machine_arn)[0])
            if record is None:
                raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{machine_arn}'")
            if record["type"] != "EXPRESS":
                raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
        run = self.start(machine_arn, name, input_text, trace_header)
        await run.done
        out: dict[str, Any] = {
            "executionArn": run.arn,
            "stateMachineArn": run.machine.arn,
            "name": run.name,
            "startDate": run.start,
            "stopDate": run.stop,
            "status": run.status,
            "input": run.input_text,
            "inputDetails": {"included": True},
            "billingDetails": {
                "billedMemoryUsedInMB": 64,
                "billedDurationInMilliseconds": max(100, int((run.stop - run.start) * 1000 + 99) // 100 * 100),
            },
        }
        if run.output_text is not None:
            out["output"] = run.output_text
        out["outputDetails"] = {"included": True}  # StartSyncExecution says so even without an output
        if run.error is not None:
            out["error"] = run.error
        if run.cause is not None:
            out["cause"] = run.cause
        if run.trace_header:
            out["traceHeader"] = run.trace_header
        return out

    def _ended(self, run: Run) -> None:
        if not run.express:
            self.durability.flush()

    # -- reading --------------------------------------------------------------------------------------

    def _row(self, arn: str) -> ExecutionRow:
        parsed = arns.parse(arn, ("execution", "express"))
        if parsed.kind == "express":
            raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")
        self.durability.flush()
        row = self.store.execution(arn)
        if row is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return row

    def describe(self, arn: str) -> dict:
        row = self._row(arn)
        out: dict[str, Any] = {
            "executionArn": row.arn,
            "stateMachineArn": row.machine_arn,
            "name": row.name,
            "status": row.status,
            "startDate": row.start,
            "input": row.input,
            "inputDetails": {"included": True},
            "redriveCount": row.redrive_count,
        }
        if row.stop is not None:
            out["stopDate"] = row.stop
        if row.output is not None:
            out["output"] = row.output
            out["outputDetails"] = {"included": True}
        if row.error is not None:
            out["error"] = row.error
        if row.cause is not None:
            out["cause"] = row.cause
        if row.machine.get("version_arn"):
            out["stateMachineVersionArn"] = row.machine["version_arn"]
        if row.machine.get("alias_arn"):
            out["stateMachineAliasArn"] = row.machine["alias_arn"]
        if row.extra.get("trace_header"):
            out["traceHeader"] = row.extra["trace_header"]
        if row.extra.get("map_run_arn"):
            out["mapRunArn"] = row.extra["map_run_arn"]
        if row.redrive_date is not None:
            out["redriveDate"] = row.redrive_date
        status, reason = redrive_status(row)
        out["redriveStatus"] = status
        if reason:
            out["redriveStatusReason"] = reason
        return out

    def describe_machine_for(self, arn: str) -> dict:
        row = self._row(arn)
        machine = row.machine
        out: dict[str, Any] = {
            "stateMachineArn": machine["arn"],
            "name": machine["name"],
            "definition": machine["definition"],
            "roleArn": machine["role_arn"],
            "updateDate": machine.get("update_date", row.start),
            "loggingConfiguration": machine.get("logging") or {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
            "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
        }
        if machine.get("revision_id"):
            out["revisionId"] = machine["revision_id"]
        refs = self.machines.variable_references(machine["definition"], machine["type"])
        if refs:
            out["variableReferences"] = refs
        if row.extra.get("map_run_arn"):
            out["mapRunArn"] = row.extra["map_run_arn"]
            out["label"] = row.extra.get("label")
        return out

    def list(
        self,
        machine_arn: str | None,
        status: str | None,
        max_results: int | None,
        token: str | None,
        map_run_arn: str | None = None,
    ) -> dict:
        if status is not None and status not in STATUSES:
            raise ValidationException(
                f"1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: Member "
                f"must satisfy enum value set: [{', '.join(STATUSES)}]"
            )
        offset = paging.offset(token, 3096)
        limit = paging.limit(max_results)
        version_arn = None
        if map_run_arn is not None:
            arns.parse(map_run_arn, ("mapRun",))
            machines = [arns.machine_of(map_run_arn.replace(":mapRun:", ":stateMachine:").rsplit(":", 1)[0])[0]]
        else:
            parsed = arns.parse(machine_arn, ("stateMachine",))
            base, qualifier = arns.machine_of(machine_arn)
            record = self.store.get("sfn_state_machines", base)
            if record is None:
                raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{machine_arn}'")
            if record["type"] == "EXPRESS":
                raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
            if qualifier is not None and qualifier.isdigit():
                version_arn = machine_arn
            elif qualifier is not None:
                raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{machine_arn}'")
            machines = [parsed.text if qualifier is None else base]
        self.durability.flush()
        rows = self.store.list_executions(machines, status, offset, limit + 1, version_arn, map_run_arn)
        items = []
        for row in rows[:limit]:
            item = {
                "executionArn": row.arn,
                "stateMachineArn": row.machine_arn,
                "name": row.name,
                "status": row.status,
                "startDate": row.start,
                "redriveCount": row.redrive_count,
            }
            if row.stop is not None:
                item["stopDate"] = row.stop
            if row.machine.get("version_arn"):
                item["stateMachineVersionArn"] = row.machine["version_arn"]
            if row.machine.get("alias_arn"):
                item["stateMachineAliasArn"] = row.machine["alias_arn"]
            if row.redrive_date is not None:
                item["redriveDate"] = row.redrive_date
            if row.extra.get("map_run_arn"):
                item["mapRunArn"] = row.extra["map_run_arn"]
            items.append(item)
        out: dict[str, Any] = {"executions": items}
        if len(rows) > limit:
            out["nextToken"] = paging.token(offset + limit)
        return out

    def history(
        self, arn: str, max_results: int | None, token: str | None, reverse: bool, include_data: bool
    ) -> tuple[list[str], str | None]:
        """The events as stored JSON texts, and the next token."""
        row = self._row(arn)
        offset = paging.offset(token, 3096)
        limit = paging.limit(max_results, default=100)
        texts = self.store.events(row.id, offset, limit + 1, reverse)
        next_token = paging.token(offset + limit) if len(texts) > limit else None
        texts = texts[:limit]
        if not include_data:
            texts = [_strip_data(text) for text in texts]
        return texts, next_token

    # -- changing ----------------------------------------------------------------------------------

    def stop(self, arn: str, error: str | None, cause: str | None) -> dict:
        row = self._row(arn)
        run = self.engine.runs.get(arn)
        if row.status == "RUNNING" and run is not None:
            self.engine.abort(run, error, cause)
            self.durability.flush()
            return {"stopDate": run.stop}
        return {"stopDate": row.stop or time.time()}

    def redrive(self, arn: str) -> dict:
        row = self._row(arn)
        status, reason = redrive_status(row)
        if status != "REDRIVABLE":
            raise ExecutionNotRedrivable(f"Execution with ARN {arn} cannot be redriven: {reason}")
        from host.stepfunctions.engine.redrive import redrive

        date = redrive(self, row)
        return {"redriveDate": date}

    # -- task tokens ----------------------------------------------------------------------------------

    def _token(self, call, token: str) -> None:
        if not token or len(token) > 2048:
            raise InvalidToken("Invalid Token: 'Invalid token'")
        try:
            call()
        except TokenProblem as problem:
            if problem.code == "TaskTimedOut":
                raise TaskTimedOut(problem.message) from None
            if not token.startswith("AQ"):
                raise InvalidToken("Invalid Token: 'Invalid token'") from None
            raise TaskDoesNotExist(problem.message) from None
        self.durability.flush()

    def send_success(self, token: str, output: str) -> dict:
        try:
            value = json.loads(output)
        except (TypeError, ValueError):
            raise InvalidOutput("Invalid State Machine Execution Output: 'Invalid output'") from None
        if len(output.encode()) > PAYLOAD_LIMIT:
            raise InvalidOutput("Invalid State Machine Execution Output: 'Output exceeds the maximum size'")
        self._token(lambda: self.engine.tasks.succeed_by_token(token, value), token)
        return {}

    def send_failure(self, token: str, error: str | None, cause: str | None) -> dict:
        self._token(lambda: self.engine.tasks.fail_by_token(token, error, cause), token)
        return {}

    def send_heartbeat(self, token: str) -> dict:
        self._token(lambda: self.engine.tasks.heartbeat(token), token)
        return {}


def redrive_status(row: ExecutionRow) -> tuple[str, str | None]:
    if row.status in ("FAILED", "TIMED_OUT", "ABORTED"):
        if row.extra.get("map_run_arn") and row.extra.get("express_child"):
            return "NOT_REDRIVABLE", "Execution is an express child of a Map Run and cannot be redriven"
        return "REDRIVABLE", None
    return "NOT_REDRIVABLE", f"Execution is {row.status} and cannot be redriven"


def _strip_data(text: str) -> str:
    event = json.loads(text)
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            for field in ("input", "output", "parameters"):
                value.pop(field, None)
    return json.dumps(event, separators=(",", ":"))


def _machine_record(machine: Machine) -> dict:
    return {
        "arn": machine.arn,
        "name": machine.name,
        "definition": machine.definition_text,
        "role_arn": machine.role_arn,
        "type": machine.type,
        "version_arn": machine.version_arn,
        "alias_arn": machine.alias_arn,
        "logging": machine.logging,
        "revision_id": machine.revision_id,
        "update_date": machine.updated or time.time(),
    }


def _row_run(row: ExecutionRow, machine: Machine) -> Run:
    """A stand-in Run for an idempotent StartExecution answered from the store."""
    return Run(row.arn, row.name, machine, None, row.input, row.start, History(time.time))
