"""Function names and qualifiers in every form Lambda accepts, checked as Lambda checks them.

Accepted forms (each may end in ``:qualifier``)::

    my-function
    123456789012:function:my-function
    arn:aws:lambda:us-east-1:123456789012:function:my-function

Checks, in AWS's order: length and pattern (``ValidationException``, all problems in one
message), then region and account of an ARN, then a qualifier given both in the name
and as ``Qualifier`` (``InvalidParameterValueException`` when they differ).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from host.core.errors import (
    InvalidParameterValue,
    LambdaApiError,
    ResourceNotFound,
    ValidationError,
    validation_message,
)

_REGION = r"(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}"
NAMESPACED_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?(" + _REGION + r":)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)"
    r"(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?(" + _REGION + r":)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
    r"(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
QUALIFIER_PATTERN = r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"
MAX_FUNCTION_NAME = 140  # CreateFunction's FunctionName shape
MAX_NAMESPACED_NAME = 256  # NamespacedFunctionName (GetFunction, DeleteFunction, Invoke...) in botocore's model
MAX_QUALIFIER = 128
MAX_SHORT_NAME = 64

_PARTS = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+))?"
)


class AccessDenied(LambdaApiError):
    code = "AccessDeniedException"


@dataclass(frozen=True)
class FunctionRef:
    name: str
    qualifier: str | None  # from the name or the Qualifier parameter; None when neither gave one


def _problem(value: str, field: str, constraint: str) -> str:
    return f"Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"


@functools.lru_cache(maxsize=4096)
def parse_function_name(
    value: str,
    qualifier: str | None,
    *,
    region: str,
    account: str,
    namespaced: bool = True,
) -> FunctionRef:
    """Split and check a FunctionName (and Qualifier) the way Lambda does.

    The length limit depends on the operation's shape: AWS reports "less than or equal to
    140" for CreateFunction only; a 170-character name given to GetFunction, DeleteFunction
    or Invoke gets the pattern error alone (recorded), as their shape allows 256.
    """
    pattern = NAMESPACED_PATTERN if namespaced else FUNCTION_NAME_PATTERN
    limit = MAX_NAMESPACED_NAME if namespaced else MAX_FUNCTION_NAME
    problems = []
    if len(value) > limit:
        problems.append(_problem(value, "functionName", f"Member must have length less than or equal to {limit}"))
    if not re.fullmatch(pattern, value):
        problems.append(_problem(value, "functionName", f"Member must satisfy regular expression pattern: {pattern}"))
    if qualifier is not None:
        if len(qualifier) > MAX_QUALIFIER:
            problems.append(
                _problem(qualifier, "qualifier", f"Member must have length less than or equal to {MAX_QUALIFIER}")
            )
        if not re.fullmatch(QUALIFIER_PATTERN, qualifier):
            problems.append(
                _problem(qualifier, "qualifier", f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}")
            )
    if problems:
        raise ValidationError(validation_message(problems))
    parts = _PARTS.fullmatch(value)
    if parts is None:  # the pattern above matched, so this is only a guard
        raise ValidationError(validation_message([_problem(value, "functionName", "Member must satisfy pattern")]))
    if parts["region"] and parts["region"] != region:
        raise ResourceNotFound(f"Functions from '{parts['region']}' are not reachable in this region ('{region}')")
    if parts["account"] and parts["account"] != account:
        raise AccessDenied("")
    derived = parts["qualifier"]
    if derived is not None and qualifier is not None and derived != qualifier:
        raise InvalidParameterValue(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return FunctionRef(parts["name"], derived if derived is not None else qualifier)


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def runtime_version_arn(region: str, runtime: str) -> str:
    """A RuntimeVersionArn for ``runtime``: the same for every function of that runtime."""
    return f"arn:aws:lambda:{region}::runtime:{hashlib.sha256(runtime.encode()).hexdigest()}"


def layer_arn(region: str, account: str, name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn
