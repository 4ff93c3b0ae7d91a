"""The JSON 1.0 protocol of Step Functions: request checks from botocore's model, answers.

Requests are checked against the operation's input shape as AWS checks them server-side
(required members, lengths, ranges, enums), with AWS's ``ValidationException`` wording.
Errors answer ``{"__type": code, "message": ...}`` with status 400 (500 for an internal
failure), which botocore turns into the named exception.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import botocore.session

from host.stepfunctions.service.errors import SfnError, ValidationException

CONTENT_TYPE = "application/x-amz-json-1.0"
# Enum value sets in the order AWS's messages list them (recorded), where it is not the model's.
AWS_ENUM_ORDER = {
    frozenset(order): order
    for order in (["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"],)
}


@lru_cache(maxsize=1)
def model():
    return botocore.session.get_session().get_service_model("stepfunctions")


def operations() -> frozenset[str]:
    return frozenset(model().operation_names)


def check(operation: str, params: dict) -> None:
    """AWS's ValidationException for what the model forbids (top-level members)."""
    shape = model().operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    for name in shape.required_members:
        if params.get(name) is None:
            problems.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")
    for name, member in shape.members.items():
        value = params.get(name)
        if value is None:
            continue
        problems.extend(_member_problems(name, member, value))
    if problems:
        count = len(problems)
        noun = "validation error" if count == 1 else "validation errors"
        raise ValidationException(f"{count} {noun} detected: " + "; ".join(problems))


def _member_problems(name: str, member, value: Any) -> list[str]:
    out: list[str] = []
    meta = member.metadata
    kind = member.type_name
    if kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            out.append(
                f"Value '{value}' at '{name}' failed to satisfy constraint: Member must have length less than "
                f"or equal to {meta['max']}"
            )
        if "min" in meta and len(value) < meta["min"]:
            out.append(
                f"Value '{value}' at '{name}' failed to satisfy constraint: Member must have length greater "
                f"than or equal to {meta['min']}"
            )
        if member.enum and value not in member.enum:
            out.append(
                f"Value '{value}' at '{name}' failed to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(AWS_ENUM_ORDER.get(frozenset(member.enum), member.enum))}]"
            )
    elif kind in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            out.append(
                f"Value '{value}' at '{name}' failed to satisfy constraint: Member must have value less than "
                f"or equal to {meta['max']}"
            )
        if "min" in meta and value < meta["min"]:
            out.append(
                f"Value '{value}' at '{name}' failed to satisfy constraint: Member must have value greater "
                f"than or equal to {meta['min']}"
            )
    return out


def answer(body: Any, request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    return 200, [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id)], data


def failure(error: SfnError, request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
    body = json.dumps({"__type": error.code, "message": error.message}, separators=(",", ":")).encode()
    headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id), ("X-Amzn-ErrorType", error.code)]
    return error.status, headers, body
