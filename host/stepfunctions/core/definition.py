"""A state machine definition as frozen objects, compiled once: paths, templates and
expressions are parsed here so that running a state does no parsing.

``build`` expects a definition that ``validation.check`` accepted; what it still cannot
use raises ``Problem`` with AWS's code, message and location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core import jsonata
from host.stepfunctions.core.jsonpath import CompiledPath, PathSyntaxError, compile_path
from host.stepfunctions.core.templates import (
    JsonataTemplate,
    PathTemplate,
    TemplateError,
    _Ref,
    compile_jsonata_template,
    compile_path_template,
    compile_string_reference,
)

JSONPATH, JSONATA = "JSONPath", "JSONata"
DEFAULT_TIMEOUT = 99999999
DOLLAR = compile_path("$")


class Problem(ValueError):
    """A definition AWS would refuse."""

    def __init__(self, code: str, message: str, location: str) -> None:
        super().__init__(f"{code}: {message} at {location}")
        self.code = code
        self.message = message
        self.location = location


@dataclass(frozen=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval: float = 1.0
    max_attempts: int = 3
    backoff: float = 2.0
    max_delay: float | None = None
    jitter: str = "NONE"


@dataclass(frozen=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: CompiledPath | None = DOLLAR  # None: ResultPath null (keep the input)
    assign: Any = None  # PathTemplate or JsonataTemplate
    output: JsonataTemplate | None = None


@dataclass(frozen=True)
class State:
    name: str
    type: str
    language: str
    raw: dict
    next: str | None = None
    end: bool = False
    input_path: CompiledPath | None = DOLLAR  # None: InputPath null ({} goes in)
    output_path: CompiledPath | None = DOLLAR
    result_path: CompiledPath | None = DOLLAR
    parameters: PathTemplate | None = None
    result_selector: PathTemplate | None = None
    arguments: JsonataTemplate | None = None
    output: JsonataTemplate | None = None
    assign: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    spec: Any = None  # what only this state type has (statekinds)

    @property
    def jsonata(self) -> bool:
        return self.language == JSONATA


@dataclass(frozen=True)
class StateList:
    """``StartAt`` and ``States``: a machine, a Parallel branch or a Map's processor."""

    start_at: str
    states: dict[str, State]
    language: str
    location: str = ""


@dataclass(frozen=True)
class Definition:
    program: StateList
    raw: dict
    timeout_seconds: int | None = None


def _path(value: Any, field_name: str, location: str) -> CompiledPath | None:
    if value is None:
        return None
    try:
        return compile_path(value)
    except PathSyntaxError:
        raise Problem(
            "SCHEMA_VALIDATION_FAILED", f"The value for the field '{field_name}' must be a valid JSONPath", location
        ) from None


def _path_template(value: Any, field_name: str, location: str) -> PathTemplate | None:
    if value is None:
        return None
    try:
        return compile_path_template(value)
    except TemplateError as error:
        raise Problem(
            "SCHEMA_VALIDATION_FAILED",
            f"The value for the field '{error.field}' must be a valid JSONPath or a valid intrinsic function call",
            f"{location}/{field_name}",
        ) from None


def reference(value: str, field_name: str, location: str) -> _Ref:
    try:
        return compile_string_reference(field_name, value)
    except TemplateError:
        raise Problem(
            "SCHEMA_VALIDATION_FAILED",
            f"The value for the field '{field_name}' must be a valid JSONPath or a valid intrinsic function call",
            f"{location}/{field_name}",
        ) from None


def _jsonata(value: Any, field_name: str, location: str, present: bool = False) -> JsonataTemplate | None:
    """The field as a JSONata template; ``present``: a JSON null given for it is its value."""
    if value is None and not present:
        return None
    template = compile_jsonata_template(field_name, value)
    from host.stepfunctions.core.templates import expressions

    for expression in expressions(template):
        reason = jsonata.check_static(expression.text)
        if reason is not None:
            code, _, message = reason.partition(": ")
            raise Problem(code, message, f"{location}/{field_name}")
    return template


def _assign(raw: dict, language: str, location: str) -> Any:
    if "Assign" not in raw:
        return None
    if language == JSONATA:
        return _jsonata(raw["Assign"], "Assign", location)
    return _path_template(raw["Assign"], "Assign", location)


def _retriers(raw: list, location: str) -> tuple[Retrier, ...]:
    out = []
    for item in raw or ():
        out.append(
            Retrier(
                tuple(item.get("ErrorEquals", ())),
                float(item.get("IntervalSeconds", 1)),
                int(item.get("MaxAttempts", 3)),
                float(item.get("BackoffRate", 2.0)),
                item.get("MaxDelaySeconds"),
                item.get("JitterStrategy", "NONE"),
            )
        )
    return tuple(out)


def _catchers(raw: list, language: str, location: str) -> tuple[Catcher, ...]:
    out = []
    for index, item in enumerate(raw or ()):
        here = f"{location}/Catch[{index}]"
        result_path = _path(item["ResultPath"], "ResultPath", here) if "ResultPath" in item else DOLLAR
        out.append(
            Catcher(
                tuple(item.get("ErrorEquals", ())),
                item.get("Next", ""),
                result_path,
                _assign(item, language, here),
                _jsonata(item["Output"], "Output", here, present=True) if "Output" in item else None,
            )
        )
    return tuple(out)


def build(raw: dict) -> Definition:
    language = raw.get("QueryLanguage", JSONPATH)
    program = build_states(raw, language, "")
    return Definition(program, raw, raw.get("TimeoutSeconds"))


def build_states(raw: dict, language: str, location: str) -> StateList:
    states = {
        name: build_state(name, body, body.get("QueryLanguage", language), f"{location}/States/{name}")
        for name, body in raw.get("States", {}).items()
    }
    return StateList(raw.get("StartAt", ""), states, language, location)


def build_state(name: str, raw: dict, language: str, location: str) -> State:
    kind = raw.get("Type")
    common: dict[str, Any] = {
        "name": name,
        "type": kind,
        "language": language,
        "raw": raw,
        "next": raw.get("Next"),
        "end": bool(raw.get("End", False)),
        "assign": _assign(raw, language, location),
        "retry": _retriers(raw.get("Retry"), location),
        "catch": _catchers(raw.get("Catch"), language, location),
    }
    if language == JSONPATH:
        if "InputPath" in raw:
            common["input_path"] = _path(raw["InputPath"], "InputPath", f"{location}/InputPath")
        if "OutputPath" in raw:
            common["output_path"] = _path(raw["OutputPath"], "OutputPath", f"{location}/OutputPath")
        if "ResultPath" in raw:
            common["result_path"] = _path(raw["ResultPath"], "ResultPath", f"{location}/ResultPath")
        parameters_key = "ItemSelector" if kind == "Map" and "ItemSelector" in raw else "Parameters"
        if kind != "Map":
            common["parameters"] = _path_template(raw.get(parameters_key), parameters_key, location)
        common["result_selector"] = _path_template(raw.get("ResultSelector"), "ResultSelector", location)
    else:
        if "Arguments" in raw:
            common["arguments"] = _jsonata(raw["Arguments"], "Arguments", location, present=True)
        if "Output" in raw:
            common["output"] = _jsonata(raw["Output"], "Output", location, present=True)
    from host.stepfunctions.core import statekinds

    common["spec"] = statekinds.spec(kind, raw, language, location)
    return State(**common)


class Invalid(ValueError):
    """A definition AWS refuses; ``diagnostics`` in AWS's order."""

    def __init__(self, diagnostics: list) -> None:
        from host.stepfunctions.core.validation import format_invalid

        super().__init__(format_invalid(diagnostics))
        self.diagnostics = diagnostics


def load(text: str, machine_type: str = "STANDARD") -> Definition:
    """Parse, check and compile a definition; raises ``Invalid``."""
    from host.stepfunctions.core.validation import Diagnostic, check, parse_json

    raw, problem = parse_json(text)
    if problem is not None:
        raise Invalid([problem])
    diagnostics = check(raw, machine_type)
    if diagnostics:
        raise Invalid(diagnostics)
    try:
        return build(raw)
    except Problem as problem:
        raise Invalid([Diagnostic(problem.code, problem.message, problem.location)]) from None
