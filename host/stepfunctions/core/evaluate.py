"""A state's evaluation: pure functions from (state, input, scope) to an outcome.

The engine calls them in this order for one visit of a state:

1. Pass, Choice, Succeed, Fail: ``run_pass`` / ``run_choice`` / ``run_succeed`` /
   ``run_fail`` give the whole outcome at once.
2. Wait: ``wait_deadline`` says until when; ``finish_wait`` gives the outcome after it.
3. Task: ``task_request`` says what to run; ``task_result`` turns the result into the
   outcome; a failure goes to ``on_error``.
4. Parallel and Map: ``parallel_input`` / ``map_plan`` say what the branches or
   iterations get; ``collection_result`` turns their outputs into the outcome.
5. ``on_error`` decides retry (and after how long), catch or failure.

A ``StatesError`` raised by any of them is the state's failure. Nothing here touches a
clock, a random source or the world: the engine passes ``now`` and ``jitter`` in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core import errors
from host.stepfunctions.core.choice import matches as rule_matches
from host.stepfunctions.core.definition import DOLLAR, State
from host.stepfunctions.core.errors import StatesError
from host.stepfunctions.core.jsonpath import PathMissing, set_at
from host.stepfunctions.core.statekinds import Amount
from host.stepfunctions.core.templates import (
    ABSENT,
    JsonataTemplate,
    PathTemplate,
    Scope,
    compact,
    evaluate_reference,
)
from host.stepfunctions.core.timestamps import parse_timestamp

MAX_WAIT_SECONDS = 2**31 - 1  # AWS holds a delay in 32 bits: 24855 days wait, 24856 are "too long" (recorded)


@dataclass(frozen=True)
class Transition:
    """The state is done: ``output`` goes to ``next`` (None: the end of its state list)."""

    output: Any
    next: str | None
    assigned: dict | None = None


@dataclass(frozen=True)
class Failed:
    """A Fail state: the execution (or branch) fails with this error and cause."""

    error: str | None
    cause: str | None


@dataclass(frozen=True)
class TaskRequest:
    resource: str
    parameters: Any
    timeout: int | None
    heartbeat: int | None
    credentials: Any = None


@dataclass(frozen=True)
class Retry:
    retrier: int
    delay: float


@dataclass(frozen=True)
class Caught:
    transition: Transition
    catcher: int = 0


# -- data flow ---------------------------------------------------------------------------------


def _select(path, value: Any, scope: Scope) -> Any:
    if path is DOLLAR:
        return value
    if path is None:
        return {}
    try:
        return path.find(value) if path.root == "$" else scope.with_value(value).resolve(path)
    except PathMissing as missing:
        raise scope.failure(missing.describe()) from None


def effective_input(state: State, raw_input: Any, scope: Scope) -> Any:
    """InputPath then Parameters (JSONPath), or Arguments (JSONata)."""
    if state.jsonata:
        if state.arguments is None:
            return raw_input
        return state.arguments.evaluate(scope)
    value = _select(state.input_path, raw_input, scope)
    if state.parameters is not None:
        value = state.parameters.evaluate(scope.with_value(value))
    return value


def _assign(template: Any, scope: Scope) -> dict | None:
    if template is None:
        return None
    return template.evaluate(scope)


def state_output(state: State, raw_input: Any, result: Any, scope: Scope) -> Transition:
    """ResultSelector, ResultPath, OutputPath and Assign (JSONPath), or Output and Assign
    (JSONata), over a result; ``result`` is ABSENT for states that have none."""
    if state.jsonata:
        scope.result = result
        assigned = _assign(state.assign, scope)
        default = raw_input if result is ABSENT else result
        output = state.output.evaluate(scope) if state.output is not None else default
        return Transition(output, state.next, assigned)
    value = raw_input if result is ABSENT else result
    assigned = _assign(state.assign, scope.with_value(value)) if state.assign is not None else None
    if result is not ABSENT:
        if state.result_selector is not None:
            result = state.result_selector.evaluate(scope.with_value(result))
        value = _place(state.result_path, raw_input, result, scope)
    return Transition(_select(state.output_path, value, scope), state.next, assigned)


def _place(path, raw_input: Any, result: Any, scope: Scope) -> Any:
    if path is DOLLAR:
        return result
    if path is None:
        return raw_input
    try:
        return set_at(raw_input, path, result)
    except PathMissing as missing:
        raise scope.failure(missing.describe()) from None


# -- the simple states -------------------------------------------------------------------------


def run_pass(state: State, raw_input: Any, scope: Scope) -> Transition:
    if state.jsonata:
        return state_output(state, raw_input, ABSENT, scope)
    spec = state.spec
    value = effective_input(state, raw_input, scope)
    result = spec.result if spec.has_result else value
    return state_output(state, raw_input, result, scope)


def run_succeed(state: State, raw_input: Any, scope: Scope) -> Transition:
    if state.jsonata:
        output = state.output.evaluate(scope) if state.output is not None else raw_input
        return Transition(output, None)
    value = _select(state.input_path, raw_input, scope)
    return Transition(_select(state.output_path, value, scope), None)


def run_choice(state: State, raw_input: Any, scope: Scope) -> Transition:
    spec = state.spec
    value = raw_input if state.jsonata else _select(state.input_path, raw_input, scope)
    rule_scope = scope.with_value(value)
    for rule in spec.rules:
        if rule_matches(rule, rule_scope):
            assigned = _merge(_assign(state.assign, rule_scope), _assign(rule.assign, rule_scope))
            if state.jsonata:
                template = rule.output or state.output
                output = template.evaluate(scope) if template is not None else raw_input
                return Transition(output, rule.next, assigned)
            return Transition(_select(state.output_path, value, scope), rule.next, assigned)
    if spec.default is None:
        raise StatesError(errors.NO_CHOICE, None)
    assigned = _assign(state.assign, rule_scope)
    if state.jsonata:
        output = state.output.evaluate(scope) if state.output is not None else raw_input
        return Transition(output, spec.default, assigned)
    return Transition(_select(state.output_path, value, scope), spec.default, assigned)


def _merge(a: dict | None, b: dict | None) -> dict | None:
    if a is None:
        return b
    if b is None:
        return a
    return {**a, **b}


def run_fail(state: State, raw_input: Any, scope: Scope) -> Failed:
    spec = state.spec
    return Failed(_fail_field(spec.error, raw_input, scope), _fail_field(spec.cause, raw_input, scope))


def _fail_field(amount: Amount, raw_input: Any, scope: Scope) -> Any:
    if amount.expression is not None:
        return amount.expression.evaluate(scope)
    if amount.path is not None:
        value = evaluate_reference(amount.path, scope.with_value(raw_input))
        return value if isinstance(value, str) else compact(value)
    return amount.value


# -- Wait --------------------------------------------------------------------------------------


def wait_deadline(state: State, raw_input: Any, scope: Scope, now: float) -> float:
    """The epoch second the Wait ends."""
    spec = state.spec
    if spec.seconds.given:
        seconds = read_amount(spec.seconds, raw_input, scope, "SecondsPath")
        if seconds > MAX_WAIT_SECONDS:
            raise scope.failure("Wait state delay is too long.")
        return now + seconds
    amount = spec.timestamp
    if amount.expression is not None:
        text = amount.expression.evaluate(scope)
        moment = parse_timestamp(text) if isinstance(text, str) else None
        if moment is None:
            raise scope.failure(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
                f"{text if isinstance(text, str) else compact(text)}",
                errors.QUERY_EVALUATION,
                "Timestamp",
            )
    elif amount.path is not None:
        path = amount.path.path
        try:
            text = scope.with_value(raw_input).resolve(path)
        except PathMissing:
            raise scope.failure(f"The TimestampPath parameter does not reference an input value: {path.text}") from None
        moment = parse_timestamp(text) if isinstance(text, str) else None
        if moment is None:
            shown = text if isinstance(text, str) else compact(text)
            raise scope.failure(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
                f"string: {path.text} == {shown}"
            )
    else:
        moment = parse_timestamp(amount.value)
    deadline = moment.timestamp()
    if deadline - now > MAX_WAIT_SECONDS:
        raise scope.failure("Wait state delay is too long.")
    return deadline


def read_amount(amount: Amount, raw_input: Any, scope: Scope, path_field: str) -> int:
    """A whole number of seconds (or items) from a literal, a ``...Path`` or JSONata."""
    if amount.expression is not None:
        value = amount.expression.evaluate(scope)
        if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
            raise scope.failure(
                f"The JSONata expression '{amount.expression.node.text}' specified for the field '{amount.field}' "
                f"returned an unexpected result type. Expected 'integer', but was '{type(value).__name__}' for value: "
                f"{compact(value)}",
                errors.QUERY_EVALUATION,
                amount.field,
            )
        return int(value)
    if amount.path is not None:
        path = amount.path.path
        try:
            value = scope.with_value(raw_input).resolve(path)
        except PathMissing as missing:
            if path_field == "SecondsPath":
                raise scope.failure(
                    f"The SecondsPath parameter does not reference an input value: {path.text}"
                ) from None
            raise scope.failure(missing.describe()) from None
        if path_field == "SecondsPath":
            if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
                raise scope.failure(
                    f"The SecondsPath parameter cannot be parsed as a long value: {path.text} == {compact(value)}"
                )
            if value < 0:
                raise scope.failure(
                    f"The SecondsPath parameter references a negative value: {path.text} == {compact(value)}"
                )
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)  # AWS reads a number given as text
        elif isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
            raise scope.failure(
                f'The {path_field} field refers to value "{_raw(value)}" which is not a valid integer: {path.text}'
            )
        return int(value)
    return int(amount.value)


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else compact(value)


def finish_wait(state: State, raw_input: Any, scope: Scope) -> Transition:
    if state.jsonata:
        return state_output(state, raw_input, ABSENT, scope)
    value = _select(state.input_path, raw_input, scope)
    assigned = _assign(state.assign, scope.with_value(value))
    return Transition(_select(state.output_path, value, scope), state.next, assigned)


# -- Task --------------------------------------------------------------------------------------


def task_request(state: State, raw_input: Any, scope: Scope) -> TaskRequest:
    spec = state.spec
    timeout = _seconds(spec.timeout, raw_input, scope)
    heartbeat = _seconds(spec.heartbeat, raw_input, scope)
    parameters = effective_input(state, raw_input, scope)
    credentials = None
    if spec.credentials is not None:
        credentials = spec.credentials.evaluate(scope if state.jsonata else scope.with_value(raw_input))
    return TaskRequest(spec.resource, parameters, timeout, heartbeat, credentials)


def _seconds(amount: Amount, raw_input: Any, scope: Scope) -> int | None:
    if not amount.given:
        return None
    return read_amount(amount, raw_input, scope, amount.field)


def task_result(state: State, raw_input: Any, result: Any, scope: Scope) -> Transition:
    return state_output(state, raw_input, result, scope)


# -- errors ------------------------------------------------------------------------------------


def error_output(error: StatesError) -> dict:
    """``{"Error", "Cause"}`` as a catcher sees it; a timeout's missing cause reads ""."""
    cause = error.cause
    if cause is None and error.error in (errors.TIMEOUT, errors.HEARTBEAT_TIMEOUT):
        cause = ""
    return {"Error": error.error, "Cause": cause}


def on_error(state: State, raw_input: Any, error: StatesError, attempts: list[int], scope: Scope, jitter: float):
    """Retry (``attempts`` counts each retrier's retries so far in this visit), Caught, or
    None when the error is the state's failure. ``jitter`` is a draw in [0, 1)."""
    if error.terminal:
        return None
    for index, retrier in enumerate(state.retry):
        if errors.matches(retrier.error_equals, error.error):
            done = attempts[index] if index < len(attempts) else 0
            if done >= retrier.max_attempts:
                break
            delay = retrier.interval * math.pow(retrier.backoff, done)
            if retrier.max_delay is not None:
                delay = min(delay, retrier.max_delay)
            if retrier.jitter == "FULL":
                delay = delay * jitter
            return Retry(index, delay)
    output = error_output(error)
    for index, catcher in enumerate(state.catch):
        if errors.matches(catcher.error_equals, error.error):
            return Caught(_caught(state, catcher, raw_input, output, scope), index)
    return None


def matching_retrier(state: State, error: StatesError) -> int | None:
    """The first retrier whose ErrorEquals names the error (exhausted or not)."""
    if error.terminal:
        return None
    for index, retrier in enumerate(state.retry):
        if errors.matches(retrier.error_equals, error.error):
            return index
    return None


def _caught(state: State, catcher, raw_input: Any, output: dict, scope: Scope) -> Transition:
    if state.jsonata:
        scope.error_output = output
        assigned = _assign(catcher.assign, scope)
        value = catcher.output.evaluate(scope) if catcher.output is not None else output
        return Transition(value, catcher.next, assigned)
    assigned = _assign(catcher.assign, scope.with_value(output))
    return Transition(_place(catcher.result_path, raw_input, output, scope), catcher.next, assigned)


# -- Parallel and Map ------------------------------------------------------------------------------


def parallel_input(state: State, raw_input: Any, scope: Scope) -> Any:
    return effective_input(state, raw_input, scope)


def collection_result(state: State, raw_input: Any, results: list, scope: Scope) -> Transition:
    return state_output(state, raw_input, results, scope)


@dataclass(frozen=True)
class MapPlan:
    items: list
    max_concurrency: int
    tolerated_count: int | None
    tolerated_percentage: float | None


def map_input(state: State, raw_input: Any, scope: Scope) -> Any:
    """What ItemsPath reads from (after InputPath), JSONPath only."""
    return _select(state.input_path, raw_input, scope)


def map_plan(state: State, raw_input: Any, scope: Scope, items: list | None = None) -> MapPlan:
    """The items (unless an ItemReader gave them) and the limits of a Map visit."""
    spec = state.spec
    if items is None:
        items = map_items(state, raw_input, scope)
    concurrency = (
        read_amount(spec.max_concurrency, raw_input, scope, "MaxConcurrencyPath") if (spec.max_concurrency.given) else 0
    )
    if concurrency < 0:
        raise scope.failure(f"The MaxConcurrency value must be non-negative: {concurrency}")
    count = None
    if spec.tolerated_count.given:
        count = read_amount(spec.tolerated_count, raw_input, scope, "ToleratedFailureCountPath")
        if count < 0:
            raise scope.failure("ToleratedFailureCount cannot be negative.")
    percentage = None
    if spec.tolerated_percentage.given:
        percentage = _percentage(spec.tolerated_percentage, raw_input, scope)
    return MapPlan(items, concurrency, count, percentage)


def _percentage(amount: Amount, raw_input: Any, scope: Scope) -> float:
    if amount.expression is not None:
        value = amount.expression.evaluate(scope)
    elif amount.path is not None:
        path = amount.path.path
        try:
            value = scope.with_value(raw_input).resolve(path)
        except PathMissing as missing:
            raise scope.failure(missing.describe()) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise scope.failure(
                f'The ToleratedFailurePercentagePath field refers to value "{_raw(value)}" which is not a valid float: '
                f"{path.text}"
            )
    else:
        value = amount.value
    if not 0 <= value <= 100:
        raise scope.failure("ToleratedFailurePercentage must be between 0 and 100.")
    return float(value)


def map_items(state: State, raw_input: Any, scope: Scope) -> list:
    spec = state.spec
    if state.jsonata:
        if spec.items is None:
            items = raw_input
            if not isinstance(items, list):
                raise scope.failure(
                    f"Map state input must be an array but was: {compact(items)}", errors.QUERY_EVALUATION
                )
            return items
        items = spec.items.evaluate(scope)
        if not isinstance(items, list):
            text = spec.items.node.text if hasattr(spec.items.node, "text") else compact(spec.items.node.value)
            raise scope.failure(
                f"The JSONata expression '{text}' specified for the field 'Items' returned an unexpected result type. "
                f"Expected 'array', but was '{_type_name(items)}' for value: {compact(items)}",
                errors.QUERY_EVALUATION,
                "Items",
            )
        return items
    value = map_input(state, raw_input, scope)
    if spec.items_path is not None:
        value = evaluate_reference(spec.items_path, scope.with_value(value))
        path_text = spec.items_path.path.text if spec.items_path.path is not None else "$"
    else:
        path_text = "$"
    if not isinstance(value, list):
        raise scope.failure(f'Reference path "{path_text}" must point to array.', errors.RUNTIME)
    return value


def _type_name(value: Any) -> str:
    from host.stepfunctions.core.choice import _type_name as name

    return name(value)


def map_item_input(state: State, item: Any, index: int, scope: Scope) -> Any:
    """An iteration's input: the item, or the ItemSelector over it (``$$.Map.Item`` set)."""
    selector = state.spec.item_selector
    if selector is None:
        return item
    if isinstance(selector, JsonataTemplate):
        return selector.evaluate(scope)
    assert isinstance(selector, PathTemplate)
    return selector.evaluate(scope)


def tolerated(plan: MapPlan, failures: int, total: int) -> bool:
    """Whether ``failures`` of ``total`` items are within the Map's tolerance."""
    if failures == 0:
        return True
    if plan.tolerated_count is not None and failures <= plan.tolerated_count:
        return True
    return bool(
        plan.tolerated_percentage is not None and total and failures * 100.0 / total <= plan.tolerated_percentage
    )
