"""What each state type carries beyond the common fields, compiled (``State.spec``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core import jsonata
from host.stepfunctions.core.choice import Rule, compile_rule
from host.stepfunctions.core.templates import JsonataTemplate, PathTemplate, _Ref


@dataclass(frozen=True)
class PassSpec:
    has_result: bool
    result: Any


@dataclass(frozen=True)
class Amount:
    """A number a state reads: fixed, from a path (``...Path``) or from JSONata."""

    field: str
    value: Any = None
    path: _Ref | None = None
    expression: JsonataTemplate | None = None

    @property
    def given(self) -> bool:
        return self.value is not None or self.path is not None or self.expression is not None


@dataclass(frozen=True)
class TaskSpec:
    resource: str
    timeout: Amount
    heartbeat: Amount
    credentials: Any  # PathTemplate or JsonataTemplate


@dataclass(frozen=True)
class ChoiceSpec:
    rules: tuple[Rule, ...]
    default: str | None


@dataclass(frozen=True)
class WaitSpec:
    seconds: Amount
    timestamp: Amount


@dataclass(frozen=True)
class FailSpec:
    error: Amount
    cause: Amount


@dataclass(frozen=True)
class ParallelSpec:
    branches: tuple  # of StateList


@dataclass(frozen=True)
class ReaderSpec:
    resource: str
    parameters: Any  # PathTemplate, JsonataTemplate or None
    input_type: str | None
    csv_header_location: str | None
    csv_headers: list | None
    csv_delimiter: str | None
    max_items: Amount


@dataclass(frozen=True)
class MapSpec:
    processor: Any  # StateList
    distributed: bool
    execution_type: str | None
    items_path: _Ref | None
    items: JsonataTemplate | None
    item_selector: PathTemplate | JsonataTemplate | None
    max_concurrency: Amount
    tolerated_count: Amount
    tolerated_percentage: Amount
    reader: ReaderSpec | None
    batcher: dict | None
    writer: dict | None
    label: str | None


def _amount(raw: dict, key: str, language: str, location: str) -> Amount:
    from host.stepfunctions.core.definition import _jsonata, reference

    value = raw.get(key)
    if language == "JSONata" and jsonata.is_expression(value):
        return Amount(key, expression=_jsonata(value, key, location))
    path_key = key + "Path"
    if path_key in raw:
        return Amount(path_key, path=reference(raw[path_key], path_key, location))
    return Amount(key, value=value)


def spec(kind: str, raw: dict, language: str, location: str) -> Any:
    from host.stepfunctions.core.definition import _jsonata, _path_template, build_states, reference

    if kind == "Pass":
        return PassSpec("Result" in raw, raw.get("Result"))
    if kind == "Task":
        credentials = raw.get("Credentials")
        if credentials is not None:
            credentials = (
                _jsonata(credentials, "Credentials", location)
                if language == "JSONata"
                else _path_template(credentials, "Credentials", location)
            )
        return TaskSpec(
            raw.get("Resource", ""),
            _amount(raw, "TimeoutSeconds", language, location),
            _amount(raw, "HeartbeatSeconds", language, location),
            credentials,
        )
    if kind == "Choice":
        rules = tuple(
            compile_rule(rule, language, f"{location}/Choices[{i}]") for i, rule in enumerate(raw.get("Choices", []))
        )
        return ChoiceSpec(rules, raw.get("Default"))
    if kind == "Wait":
        return WaitSpec(_amount(raw, "Seconds", language, location), _amount(raw, "Timestamp", language, location))
    if kind == "Fail":
        return FailSpec(_amount(raw, "Error", language, location), _amount(raw, "Cause", language, location))
    if kind == "Parallel":
        return ParallelSpec(
            tuple(
                build_states(branch, language, f"{location}/Branches[{i}]")
                for i, branch in enumerate(raw.get("Branches", []))
            )
        )
    if kind == "Map":
        return _map_spec(raw, language, location, _jsonata, _path_template, build_states, reference)
    return None


def _map_spec(raw, language, location, _jsonata, _path_template, build_states, reference) -> MapSpec:
    processor_raw = raw.get("ItemProcessor") or raw.get("Iterator") or {}
    config = processor_raw.get("ProcessorConfig") or {}
    processor = build_states(processor_raw, language, f"{location}/ItemProcessor")
    selector_raw = raw.get("ItemSelector", raw.get("Parameters"))
    if selector_raw is None:
        selector = None
    elif language == "JSONata":
        selector = _jsonata(selector_raw, "ItemSelector", location)
    else:
        selector = _path_template(selector_raw, "ItemSelector" if "ItemSelector" in raw else "Parameters", location)
    reader = None
    if "ItemReader" in raw:
        item_reader = raw["ItemReader"]
        reader_config = item_reader.get("ReaderConfig") or {}
        parameters = item_reader.get("Arguments") if language == "JSONata" else item_reader.get("Parameters")
        if parameters is not None:
            parameters = (
                _jsonata(parameters, "Arguments", f"{location}/ItemReader")
                if language == "JSONata"
                else _path_template(parameters, "Parameters", f"{location}/ItemReader")
            )
        reader = ReaderSpec(
            item_reader.get("Resource", ""),
            parameters,
            reader_config.get("InputType"),
            reader_config.get("CSVHeaderLocation"),
            reader_config.get("CSVHeaders"),
            reader_config.get("CSVDelimiter"),
            _amount(reader_config, "MaxItems", language, f"{location}/ItemReader/ReaderConfig"),
        )
    items_path = None
    if language == "JSONPath" and "ItemsPath" in raw:
        items_path = reference(raw["ItemsPath"], "ItemsPath", location)
    items = _jsonata(raw["Items"], "Items", location) if language == "JSONata" and "Items" in raw else None
    return MapSpec(
        processor,
        config.get("Mode") == "DISTRIBUTED",
        config.get("ExecutionType"),
        items_path,
        items,
        selector,
        _amount(raw, "MaxConcurrency", language, location),
        _amount(raw, "ToleratedFailureCount", language, location),
        _amount(raw, "ToleratedFailurePercentage", language, location),
        reader,
        raw.get("ItemBatcher"),
        raw.get("ResultWriter"),
        raw.get("Label"),
    )
