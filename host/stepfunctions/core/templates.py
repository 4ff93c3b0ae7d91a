"""Payload templates, compiled once per definition and evaluated per state visit.

JSONPath templates (``Parameters``, ``ResultSelector``, ``ItemSelector``, ``Assign``,
``Credentials``): a key ending in ``.$`` takes a path (``$.x``, ``$$.Execution.Id``,
``$var.x``) or an intrinsic call and loses its ``.$``; anything else is literal, with
objects and arrays walked recursively.

JSONata templates (``Arguments``, ``Output``, ``Assign``, ``Items``, ...): any string of
the form ``{% expr %}`` anywhere in the value is replaced by the expression's value.
Errors name the field as AWS does (``Output/result``, ``Arguments/FunctionName``).

``Scope`` is what both evaluate against: the value ``$`` stands for, the context object,
the workflow variables and, for JSONata, ``$states``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core import jsonata
from host.stepfunctions.core.errors import QUERY_EVALUATION, RUNTIME, StatesError, entered
from host.stepfunctions.core.intrinsics import Call, IntrinsicFailure, IntrinsicSyntaxError, is_call, parse
from host.stepfunctions.core.jsonpath import CompiledPath, PathMissing, PathSyntaxError, compile_path

ABSENT = object()  # a $states member that is not there (a Pass has no result)


def compact(value: Any) -> str:
    """JSON as Step Functions writes it in histories and outputs."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Variables:
    """Workflow variables: a scope of its own over the enclosing ones (a Map iteration or a
    Parallel branch reads the outer variables; what it assigns stays inside)."""

    __slots__ = ("parent", "values")

    def __init__(self, values: dict[str, Any] | None = None, parent: Variables | None = None) -> None:
        self.values = values if values is not None else {}
        self.parent = parent

    def lookup(self, name: str) -> Any:
        scope: Variables | None = self
        while scope is not None:
            if name in scope.values:
                return scope.values[name]
            scope = scope.parent
        raise KeyError(name)

    def visible(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        chain: list[Variables] = []
        scope: Variables | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        for scope in reversed(chain):
            merged.update(scope.values)
        return merged


class Scope:
    """What a template sees: ``$`` (``value``), ``$$`` (``context()``), variables, and the
    pieces of ``$states`` for JSONata."""

    __slots__ = ("context", "entered_id", "error_output", "input", "result", "state", "value", "variables")

    def __init__(
        self,
        value: Any,
        context: Callable[[], dict],
        variables: Variables,
        state: str = "",
        entered_id: int = 0,
        input: Any = None,
        result: Any = ABSENT,
        error_output: Any = ABSENT,
    ) -> None:
        self.value = value
        self.context = context
        self.variables = variables
        self.state = state
        self.entered_id = entered_id
        self.input = input
        self.result = result
        self.error_output = error_output

    def with_value(self, value: Any) -> Scope:
        return Scope(
            value, self.context, self.variables, self.state, self.entered_id, self.input, self.result, self.error_output
        )

    def resolve(self, path: CompiledPath) -> Any:
        root = path.root
        if root == "$":
            return path.find(self.value)
        if root == "$$":
            return path.find(self.context())
        try:
            base = self.variables.lookup(root)
        except KeyError:
            raise PathMissing(path, 0) from None
        return path.find(base)

    def jsonata_bindings(self) -> dict[str, Any]:
        # JSON's nulls as JSONata's null at every depth (a bare None is "undefined" there, and vanishes)
        to = jsonata.to_jsonata
        states: dict[str, Any] = {"input": to(self.input), "context": to(self.context())}
        if self.result is not ABSENT:
            states["result"] = to(self.result)
        if self.error_output is not ABSENT:
            states["errorOutput"] = to(self.error_output)
        bindings = {name: to(v) for name, v in self.variables.visible().items()}
        bindings["states"] = states
        return bindings

    def failure(self, message: str, error: str = RUNTIME, location: str | None = None) -> StatesError:
        return StatesError(error, entered(self.state, self.entered_id) + message, location)


# -- JSONPath templates --------------------------------------------------------------------------


class TemplateError(ValueError):
    """A template AWS would refuse at create time; ``field`` names the offending key."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class PathTemplate:
    """A compiled JSONPath payload template."""

    node: Any

    def evaluate(self, scope: Scope) -> Any:
        return _evaluate(self.node, scope)


class _Object(tuple):
    """(key, node) pairs."""


class _Array(tuple):
    pass


@dataclass(frozen=True)
class _Ref:
    field: str  # the key as written, with its ".$"
    path: CompiledPath | None
    call: Call | None


@dataclass(frozen=True)
class _Const:
    value: Any


def compile_path_template(value: Any) -> PathTemplate:
    return PathTemplate(_compile(value))


def _compile(value: Any) -> Any:
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            if key.endswith(".$"):
                pairs.append((key[:-2], _reference(key, item)))
            else:
                pairs.append((key, _compile(item)))
        if all(isinstance(node, _Const) for _, node in pairs):
            return _Const({k: n.value for k, n in pairs})
        return _Object(pairs)
    if isinstance(value, list):
        nodes = [_compile(item) for item in value]
        if all(isinstance(node, _Const) for node in nodes):
            return _Const([n.value for n in nodes])
        return _Array(nodes)
    return _Const(value)


def _reference(key: str, value: Any) -> _Ref:
    if not isinstance(value, str):
        raise TemplateError(key)
    if is_call(value):
        try:
            return _Ref(key, None, parse(value))
        except IntrinsicSyntaxError:
            raise TemplateError(key) from None
    try:
        return _Ref(key, compile_path(value), None)
    except PathSyntaxError:
        raise TemplateError(key) from None


def _evaluate(node: Any, scope: Scope) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, _Object):
        return {key: _evaluate(child, scope) for key, child in node}
    if isinstance(node, _Array):
        return [_evaluate(child, scope) for child in node]
    return evaluate_reference(node, scope)


def evaluate_reference(ref: _Ref, scope: Scope) -> Any:
    if ref.path is not None:
        try:
            return scope.resolve(ref.path)
        except PathMissing:
            raise scope.failure(
                f"The JSONPath '{ref.path.text}' specified for the field '{ref.field}' could not be found in the input "
                f"'{compact(scope.value)}'"
            ) from None
    try:
        return ref.call.evaluate(scope.resolve)
    except PathMissing as missing:
        raise scope.failure(
            f"The JSONPath '{missing.path.text}' specified for the field '{ref.field}' could not be found in the "
            f"input '{compact(scope.value)}'"
        ) from None
    except IntrinsicFailure as failure:
        raise scope.failure(
            f"The function '{ref.call.text}' specified for the field '{ref.field}' could not be evaluated: {failure}"
        ) from None


def compile_string_reference(field: str, value: str) -> _Ref:
    """A single ``.$``-style value standing alone (ErrorPath, CausePath, ItemsPath ...)."""
    return _reference(field, value)


# -- JSONata templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonataTemplate:
    """A value with ``{% %}`` expressions anywhere inside; ``field`` is its top-level name."""

    field: str
    node: Any

    def evaluate(self, scope: Scope) -> Any:
        return _evaluate_jsonata(self.node, scope, None)


@dataclass(frozen=True)
class _Expr:
    text: str  # without its {% %}
    location: str


def compile_jsonata_template(field: str, value: Any) -> JsonataTemplate:
    return JsonataTemplate(field, _compile_jsonata(value, field))


def _compile_jsonata(value: Any, location: str) -> Any:
    if jsonata.is_expression(value):
        return _Expr(jsonata.body(value), location)
    if isinstance(value, dict):
        pairs = [(key, _compile_jsonata(item, f"{location}/{key}")) for key, item in value.items()]
        if all(isinstance(node, _Const) for _, node in pairs):
            return _Const(value)
        return _Object(pairs)
    if isinstance(value, list):
        nodes = [_compile_jsonata(item, location) for item in value]
        if all(isinstance(node, _Const) for node in nodes):
            return _Const(value)
        return _Array(nodes)
    return _Const(value)


def expressions(template: JsonataTemplate) -> list[_Expr]:
    found: list[_Expr] = []

    def walk(node: Any) -> None:
        if isinstance(node, _Expr):
            found.append(node)
        elif isinstance(node, _Object):
            for _, child in node:
                walk(child)
        elif isinstance(node, _Array):
            for child in node:
                walk(child)

    walk(template.node)
    return found


def _evaluate_jsonata(node: Any, scope: Scope, bindings: dict | None) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, _Expr):
        return evaluate_expression(node.text, node.location, scope, bindings)
    if bindings is None:
        bindings = scope.jsonata_bindings()
    if isinstance(node, _Object):
        return {key: _evaluate_jsonata(child, scope, bindings) for key, child in node}
    return [_evaluate_jsonata(child, scope, bindings) for child in node]


def evaluate_expression(text: str, location: str, scope: Scope, bindings: dict | None = None) -> Any:
    """One expression's value; failures are AWS's ``States.QueryEvaluationError``."""
    if bindings is None:
        bindings = scope.jsonata_bindings()
    prefix = f"The JSONata expression '{text}' specified for the field '{location}'"
    try:
        return jsonata.evaluate(text, bindings)
    except jsonata.Undefined:
        raise scope.failure(f"{prefix} returned nothing (undefined).", QUERY_EVALUATION, location) from None
    except jsonata.Unsupported:
        raise scope.failure(f"{prefix} returned an unsupported result type.", QUERY_EVALUATION, location) from None
    except jsonata.JsonataFailure as failure:
        raise scope.failure(
            f"{prefix} threw an error during evaluation. {failure.detail}", QUERY_EVALUATION, location
        ) from None
