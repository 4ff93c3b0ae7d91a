"""Policy statements as AddPermission writes them, and the checks on its parameters. No I/O.

1. ``check_add`` reports every parameter outside botocore's model (lengths, patterns,
   enums) as one ``ValidationException``, the way Lambda's front end does.
2. ``statement`` builds the statement AWS records: keys ``Sid``, ``Effect``, ``Principal``,
   ``Action``, ``Resource``, ``Condition``; ``StringEquals`` conditions before ``ArnLike``.
   Worked example (AWS's recording of ``test_add_lambda_permission_fields``)::

       Principal="*", Action="lambda:InvokeFunctionUrl", SourceAccount="111111111111",
       FunctionUrlAuthType="NONE", PrincipalOrgID="o-1234567890", SourceArn="arn:aws:s3:::b"
       -> {"Sid": ..., "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl",
           "Resource": <function ARN>, "Condition": {"StringEquals": {"AWS:SourceAccount": ...,
           "lambda:FunctionUrlAuthType": "NONE", "aws:PrincipalOrgID": ...},
           "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}}}

   Caveats: where ``lambda:EventSourceToken`` and the ``Bool`` condition of
   ``InvokedViaFunctionUrl`` go among the others is not recorded (they come after).
3. ``document`` is GetPolicy's ``Policy``; ``to_json`` writes statements and policies as
   compact JSON strings, as AWS returns them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from host.core.errors import InvalidParameterValue
from host.core.validation import Problems

STATEMENT_ID_PATTERN = r"([a-zA-Z0-9-_]+)"
REMOVE_STATEMENT_ID_PATTERN = r"([a-zA-Z0-9-_.]+)"  # RemovePermission's NamespacedStatementId
ACTION_PATTERN = r"(lambda:[*]|lambda:[a-zA-Z]+|[*])"
PRINCIPAL_PATTERN = r"[^\s]+"
SOURCE_ARN_PATTERN = (
    r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
SOURCE_ACCOUNT_PATTERN = r"\d{12}"
EVENT_SOURCE_TOKEN_PATTERN = r"[a-zA-Z0-9._\-]+"
PRINCIPAL_ORG_ID_PATTERN = r"o-[a-z0-9]{10,32}"
AUTH_TYPES = "[AWS_IAM, NONE]"
INVALID_PRINCIPAL = "The provided principal was invalid. Please check the principal and try again."
# Service principals: s3.amazonaws.com, its China form, and Alexa's alexa-appkit.amazon.com.
_SERVICE_PRINCIPAL = re.compile(r"[a-zA-Z0-9.-]+\.(amazonaws\.com(\.cn)?|amazon\.com)")
_IAM_PRINCIPAL = re.compile(r"arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+")

# (parameter, field in AWS's message, required, (min, max) length, pattern) in the model's order.
_ADD_MEMBERS: tuple[tuple[str, str, bool, tuple[int, int], str | None], ...] = (
    ("StatementId", "statementId", True, (1, 100), STATEMENT_ID_PATTERN),
    ("Action", "action", True, (0, 10000), ACTION_PATTERN),
    ("Principal", "principal", True, (0, 2048), PRINCIPAL_PATTERN),
    ("SourceArn", "sourceArn", False, (0, 10000), SOURCE_ARN_PATTERN),
    ("FunctionUrlAuthType", "functionUrlAuthType", False, (0, 0), None),
    ("SourceAccount", "sourceAccount", False, (0, 12), SOURCE_ACCOUNT_PATTERN),
    ("EventSourceToken", "eventSourceToken", False, (0, 256), EVENT_SOURCE_TOKEN_PATTERN),
    ("PrincipalOrgID", "principalOrgID", False, (12, 34), PRINCIPAL_ORG_ID_PATTERN),
)


def check_add(params: Mapping[str, Any]) -> None:
    """AddPermission's parameters against the model, all problems in one ``ValidationException``."""
    problems = Problems()
    for key, field, required, (low, high), pattern in _ADD_MEMBERS:
        value = params.get(key)
        if value is None:
            if required:
                problems.add(None, field, "Member must not be null")
            continue
        if key == "FunctionUrlAuthType":
            if value not in ("NONE", "AWS_IAM"):
                problems.add(value, field, f"Member must satisfy enum value set: {AUTH_TYPES}")
            continue
        _check_string(problems, str(value), field, low, high, pattern)
    problems.raise_if_any()


def check_statement_id(statement_id: str) -> None:
    """RemovePermission's StatementId (from the path), whose pattern also allows dots."""
    problems = Problems()
    _check_string(problems, statement_id, "statementId", 1, 100, REMOVE_STATEMENT_ID_PATTERN)
    problems.raise_if_any()


def _check_string(problems: Problems, value: str, field: str, low: int, high: int, pattern: str | None) -> None:
    if len(value) > high:
        problems.add(value, field, f"Member must have length less than or equal to {high}")
    elif len(value) < low:
        problems.add(value, field, f"Member must have length greater than or equal to {low}")
    if pattern is not None and not re.fullmatch(pattern, value):
        problems.add(value, field, f"Member must satisfy regular expression pattern: {pattern}")


def principal(value: str, partition: str = "aws") -> str | dict[str, str]:
    """The statement's Principal: ``*``, a service, an account (as its root) or an IAM ARN."""
    if value == "*":
        return "*"
    if re.fullmatch(r"\d{12}", value):
        return {"AWS": f"arn:{partition}:iam::{value}:root"}
    if _IAM_PRINCIPAL.fullmatch(value):
        return {"AWS": value}
    if _SERVICE_PRINCIPAL.fullmatch(value):
        return {"Service": value}
    raise InvalidParameterValue(INVALID_PRINCIPAL)


def statement(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    """The statement AddPermission adds for ``params`` on ``resource`` (a function, version or alias ARN)."""
    shaped: dict[str, Any] = {
        "Sid": params["StatementId"],
        "Effect": "Allow",
        "Principal": principal(params["Principal"]),
        "Action": params["Action"],
        "Resource": resource,
    }
    equals = {}
    for key, condition in (
        ("SourceAccount", "AWS:SourceAccount"),
        ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType"),
        ("PrincipalOrgID", "aws:PrincipalOrgID"),
        ("EventSourceToken", "lambda:EventSourceToken"),
    ):
        if params.get(key):
            equals[condition] = params[key]
    conditions: dict[str, Any] = {}
    if equals:
        conditions["StringEquals"] = equals
    if params.get("SourceArn"):
        conditions["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if params.get("InvokedViaFunctionUrl"):
        conditions["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if conditions:
        shaped["Condition"] = conditions
    return shaped


def document(statements: tuple[dict, ...]) -> dict[str, Any]:
    """GetPolicy's policy document around ``statements``."""
    return {"Version": "2012-10-17", "Id": "default", "Statement": list(statements)}


def to_json(value: Any) -> str:
    """Compact JSON, as AWS writes Statement and Policy (no spaces, characters as they are)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
