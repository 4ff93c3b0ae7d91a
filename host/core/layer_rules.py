"""Layers: what Publish, the listings and the layer permissions accept, in AWS's words. No I/O.

What AWS recorded (LocalStack's ``TestLambdaLayer`` snapshots, 2025-11 and 2026-01):

1. ``CompatibleRuntimes`` may name any runtime Lambda ever had (python3.7, go1.x,
   provided...), at most 15; an unknown one is refused with a message that quotes only
   the runtimes new functions may use. Empty lists of runtimes and architectures are
   kept and shown as empty lists.
2. The listings' ``CompatibleRuntime`` filter is checked against that whole set, and the
   message quotes it in the order AWS's (Java) set printed it.
3. Versions below 1 are ``Layer Version Cannot be less than 1``; a missing layer or
   version is ``The resource you requested does not exist.``; deleting a missing one is
   no error; version numbers are never reused.
4. Layer permissions allow only ``lambda:GetLayerVersion``; their messages name
   ``Layer version <arn> does not exist.`` and the GetLayerPolicy API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from host.core.errors import InvalidParameterValue, ValidationError, validation_message
from host.core.validation import ARCHITECTURES, AWS_RUNTIMES, Problems, problem

# Every runtime identifier Lambda's model knows, as AWS's ListLayers message printed them.
KNOWN_RUNTIMES = (
    "ruby3.5", "ruby2.6", "dotnetcore1.0", "python3.7", "nodejs8.10", "nasa", "ruby2.7", "python2.7-greengrass",
    "dotnetcore2.0", "python3.8", "java21", "dotnet6", "dotnetcore2.1", "python3.9", "java11", "nodejs6.10",
    "provided", "dotnetcore3.1", "dotnet8", "java25", "java17", "nodejs", "nodejs4.3", "java8.al2", "go1.x",
    "dotnet10", "nodejs20.x", "go1.9", "byol", "nodejs10.x", "provided.al2023", "nodejs22.x", "python3.10",
    "java8", "nodejs12.x", "python3.11", "nodejs24.x", "nodejs8.x", "python3.12", "nodejs14.x", "nodejs8.9",
    "nodejs26.x", "python3.13", "python3.14", "nodejs16.x", "python3.15", "provided.al2", "nodejs4.3-edge",
    "nodejs18.x", "ruby3.2", "python3.4", "ruby3.3", "ruby3.4", "ruby2.5", "python3.6", "python2.7",
)  # fmt: skip
MAX_RUNTIMES = 15
MAX_ARCHITECTURES = 2
MAX_LIST_ITEMS = 50
NOT_FOUND = "The resource you requested does not exist."
VERSION_TOO_LOW = "Layer Version Cannot be less than 1"
GET_LAYER_VERSION = "lambda:GetLayerVersion"
PRINCIPAL_PATTERN = r"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root"
ORGANIZATION_PATTERN = r"o-[a-z0-9]{10,32}"
STATEMENT_ID_PATTERN = r"([a-zA-Z0-9-_]+)"
NO_POLICY = "No policy is associated with the given resource."
POLICY_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the "
    "latest Revision Id"
)


def _list_text(values: Sequence[Any]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def check_publish(params: Mapping[str, Any]) -> None:
    """PublishLayerVersion's Coral checks, every problem in one ValidationException."""
    problems = Problems()
    description = params.get("Description")
    if description is not None and len(str(description)) > 256:
        problems.add(description, "description", "Member must have length less than or equal to 256")
    architectures = params.get("CompatibleArchitectures")
    runtimes = params.get("CompatibleRuntimes")
    if runtimes is not None:
        if len(runtimes) > MAX_RUNTIMES:
            constraint = f"Member must have length less than or equal to {MAX_RUNTIMES}"
            problems.add(_list_text(runtimes), "compatibleRuntimes", constraint)
        elif any(r not in KNOWN_RUNTIMES for r in runtimes):
            problems.add(
                _list_text(runtimes),
                "compatibleRuntimes",
                f"Member must satisfy enum value set: {_list_text(AWS_RUNTIMES)}",
            )
    if architectures is not None:
        if len(architectures) > MAX_ARCHITECTURES:
            problems.add(
                _list_text(architectures),
                "compatibleArchitectures",
                f"Member must have length less than or equal to {MAX_ARCHITECTURES}",
            )
        elif any(a not in ARCHITECTURES for a in architectures):
            problems.add(
                _list_text(architectures),
                "compatibleArchitectures",
                "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
                "Member must not be null]",
            )
    license_info = params.get("LicenseInfo")
    if license_info is not None and len(str(license_info)) > 512:
        problems.add(license_info, "licenseInfo", "Member must have length less than or equal to 512")
    problems.raise_if_any()


def check_filters(runtime: str | None, architecture: str | None, max_items: int | None) -> None:
    """ListLayers' and ListLayerVersions' query parameters."""
    problems = Problems()
    if runtime is not None and runtime not in KNOWN_RUNTIMES:
        problems.add(runtime, "compatibleRuntime", f"Member must satisfy enum value set: {_list_text(KNOWN_RUNTIMES)}")
    if architecture is not None and architecture not in ARCHITECTURES:
        problems.add(architecture, "compatibleArchitecture", "Member must satisfy enum value set: [x86_64, arm64]")
    if max_items is not None and max_items > MAX_LIST_ITEMS:
        problems.add(max_items, "maxItems", f"Member must have value less than or equal to {MAX_LIST_ITEMS}")
    elif max_items is not None and max_items < 1:
        problems.add(max_items, "maxItems", "Member must have value greater than or equal to 1")
    problems.raise_if_any()


def matches(runtimes: Sequence[str] | None, architectures: Sequence[str] | None, runtime, architecture) -> bool:
    """Whether a version passes the listings' filters (a filter needs the version to name the value)."""
    if runtime is not None and runtime not in (runtimes or ()):
        return False
    return architecture is None or architecture in (architectures or ())


def check_version(version: int) -> None:
    if version < 1:
        raise InvalidParameterValue(VERSION_TOO_LOW)


def check_permission(params: Mapping[str, Any]) -> None:
    """AddLayerVersionPermission's members in the model's order."""
    problems = Problems()
    sid = params.get("StatementId")
    if sid is None:
        problems.add(None, "statementId", "Member must not be null")
    else:
        check_statement_id(str(sid), problems)
    for key, field, pattern, high, required in (
        ("Action", "action", GET_LAYER_VERSION, 22, True),
        ("Principal", "principal", PRINCIPAL_PATTERN, 10000, True),
        ("OrganizationId", "organizationId", ORGANIZATION_PATTERN, 34, False),
    ):
        value = params.get(key)
        if value is None:
            if required:
                problems.add(None, field, "Member must not be null")
            continue
        if len(str(value)) > high:
            problems.add(value, field, f"Member must have length less than or equal to {high}")
        if not re.fullmatch(pattern, str(value)):
            problems.add(value, field, f"Member must satisfy regular expression pattern: {pattern}")
    problems.raise_if_any()


def check_statement_id(sid: str, problems: Problems | None = None) -> None:
    own = problems is None
    problems = problems or Problems()
    if len(sid) > 100:
        problems.add(sid, "statementId", "Member must have length less than or equal to 100")
    elif len(sid) < 1:
        problems.add(sid, "statementId", "Member must have length greater than or equal to 1")
    if not re.fullmatch(STATEMENT_ID_PATTERN, sid):
        problems.add(sid, "statementId", f"Member must satisfy regular expression pattern: {STATEMENT_ID_PATTERN}")
    if own:
        problems.raise_if_any()


def statement(params: Mapping[str, Any], layer_version_arn: str, partition: str = "aws") -> dict[str, Any]:
    """The statement AddLayerVersionPermission records (an account is shown as its root)."""
    principal = params["Principal"]
    if principal != "*":
        root = principal if principal.startswith("arn:") else f"arn:{partition}:iam::{principal}:root"
        principal = {"AWS": root}
    shaped: dict[str, Any] = {
        "Sid": params["StatementId"],
        "Effect": "Allow",
        "Principal": principal,
        "Action": params["Action"],
        "Resource": layer_version_arn,
    }
    if params.get("OrganizationId"):
        shaped["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": params["OrganizationId"]}}
    return shaped


def version_not_found(layer_version_arn: str) -> str:
    return f"Layer version {layer_version_arn} does not exist."


def layer_name_problem(value: str, pattern: str) -> ValidationError:
    return ValidationError(
        validation_message([problem(value, "layerName", f"Member must satisfy regular expression pattern: {pattern}")])
    )
