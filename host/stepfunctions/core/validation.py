"""Create-time checks of a definition, with AWS's diagnostics (code, message, location).

``check`` returns the diagnostics in AWS's order; CreateStateMachine joins them into one
``InvalidDefinition`` message (``format_invalid``), ValidateStateMachineDefinition lists
them. The rules and their wording are AWS's as recorded (LocalStack's snapshot files,
floci's AWS measurements): required fields, field/type combinations ("Field 'X' is not
supported"), the QueryLanguage rules, transitions (``MISSING_TRANSITION_TARGET``), a
terminal state (``MISSING_END_STATE``), what Express machines may not do, and the paths,
intrinsic calls and JSONata expressions a definition holds (compiled by ``definition``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from host.stepfunctions.core.timestamps import parse_timestamp

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
TOP_FIELDS = {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
COMMON = {"Type", "Comment", "QueryLanguage"}
JSONPATH_IO = {"InputPath", "OutputPath"}
JSONPATH_RESULT = {"ResultPath", "ResultSelector"}
JSONATA_ONLY = {"Output", "Arguments", "Items"}
JSONPATH_ONLY = {"InputPath", "OutputPath", "ResultPath", "ResultSelector", "Parameters", "ItemsPath"}
TRANSITION = {"Next", "End"}
ALLOWED = {
    "Pass": COMMON | JSONPATH_IO | TRANSITION | {"Result", "ResultPath", "Parameters", "Assign", "Output"},
    "Task": COMMON
    | JSONPATH_IO
    | JSONPATH_RESULT
    | TRANSITION
    | {
        "Resource",
        "Parameters",
        "Arguments",
        "Retry",
        "Catch",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
        "Assign",
        "Output",
    },
    "Choice": COMMON | JSONPATH_IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": COMMON
    | JSONPATH_IO
    | TRANSITION
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"},
    "Succeed": COMMON | JSONPATH_IO | {"Output"},
    "Fail": COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": COMMON
    | JSONPATH_IO
    | JSONPATH_RESULT
    | TRANSITION
    | {"Branches", "Parameters", "Arguments", "Retry", "Catch", "Assign", "Output"},
    "Map": COMMON
    | JSONPATH_IO
    | JSONPATH_RESULT
    | TRANSITION
    | {
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "Retry",
        "Catch",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
        "Assign",
        "Output",
    },
}
TERMINAL_TYPES = ("Succeed", "Fail")
OPTIMISED = {
    "lambda": {"invoke"},
    "sqs": {"sendMessage"},
    "sns": {"publish"},
    "dynamodb": {"getItem", "putItem", "updateItem", "deleteItem"},
    "events": {"putEvents"},
    "states": {"startExecution"},
    "s3": {"getObject", "putObject", "listObjectsV2"},
    "apigateway": {"invoke"},
    "ecs": {"runTask"},
    "batch": {"submitJob"},
    "glue": {"startJobRun"},
    "athena": {"startQueryExecution", "getQueryExecution", "getQueryResults", "stopQueryExecution"},
    "http": {"invoke"},
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: str | None

    def as_api(self) -> dict:
        out = {"severity": "ERROR", "code": self.code, "message": self.message}
        if self.location is not None:
            out["location"] = self.location
        return out


def format_invalid(diagnostics: list[Diagnostic]) -> str:
    """CreateStateMachine's ``InvalidDefinition`` message over the diagnostics."""
    parts = [f"{d.code}: {d.message} at {d.location}" for d in diagnostics]
    return "Invalid State Machine Definition: '" + ", ".join(parts) + "'"


def parse_json(text: str) -> tuple[Any, Diagnostic | None]:
    if text is None or not str(text).strip():
        return None, Diagnostic("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object", None)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        token = text.strip().split()[0] if text.strip() else ""
        message = (
            f"Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', "
            "'true' or 'false')"
            if not text.lstrip().startswith(("{", "[", '"'))
            else exc.msg
        )
        where = f'[Source: (String)"{text[:500]}"; line: {exc.lineno}, column: {exc.colno + len(token)}]'
        return None, Diagnostic("INVALID_JSON_DESCRIPTION", f"{message}\n at {where}", where)
    if not isinstance(value, dict):
        return None, Diagnostic("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object", None)
    return value, None


def check(raw: dict, machine_type: str = "STANDARD") -> list[Diagnostic]:
    found: list[Diagnostic] = []
    required = [name for name in ("States", "StartAt") if name not in raw]
    if required:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", f"These fields are required: [{', '.join(required)}]", "/"))
        return found
    for key in raw:
        if key not in TOP_FIELDS:
            found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", "/"))
    language = raw.get("QueryLanguage", "JSONPath")
    if language not in ("JSONPath", "JSONata"):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                "/QueryLanguage",
            )
        )
        language = "JSONata"
    _check_states(raw, language, "", machine_type, found, top=True)
    if not found and not _has_terminal(raw):
        found.append(Diagnostic("MISSING_END_STATE", "Workflow has no terminal state", None))
    return found


def _has_terminal(container: dict) -> bool:
    for body in (container.get("States") or {}).values():
        if isinstance(body, dict) and (body.get("End") is True or body.get("Type") in TERMINAL_TYPES):
            return True
    return False


def _check_states(container: dict, language: str, prefix: str, machine_type: str, found: list, top: bool) -> None:
    states = container.get("States")
    if not isinstance(states, dict) or not states:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "Value cannot be empty", f"{prefix}/States"))
        return
    start = container.get("StartAt")
    transitions: list[tuple[str, str]] = []
    for name, body in states.items():
        where = f"{prefix}/States/{name}"
        if not isinstance(body, dict):
            found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "Value must be an object", where))
            continue
        if not 1 <= len(name) <= 80:
            found.append(Diagnostic("INVALID_STATE_NAME", "State name must be 1-80 characters long", where))
        state_language = _state_language(body, language, where, found, top)
        _check_state(name, body, state_language, where, machine_type, found, transitions)
    if start not in states:
        found.append(Diagnostic("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start}", f"{prefix}/StartAt"))
    for target, at in transitions:
        if target not in states:
            found.append(Diagnostic("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", at))
    reachable = _reachable(start, states)
    for name in states:
        if name not in reachable:
            found.append(
                Diagnostic("MISSING_TRANSITION_TARGET", f'State "{name}" is not reachable.', f"{prefix}/States/{name}")
            )


def _state_language(body: dict, language: str, where: str, found: list, top: bool) -> str:
    own = body.get("QueryLanguage")
    if own is None:
        return language
    if own not in ("JSONPath", "JSONata"):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                f"{where}/QueryLanguage",
            )
        )
        return "JSONata"
    if language == "JSONata" and own == "JSONPath":
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                where,
            )
        )
    return own


def _targets(body: dict, where: str) -> list[tuple[str, str]]:
    out = []
    if isinstance(body.get("Next"), str):
        out.append((body["Next"], f"{where}/Next"))
    if isinstance(body.get("Default"), str):
        out.append((body["Default"], f"{where}/Default"))
    for i, rule in enumerate(body.get("Choices") or []):
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            out.append((rule["Next"], f"{where}/Choices[{i}]/Next"))
    for i, catcher in enumerate(body.get("Catch") or []):
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            out.append((catcher["Next"], f"{where}/Catch[{i}]/Next"))
    return out


def _reachable(start: str, states: dict) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        body = states[name]
        if isinstance(body, dict):
            todo.extend(target for target, _ in _targets(body, ""))
    return seen


def _check_state(
    name: str, body: dict, language: str, where: str, machine_type: str, found: list, transitions: list
) -> None:
    kind = body.get("Type")
    if kind is None:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [Type]", where))
        return
    if kind not in STATE_TYPES:
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                f"The field 'Type' should have one of these values: [{', '.join(STATE_TYPES)}]",
                f"{where}/Type",
            )
        )
        return
    for key in body:
        if key not in ALLOWED[kind]:
            found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", where))
        elif language == "JSONPath" and key in JSONATA_ONLY:
            found.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only supported for "
                    "the 'JSONata' QueryLanguage",
                    where,
                )
            )
        elif language == "JSONata" and (key in JSONPATH_ONLY or (key.endswith("Path") and key not in ("Next",))):
            found.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    f"The QueryLanguage is set to 'JSONata', but field '{key}' is only supported for "
                    "the 'JSONPath' QueryLanguage",
                    where,
                )
            )
    transitions.extend(_targets(body, where))
    if kind not in ("Choice", "Succeed", "Fail"):
        has_next, has_end = "Next" in body, body.get("End") is True
        if not has_next and not has_end:
            found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [Next]", where))
        elif has_next and has_end:
            found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "Only one of [Next, End] may be set", where))
    checker = _PER_TYPE.get(kind)
    if checker is not None:
        checker(name, body, language, where, machine_type, found)
    for field_name in ("Retry", "Catch"):
        for i, entry in enumerate(body.get(field_name) or []):
            _check_error_equals(entry, f"{where}/{field_name}[{i}]", i == len(body[field_name]) - 1, found)


def _check_error_equals(entry: Any, where: str, last: bool, found: list) -> None:
    if not isinstance(entry, dict) or not entry.get("ErrorEquals"):
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [ErrorEquals]", where))
        return
    names = entry["ErrorEquals"]
    if "States.ALL" in names and (len(names) > 1 or not last):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "States.ALL must appear alone and in the last retrier or catcher",
                f"{where}/ErrorEquals",
            )
        )
    if "BackoffRate" in entry and isinstance(entry["BackoffRate"], int | float) and entry["BackoffRate"] < 1:
        found.append(
            Diagnostic("SCHEMA_VALIDATION_FAILED", "Value must be greater than or equal to 1.0", f"{where}/BackoffRate")
        )
    if "JitterStrategy" in entry and entry["JitterStrategy"] not in ("FULL", "NONE"):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                f"{where}/JitterStrategy",
            )
        )
    if "/Catch[" in where and "Next" not in entry:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [Next]", where))


def _task(name: str, body: dict, language: str, where: str, machine_type: str, found: list) -> None:
    resource = body.get("Resource")
    if not isinstance(resource, str):
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [Resource]", where))
        return
    if not _known_resource(resource):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                f"The resource provided {resource} is not recognized. The value is not a valid resource ARN, or the "
                "resource is not available in this region.",
                f"{where}/Resource",
            )
        )
        return
    if machine_type == "EXPRESS":
        if resource.endswith(".waitForTaskToken"):
            found.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    "Express state machine does not support '.waitForTaskToken' service integration ",
                    f"{where}/Resource",
                )
            )
        elif resource.endswith(".sync") or resource.endswith(".sync:2"):
            found.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    "Express state machine does not support '.sync' service integration",
                    f"{where}/Resource",
                )
            )
        elif ":activity:" in resource:
            found.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    "Express state machine does not support Activity ARN",
                    f"{where}/Resource",
                )
            )
    credentials = body.get("Credentials")
    if credentials is not None and (
        not isinstance(credentials, dict) or not any(k in credentials for k in ("RoleArn", "RoleArn.$"))
    ):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED", "The field 'RoleArn' is required but was missing", f"{where}/Credentials"
            )
        )


def _known_resource(resource: str) -> bool:
    parts = resource.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[1].startswith("aws"):
        return False
    if parts[2] == "lambda":
        return parts[5] == "function" and len(parts) >= 7
    if parts[2] != "states":
        return False
    if parts[5] == "activity":
        return len(parts) >= 7
    if parts[3] or parts[4]:
        return False
    service = parts[5]
    rest = ":".join(parts[6:])
    if service == "aws-sdk":
        return len(parts) >= 8 and bool(parts[6]) and bool(parts[7])
    action = rest.split(".")[0]
    if service not in OPTIMISED or action not in OPTIMISED[service]:
        return False
    suffix = rest[len(action) :]
    return suffix in ("", ".sync", ".sync:2", ".waitForTaskToken")


def _wait(name: str, body: dict, language: str, where: str, machine_type: str, found: list) -> None:
    given = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in body]
    if len(given) != 1:
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "Exactly one of [Seconds, SecondsPath, Timestamp, TimestampPath] is required",
                where,
            )
        )
        return
    timestamp = body.get("Timestamp")
    literal = isinstance(timestamp, str) and not (language == "JSONata" and timestamp.startswith("{%"))
    if literal and parse_timestamp(timestamp) is None:
        found.append(
            Diagnostic("SCHEMA_VALIDATION_FAILED", "String does not match RFC3339 timestamp", f"{where}/Timestamp")
        )


def _choice(name: str, body: dict, language: str, where: str, machine_type: str, found: list) -> None:
    choices = body.get("Choices")
    if not isinstance(choices, list) or not choices:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [Choices]", where))
        return
    for i, rule in enumerate(choices):
        if not isinstance(rule, dict) or "Next" not in rule:
            found.append(
                Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [Next]", f"{where}/Choices[{i}]")
            )


def _parallel(name: str, body: dict, language: str, where: str, machine_type: str, found: list) -> None:
    branches = body.get("Branches")
    if not isinstance(branches, list) or not branches:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "Value cannot be empty", f"{where}/Branches"))
        return
    for i, branch in enumerate(branches):
        _check_container(branch, language, f"{where}/Branches[{i}]", machine_type, found)


def _map(name: str, body: dict, language: str, where: str, machine_type: str, found: list) -> None:
    processor = body.get("ItemProcessor", body.get("Iterator"))
    key = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
    if not isinstance(processor, dict):
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "These fields are required: [ItemProcessor]", where))
        return
    if "QueryLanguage" in processor:
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "Field 'QueryLanguage' is not supported", f"{where}/{key}"))
    config = processor.get("ProcessorConfig") or {}
    if config.get("Mode", "INLINE") not in ("INLINE", "DISTRIBUTED"):
        found.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                f"{where}/{key}/ProcessorConfig/Mode",
            )
        )
    label = body.get("Label")
    if isinstance(label, str):
        for char in label:
            if char in ' ?*<>{}[]:;,\\|^~$#%&`"' or ord(char) < 32 or 127 <= ord(char) < 160:
                found.append(
                    Diagnostic(
                        "SCHEMA_VALIDATION_FAILED", f"Label contains invalid character: '{char}'", f"{where}/Label"
                    )
                )
                break
    _check_container(
        {k: v for k, v in processor.items() if k != "ProcessorConfig"}, language, f"{where}/{key}", machine_type, found
    )


def _check_container(container: Any, language: str, where: str, machine_type: str, found: list) -> None:
    if not isinstance(container, dict):
        found.append(Diagnostic("SCHEMA_VALIDATION_FAILED", "Value must be an object", where))
        return
    required = [n for n in ("States", "StartAt") if n not in container]
    if required:
        found.append(
            Diagnostic("SCHEMA_VALIDATION_FAILED", f"These fields are required: [{', '.join(required)}]", where)
        )
        return
    _check_states(container, language, where, machine_type, found, top=False)


_PER_TYPE = {"Task": _task, "Wait": _wait, "Choice": _choice, "Parallel": _parallel, "Map": _map}
