"""Checks on function settings, with the exceptions and exact messages Lambda gives.

Coral-style problems (``Value '<v>' at '<field>' failed to satisfy constraint: ...``)
are collected and raised together as one ``ValidationException``; Lambda's own
semantic checks raise ``InvalidParameterValueException``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from host.core.errors import InvalidParameterValue, ValidationError, validation_message
from host.core.variables import RESERVED

# The runtimes AWS accepts for new functions, in the order its error message lists them.
AWS_RUNTIMES = (
    "nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13", "nodejs24.x", "nodejs22.x",
    "java25", "python3.10", "python3.11", "java21", "ruby3.3", "ruby3.4", "ruby3.2", "python3.8", "python3.9",
    "java17", "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6", "nodejs18.x", "provided.al2", "java8.al2",
)  # fmt: skip
RETIRED_RUNTIMES = frozenset(
    {
        "java8", "go1.x", "provided", "ruby2.7", "nodejs14.x", "python3.7", "dotnetcore3.1", "nodejs12.x",
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "python2.7",
        "python3.6", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "ruby2.5",
    }
)  # fmt: skip
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
HANDLER_PATTERN = r"[^\s]+"
ENV_KEY_PATTERN = r"[a-zA-Z]([a-zA-Z0-9_])+"
LAYER_ARN_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:"
    r"[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
)
ARCHITECTURES = ("x86_64", "arm64")
SNAP_START_APPLY_ON = ("PublishedVersions", "None")
RECURSIVE_LOOPS = ("Terminate", "Allow")  # in the order AWS's message lists them
LIMITS = {
    "memorySize": (128, 10240),
    "timeout": (1, 900),
    "ephemeralStorage.size": (512, 10240),
}
MAX_ENV_BYTES = 4096
MAX_LAYERS = 5


def problem(value: object, field: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{field}' failed to satisfy constraint: {constraint}"


def _list_text(values: list) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


class Problems:
    """Coral-style problems found so far; ``raise_if_any`` raises them as one error."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, value: object, field: str, constraint: str) -> None:
        self.items.append(problem(value, field, constraint))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(validation_message(self.items))


def check_number(problems: Problems, value: object, field: str) -> None:
    if value is None:
        return
    low, high = LIMITS[field]
    if not isinstance(value, int) or isinstance(value, bool):
        problems.add(value, field, "Member must be a number")
    elif value > high:
        problems.add(value, field, f"Member must have value less than or equal to {high}")
    elif value < low:
        problems.add(value, field, f"Member must have value greater than or equal to {low}")


def check_settings(params: Mapping, problems: Problems, creating: bool) -> None:
    """The Coral checks shared by CreateFunction and UpdateFunctionConfiguration."""
    role = params.get("Role")
    if role is not None and not re.fullmatch(ROLE_PATTERN, str(role)):
        problems.add(role, "role", f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")
    elif role is None and creating:
        problems.add(None, "role", "Member must not be null")
    handler = params.get("Handler")
    if handler is not None:
        pattern = f"Member must satisfy regular expression pattern: {HANDLER_PATTERN}"
        if len(str(handler)) > 128:
            problems.add(handler, "handler", "Member must have length less than or equal to 128")
        if "\0" in str(handler):  # NUL is not whitespace, yet no runtime could take it
            problems.add(str(handler).replace("\0", "\\0"), "handler", pattern)
        elif not re.fullmatch(HANDLER_PATTERN, str(handler)):
            problems.add(handler, "handler", pattern)
    description = params.get("Description")
    if description is not None and len(str(description)) > 256:
        problems.add(description, "description", "Member must have length less than or equal to 256")
    check_number(problems, params.get("MemorySize"), "memorySize")
    check_number(problems, params.get("Timeout"), "timeout")
    storage = params.get("EphemeralStorage")
    if isinstance(storage, Mapping):
        check_number(problems, storage.get("Size"), "ephemeralStorage.size")
    architectures = params.get("Architectures")
    if architectures is not None:
        if len(architectures) > 1:
            problems.add(_list_text(architectures), "architectures", "Member must have length less than or equal to 1")
        elif any(a not in ARCHITECTURES for a in architectures):
            problems.add(
                _list_text(architectures),
                "architectures",
                "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
                "Member must not be null]",
            )
    check_vpc(params.get("VpcConfig"), problems)
    snap_start = params.get("SnapStart")
    if isinstance(snap_start, Mapping) and snap_start.get("ApplyOn") not in (None, *SNAP_START_APPLY_ON):
        problems.add(
            snap_start["ApplyOn"], "snapStart.applyOn", "Member must satisfy enum value set: [PublishedVersions, None]"
        )
    layers = params.get("Layers")
    if layers is not None and any(not re.fullmatch(LAYER_ARN_PATTERN, str(arn)) for arn in layers):
        problems.add(
            _list_text(layers),
            "layers",
            "Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have "
            "length greater than or equal to 1, Member must satisfy regular expression pattern: "
            f"{LAYER_ARN_PATTERN}, Member must not be null]",
        )


def check_vpc(config: object, problems: Problems) -> None:
    """VpcConfig's lists against botocore's shapes (the messages AWS recorded)."""
    if not isinstance(config, Mapping):
        return
    for key, field, pattern, most in (
        ("SubnetIds", "vpcConfig.subnetIds", r"subnet-[0-9a-z]*", 16),
        ("SecurityGroupIds", "vpcConfig.securityGroupIds", r"sg-[0-9a-zA-Z]*", 5),
    ):
        values = config.get(key) or []
        if len(values) > most:
            problems.add(_list_text(values), field, f"Member must have length less than or equal to {most}")
        elif any(len(str(v)) > 1024 or not re.fullmatch(pattern, str(v)) for v in values):
            problems.add(
                _list_text(values),
                field,
                "Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have "
                f"length greater than or equal to 0, Member must satisfy regular expression pattern: {pattern}]",
            )


def check_recursive_loop(value: object) -> None:
    if value not in RECURSIVE_LOOPS:
        raise ValidationError(
            validation_message(
                [
                    problem(
                        value,
                        "recursiveLoop",
                        f"Member must satisfy enum value set: {_list_text(list(RECURSIVE_LOOPS))}",
                    )
                ]
            )
        )


def check_runtime(runtime: object) -> None:
    if runtime in RETIRED_RUNTIMES:
        raise InvalidParameterValue(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            "functions. We recommend you use a supported runtime while creating or updating functions."
        )
    if runtime not in AWS_RUNTIMES:
        raise InvalidParameterValue(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
            f"{_list_text(list(AWS_RUNTIMES))} or be a valid ARN"
        )


def check_environment(variables: Mapping[str, str]) -> None:
    if any("\0" in key or "\0" in value for key, value in variables.items()):
        raise InvalidParameterValue("Environment variables must not contain the NUL character.")
    reserved = [key for key in variables if key in RESERVED]
    if reserved:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. Reserved "
            f"keys used in this request: {', '.join(reserved)}"
        )
    problems = Problems()
    for key in variables:
        if not re.fullmatch(ENV_KEY_PATTERN, key):
            problems.add(
                key, "environment.variables", f"Member must satisfy regular expression pattern: {ENV_KEY_PATTERN}"
            )
    problems.raise_if_any()
    measured = json.dumps(dict(variables), separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode()) > MAX_ENV_BYTES:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}"
        )


def check_layer_list(layers: list[str], region: str) -> None:
    if len(layers) > MAX_LAYERS:
        raise InvalidParameterValue(f"Cannot reference more than {MAX_LAYERS} layers.")
    seen: dict[str, str] = {}
    for arn in layers:
        parts = arn.split(":")
        if parts[3] != region:
            raise InvalidParameterValue(
                f"Layers are not in the same region as the function. Layers are expected to be in region {region}."
            )
        layer = ":".join(parts[:-1])
        if layer in seen:
            raise InvalidParameterValue(
                "Two different versions of the same layer are not allowed to be referenced in the same function. "
                f"{seen[layer]} and {arn} are versions of the same layer."
            )
        seen[layer] = arn
