"""TestState: one state run alone, with its data flow shown (``inspectionLevel`` DEBUG/TRACE).

1. ``definition`` is one state, or a whole machine with ``stateName`` naming the state.
2. The state runs as a one-state Express execution on the same engine: a Task calls its
   integration for real, unless ``mock`` gives its ``result`` or ``errorOutput``; a Wait does
   not wait; a retrier that matches ends the test as ``RETRIABLE``, a catcher as
   ``CAUGHT_ERROR``; ``nextState`` is where the execution would go.
3. ``inspectionData`` holds the intermediate values AWS shows: ``input``, ``afterInputPath``,
   ``afterParameters``, ``result``, ``afterResultSelector``, ``afterResultPath`` (JSONPath),
   ``afterArguments`` and ``variables`` (JSONata), and the Map's limits.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from host.stepfunctions.core import evaluate, jsonpath, validation
from host.stepfunctions.core.definition import Definition, Problem, StateList, build_state
from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.core.history import History
from host.stepfunctions.core.templates import ABSENT, Scope, Variables
from host.stepfunctions.engine.runs import Machine, Run
from host.stepfunctions.integrations.base import Reply, TaskCall
from host.stepfunctions.service.errors import InvalidDefinition, ValidationException
from host.stepfunctions.service.executions import check_input

if TYPE_CHECKING:
    from host.stepfunctions.app import StepFunctions

DEFAULT_NAME = "StateName"  # what AWS calls a state given alone
NO_MOCK_TYPES = ("Pass", "Fail", "Succeed", "Choice", "Wait")
CONTEXT_FIELDS = {
    "Execution": {"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"},
    "State": {"Name", "EnteredTime", "RetryCount"},
    "StateMachine": {"Id", "Name"},
    "Task": {"Token"},
}
TEXT_CONTEXT_FIELDS = {("Execution", "Id"), ("Execution", "Name"), ("Execution", "RoleArn"), ("Execution", "StartTime"),
                       ("State", "Name"), ("State", "EnteredTime"), ("StateMachine", "Id"), ("StateMachine", "Name"),
                       ("Task", "Token")}  # fmt: skip


def _context(text: str | None, body: dict) -> dict | None:
    """TestState's ``context``: the whole context object (``$$``) the state sees, checked as AWS checks it."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ValidationException("Invalid Context object provided: the context must be a JSON object") from None
    if not isinstance(value, dict):
        raise ValidationException("Invalid Context object provided: the context must be a JSON object")
    for key, part in value.items():
        if key == "Map":
            raise ValidationException(
                "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"
            )
        if key not in CONTEXT_FIELDS:
            raise ValidationException(f"Invalid Context object provided: Field '{key}' is not allowed")
        for field in part if isinstance(part, dict) else {}:
            if field not in CONTEXT_FIELDS[key]:
                raise ValidationException(f"Invalid Context object provided: Field '{field}' is not allowed")
            if (key, field) in TEXT_CONTEXT_FIELDS and not isinstance(part[field], str):
                raise ValidationException(f"Invalid Context object provided: {key}.{field} must be a string")
    resource = str(body.get("Resource", ""))
    if "Task" in value and not (
        body.get("Type") == "Task" and resource.endswith((".sync", ".sync:2", ".waitForTaskToken"))
    ):
        raise ValidationException(
            "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a "
            "'.sync' or '.waitForTaskToken' service integration pattern"
        )
    return value


class _Mock:
    """A Task's answer given by TestState's ``mock``."""

    def __init__(self, mock: dict) -> None:
        self.mock = mock

    def start(self, call: TaskCall, reply: Reply) -> None:
        reply.started()
        if "errorOutput" in self.mock:
            failure = self.mock["errorOutput"] or {}
            reply.failed(failure.get("error"), failure.get("cause"))
            return
        try:
            value = json.loads(self.mock.get("result", "null"))
        except ValueError:
            raise ValidationException("Mocked result must be valid JSON") from None
        reply.succeeded(value)


def _alone(body: dict) -> dict:
    """The state as the one state of a machine: its transition made an end."""
    alone = dict(body)
    alone.pop("Next", None)
    if alone.get("Type") not in ("Choice", "Succeed", "Fail"):
        alone["End"] = True
    return alone


def _find_state(machine: dict, name: str, language: str) -> tuple[dict, str] | None:
    """The state called ``name`` anywhere in the machine (inside Map and Parallel states too), with
    the query language it inherits."""
    states = machine.get("States")
    if not isinstance(states, dict):
        return None
    language = machine.get("QueryLanguage", language)
    if isinstance(states.get(name), dict):
        return states[name], language
    for state in states.values():
        if not isinstance(state, dict):
            continue
        inner = [state.get("ItemProcessor"), state.get("Iterator"), *(state.get("Branches") or [])]
        for machine_part in inner:
            if isinstance(machine_part, dict):
                found = _find_state(machine_part, name, state.get("QueryLanguage", language))
                if found is not None:
                    return found
    return None


def _check_mock(params: dict, kind: str, body: dict, mock: dict | None) -> None:
    """What TestState refuses about a mock (or its absence), in AWS's words."""
    configuration = params.get("stateConfiguration") or {}
    if mock is None:
        if configuration.get("mapIterationFailureCount") is not None:
            raise ValidationException(
                "TestState does not support MapIterationFailureCount when a mock is not specified."
            )
        if kind in ("Map", "Parallel"):
            raise InvalidDefinition(
                "TestState API does not support Map or Parallel states. Supported state types include: "
                "[Task, Wait, Pass, Succeed, Fail, Choice]"
            )
        if kind == "Task" and not params.get("roleArn"):
            raise ValidationException("RoleArn must be specified when testing a Task state")
        return
    if kind in NO_MOCK_TYPES and kind != "Choice":
        raise ValidationException(f"State type '{kind}' is not supported when a mock is specified")
    if "result" in mock and "errorOutput" in mock:
        raise ValidationException("A test mock should have only one of the following fields: [result, errorOutput].")
    if params.get("revealSecrets"):
        raise ValidationException("TestState does not support RevealSecrets when a mock is specified.")
    if "result" not in mock:
        return
    try:
        result = json.loads(mock["result"])
    except ValueError:
        raise ValidationException("Mocked result must be valid JSON") from None
    if kind == "Map" and "ResultWriter" in body and not isinstance(result, dict):
        raise ValidationException("Mocked result must be a JSON object.")
    if kind in ("Map", "Parallel") and "ResultWriter" not in body and not isinstance(result, list):
        raise ValidationException("Mocked result must be an array.")
    if kind == "Parallel" and len(result) != len(body.get("Branches") or []):
        raise ValidationException("Mocked result must contain the same number of items as number of Parallel branches.")
    failures = configuration.get("mapIterationFailureCount")
    if kind == "Map" and failures is not None and isinstance(result, list) and failures > len(result):
        raise ValidationException(
            "Map iteration failure count must be less than or equal to the number of Map iterations"
        )


class TestStateService:
    __test__ = False  # not a pytest class

    def __init__(self, sfn: StepFunctions) -> None:
        self.sfn = sfn

    def _state(self, params: dict) -> tuple[str, dict, str]:
        try:
            raw = json.loads(params["definition"])
        except ValueError:
            raise InvalidDefinition("Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION'") from None
        language = "JSONPath"
        if isinstance(raw, dict):  # checked as a machine is: the state alone stands as the machine's one state
            machine = raw if "States" in raw else {"StartAt": DEFAULT_NAME, "States": {DEFAULT_NAME: _alone(raw)}}
            found = validation.check(machine) if "Type" in raw or "States" in raw else []
            if "States" not in raw:  # alone, a state's transitions lead outside what was given
                found = [d for d in found if d.code != "MISSING_TRANSITION_TARGET"]
            if found:
                raise InvalidDefinition(validation.format_invalid(found))
        if isinstance(raw, dict) and "States" in raw:
            language = raw.get("QueryLanguage", "JSONPath")
            name = params.get("stateName") or raw.get("StartAt")
            found = _find_state(raw, name, language)
            if found is None:
                raise ValidationException("State not found in definition")
            return name, found[0], found[1]
        if not isinstance(raw, dict) or "Type" not in raw:
            raise InvalidDefinition("Invalid State Machine Definition: 'These fields are required: [Type]'")
        return params.get("stateName") or DEFAULT_NAME, raw, raw.get("QueryLanguage", language)

    async def run(self, params: dict) -> dict:
        name, body, language = self._state(params)
        kind = body.get("Type")
        mock = params.get("mock")
        alone = _alone(body)
        try:
            state = build_state(name, alone, body.get("QueryLanguage", language), f"/States/{name}")
        except Problem as problem:
            raise InvalidDefinition(f"Invalid State Machine Definition: '{problem}'") from None
        _check_mock(params, kind, body, mock)
        program = StateList(name, {name: state}, language)
        definition = Definition(program, {"StartAt": name, "States": {name: alone}})
        value, text = check_input(params.get("input"))
        sfn = self.sfn
        machine_name = f"TestState-{uuid.uuid4().hex[:8]}"
        machine = Machine(
            sfn.names.machine(machine_name),
            machine_name,
            definition,
            json.dumps(definition.raw),
            params.get("roleArn") or "",
            "EXPRESS",
        )
        run_name = str(uuid.uuid4())
        run = Run(
            sfn.names.express_execution(machine_name, run_name, str(uuid.uuid4())),
            run_name,
            machine,
            value,
            text,
            sfn.engine.clock(),
            History(sfn.engine.clock, keep=True),
            express=True,
        )
        run.testing = True
        run.test_context = _context(params.get("context"), body)
        run.test_context_text = params.get("context")
        run.test_retry_count = int((params.get("stateConfiguration") or {}).get("retrierRetryCount") or 0)
        if mock is not None:
            run.test_mock = _Mock(mock)
        variables = params.get("variables")
        sfn.engine.launch(run)
        if variables:
            run.root.variables.values.update(json.loads(variables))
        await run.done
        return self._answer(run, body, state, name, params.get("inspectionLevel") or "INFO", variables)

    def _answer(self, run: Run, body: dict, state, name: str, level: str, variables: str | None) -> dict:
        out: dict[str, Any] = {"status": run.status if run.status != "SUCCEEDED" else "SUCCEEDED"}
        if run.output_text is not None:
            out["output"] = _Texts(run)(json.loads(run.output_text))
        if run.error is not None:
            out["error"] = run.error
        if run.cause is not None:
            out["cause"] = run.cause
        next_state = run.test_next if run.status in ("SUCCEEDED", "CAUGHT_ERROR") else None
        if state.type == "Choice" and run.status == "SUCCEEDED":
            next_state = run.test_next
        elif run.status == "SUCCEEDED" and state.type not in ("Succeed", "Fail"):
            next_state = body.get("Next")
        if next_state:
            out["nextState"] = next_state
        if level in ("DEBUG", "TRACE"):
            data = self._inspection(run, state, alone="States" not in body and name == DEFAULT_NAME)
            if variables and json.loads(variables):
                data["variables"] = variables
            if run.test_details:
                data["errorDetails"] = run.test_details
            out["inspectionData"] = data
        return out

    def _inspection(self, run: Run, state, alone: bool) -> dict:
        """The data flow's stages, computed again with the core's own functions."""
        data: dict[str, Any] = {"input": run.input_text}
        engine = self.sfn.engine
        scope = Scope(run.input, lambda: engine.context(run.root), Variables(), state.name, 2, run.input)
        text = _Texts(run)
        result = _task_result(run)
        try:
            if state.jsonata:
                if state.arguments is not None:
                    data["afterArguments"] = text(state.arguments.evaluate(scope))
                if result is not ABSENT:
                    data["result"] = text(result)
                if state.type == "Map":
                    _map_limits(data, state, run.input, scope)
                return data
            value = run.input
            if state.type == "Parallel":
                result = text.mocked
            elif state.type != "Fail" or alone:  # a Fail state of a machine shows only its input
                value = evaluate._select(state.input_path, run.input, scope)
                if not (state.type == "Pass" and state.spec.has_result):
                    data["afterInputPath"] = text(value)
            if state.type == "Map":
                if state.spec.items_path is not None:
                    data["afterItemsPath"] = text(evaluate.map_items(state, run.input, scope))
                _map_limits(data, state, run.input, scope)
                result = text.mocked
            if state.type in ("Pass", "Task"):
                if state.parameters is not None:
                    value = state.parameters.evaluate(scope.with_value(value))
                if not (state.type == "Pass" and state.spec.has_result):
                    data["afterParameters"] = text(value)
                if state.type == "Pass":
                    result = state.spec.result if state.spec.has_result else value
                    if state.spec.has_result:
                        data["result"] = text(result)
                elif result is not ABSENT:
                    data["result"] = text(result)
            if result is not ABSENT and state.type in ("Pass", "Task", "Map", "Parallel"):
                selected = result
                if state.result_selector is not None:
                    selected = state.result_selector.evaluate(scope.with_value(result))
                data["afterResultSelector"] = text(selected)
                placed = evaluate._place(state.result_path, run.input, selected, scope)
                data["afterResultPath"] = text(placed)
        except (StatesError, jsonpath.PathMissing):
            pass
        return data


class _Texts:
    """JSON text of inspected values: a value that is the input or the mocked result untouched
    keeps the text it was given in (AWS shows it so), anything else is compact."""

    def __init__(self, run: Run) -> None:
        self.known: dict[str, str] = {}
        self.mocked: Any = ABSENT
        mock = run.test_mock.mock if run.test_mock is not None else {}
        if run.test_context is not None:
            self._learn(run.test_context, run.test_context_text)
        if "result" in mock:
            self.mocked = json.loads(mock["result"])
            self._learn(self.mocked, mock["result"])
        self._learn(run.input, run.input_text)

    def _learn(self, value: Any, given: str | None) -> None:
        """The text of ``value`` as given, and of its parts when the text is in the default
        spaced layout (``", "`` and ``": "``, then every part's text is that layout too)."""
        if given is None:
            return
        self.known[_key(value)] = given
        if given == json.dumps(value, ensure_ascii=False) or given == json.dumps(value):
            for part in _parts(value):
                self.known.setdefault(_key(part), json.dumps(part, ensure_ascii=False))

    def __call__(self, value: Any) -> str:
        return self.known.get(_key(value)) or _text(value)


def _parts(value: Any):
    values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for part in values:
        if isinstance(part, dict | list):
            yield part
            yield from _parts(part)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _map_limits(data: dict, state, value: Any, scope: Scope) -> None:
    plan = evaluate.map_plan(state, value, scope, items=[])
    data["maxConcurrency"] = plan.max_concurrency
    if plan.tolerated_percentage is not None:
        data["toleratedFailurePercentage"] = plan.tolerated_percentage
    if plan.tolerated_count is not None:
        data["toleratedFailureCount"] = plan.tolerated_count


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _task_result(run: Run) -> Any:
    for _, text in reversed(run.history.events):
        event = json.loads(text)
        for key in (
            "taskSucceededEventDetails",
            "lambdaFunctionSucceededEventDetails",
            "activitySucceededEventDetails",
        ):
            if key in event:
                return json.loads(event[key]["output"])
    return ABSENT
