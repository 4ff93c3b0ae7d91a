"""What AWS recorded, written so a response can be compared with it as a whole.

LocalStack's AWS-validated snapshots replace what changes from run to run (names, ids,
dates, digests) with placeholders; these matchers do the same job here, so a test can
say ``assert shown == configuration(...)`` and see every key and value that differs.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-host-recorded"


class Matcher:
    """Equal to any value its ``test`` accepts; shown in a diff by its description."""

    def __init__(self, description: str, test) -> None:
        self.description = description
        self.test = test

    def __eq__(self, other: object) -> bool:
        return bool(self.test(other))

    def __repr__(self) -> str:
        return f"<{self.description}>"


def _is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


UUID = Matcher("uuid", _is_uuid)
DATE = Matcher("date", lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", v))
URL_DATE = Matcher("url-date", lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", v))
SHA256 = Matcher("code-sha256", lambda v: isinstance(v, str) and len(v) == 44 and v.endswith("="))
SIZE = Matcher("size", lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0)
LOCATION = Matcher("location", lambda v: isinstance(v, str) and v.startswith("http"))
RUNTIME_VERSION = Matcher(
    "runtime-version-arn", lambda v: isinstance(v, str) and re.fullmatch(rf"arn:aws:lambda:{REGION}::runtime:\w+", v)
)
NUMBER = Matcher("number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def layer_arn(name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


def body(response: dict) -> dict:
    """A successful response without its metadata, as snapshots compare it."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def status(response: dict) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


def refused(call, **params) -> dict:
    """The error a call gets: what boto3 parsed from its body, plus ``Status``; fails if it succeeds."""
    try:
        result = call(**params)
    except ClientError as exc:
        response = {k: v for k, v in exc.response.items() if k != "ResponseMetadata"}
        response["Status"] = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        return response
    raise AssertionError(f"expected an error, got {result!r}")


def user_error(status_code: int, code: str, message: str, capital: bool = False, **extra) -> dict:
    """A modelled Lambda error: ``Type`` and ``message`` (``Message`` for capital shapes) in the body."""
    shown = {"Error": {"Code": code, "Message": message}, "Type": "User", "Status": status_code, **extra}
    shown["Message" if capital else "message"] = message
    return shown


def not_found(message: str) -> dict:
    return user_error(404, "ResourceNotFoundException", message, capital=True)


def invalid(message: str) -> dict:
    return user_error(400, "InvalidParameterValueException", message)


def conflict(message: str) -> dict:
    return user_error(409, "ResourceConflictException", message)


def precondition(message: str) -> dict:
    return user_error(412, "PreconditionFailedException", message)


def validation(*problems: str) -> dict:
    """A ValidationException: no modelled body members, only the summary over ``problems``."""
    count = len(problems)
    noun = "validation error" if count == 1 else "validation errors"
    return {
        "Error": {"Code": "ValidationException", "Message": f"{count} {noun} detected: " + "; ".join(problems)},
        "Status": 400,
    }


def problem(value: Any, field: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{field}' failed to satisfy constraint: {constraint}"


def configuration(name: str, **changes: Any) -> dict:
    """FunctionConfiguration of a function made by the ``function`` fixture, as AWS recorded one
    (``python3.12``, ``handler.handler``, 30 s, no variables) once Active; ``changes`` override keys,
    a value of ``None`` removes one."""
    shown: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": function_arn(name),
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "handler.handler",
        "CodeSize": SIZE,
        "Description": "",
        "Timeout": 30,
        "MemorySize": 128,
        "LastModified": DATE,
        "CodeSha256": SHA256,
        "Version": "$LATEST",
        "Environment": {"Variables": {}},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": UUID,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": RUNTIME_VERSION},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    for key, value in changes.items():
        if value is None:
            shown.pop(key, None)
        else:
            shown[key] = value
    return shown


def creating(name: str, **changes: Any) -> dict:
    """CreateFunction's answer: Pending, being created, no LastUpdateStatus."""
    pending = {
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "LastUpdateStatus": None,
    }
    return configuration(name, **{**pending, **changes})


def updating(name: str, **changes: Any) -> dict:
    """An Update*'s answer: Active, the update InProgress."""
    progress = {
        "LastUpdateStatus": "InProgress",
        "LastUpdateStatusReason": "The function is being created.",
        "LastUpdateStatusReasonCode": "Creating",
    }
    return configuration(name, **{**progress, **changes})


def differences(actual: Any, expected: Any, path: str = "$") -> list[str]:
    """Where ``actual`` departs from ``expected``, one line per key (for assertion messages)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(actual) | set(expected), key=str):
            if key not in expected:
                found.append(f"{path}.{key}: unexpected {actual[key]!r}")
            elif key not in actual:
                found.append(f"{path}.{key}: missing, expected {expected[key]!r}")
            else:
                found += differences(actual[key], expected[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(actual) == len(expected):
        pairs = enumerate(zip(actual, expected, strict=True))
        return [d for i, (a, e) in pairs for d in differences(a, e, f"{path}[{i}]")]
    return [] if actual == expected else [f"{path}: {actual!r} != expected {expected!r}"]


def same(actual: Any, expected: Any) -> bool:
    """``assert same(a, b)``: equality, with the differing keys in the failure message."""
    found = differences(actual, expected)
    assert not found, "\n".join(found)
    return True
