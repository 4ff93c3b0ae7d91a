"""What a Task state's ``Resource`` names, and the contract every integration keeps.

1. ``Target.parse`` reads a Resource: a Lambda function ARN (``LambdaFunction*`` events),
   an activity ARN (``Activity*`` events) or ``arn:aws:states:::<service>:<action>[.sync|
   .sync:2|.waitForTaskToken]`` and ``arn:aws:states:::aws-sdk:<service>:<action>``
   (``Task*`` events, with AWS's ``resourceType``/``resource`` pair).
2. An integration gets a ``TaskCall`` and answers through its ``Reply``, on the event loop:
   ``started()`` once it runs, ``submitted(output)`` for a callback task once the work is
   handed over, then exactly one of ``succeeded(output)`` or ``failed(error, cause)``.
   Answers after the task was abandoned (timed out, execution stopped) are ignored.
3. ``Integration.start`` must not block: blocking work goes to a thread pool and answers
   with ``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

LAMBDA_FUNCTION, ACTIVITY, SERVICE = "lambda_function", "activity", "service"
PATTERNS = ("waitForTaskToken", "sync:2", "sync")


class UnknownResource(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    arn: str
    family: str
    resource_type: str  # in Task* events: "lambda", "sqs", "aws-sdk:s3", "states"
    resource: str  # in Task* events: "invoke", "sendMessage.waitForTaskToken"
    service: str  # "lambda", "sqs", ..., "aws-sdk"
    action: str
    pattern: str = ""
    sdk_service: str | None = None
    region: str = ""
    account: str = ""

    @classmethod
    def parse(cls, arn: str) -> Target:
        parts = arn.split(":")
        if len(parts) < 6 or parts[0] != "arn":
            raise UnknownResource(arn)
        service, region, account = parts[2], parts[3], parts[4]
        if service == "lambda" and parts[5] == "function":
            return cls(arn, LAMBDA_FUNCTION, "lambda", arn, "lambda", "invoke", region=region, account=account)
        if service == "states" and parts[5] == "activity":
            return cls(arn, ACTIVITY, "activity", arn, "states", "activity", region=region, account=account)
        if service != "states" or region or account:
            raise UnknownResource(arn)
        name = parts[5]
        rest = parts[6:]
        if name == "aws-sdk":
            if len(rest) < 2:
                raise UnknownResource(arn)
            sdk_service = rest[0]
            action, pattern = _split_pattern(":".join(rest[1:]))
            resource = action + (f".{pattern}" if pattern else "")
            return cls(arn, SERVICE, f"aws-sdk:{sdk_service}", resource, "aws-sdk", action, pattern, sdk_service)
        if not rest:
            raise UnknownResource(arn)
        action, pattern = _split_pattern(":".join(rest))
        resource = action + (f".{pattern}" if pattern else "")
        return cls(arn, SERVICE, name, resource, name, action, pattern)


def _split_pattern(text: str) -> tuple[str, str]:
    for pattern in PATTERNS:
        if text.endswith("." + pattern):
            return text[: -len(pattern) - 1], pattern
    return text, ""


@dataclass(frozen=True)
class ExecutionInfo:
    """Who is asking: the execution a task belongs to."""

    arn: str
    name: str
    state_machine_arn: str
    region: str
    account: str
    express: bool
    mock_case: str | None = None
    trace_header: str | None = None


@dataclass(frozen=True)
class TaskCall:
    target: Target
    parameters: Any
    state_name: str
    execution: ExecutionInfo
    token: str | None = None
    timeout: int | None = None
    heartbeat: int | None = None
    credentials: Any = None
    attempt: int = 0  # how many times this state's task ran before in this visit (mocks count these)
    resumed: bool = False  # sent again after a restart of the host
    submitted: Any = None  # what the task handed over before the restart (``.sync``: the child's ARN)


class Reply(Protocol):
    def started(self) -> None: ...

    def submitted(self, output: Any) -> None: ...

    def succeeded(self, output: Any) -> None: ...

    def failed(self, error: str | None, cause: str | None) -> None: ...

    @property
    def current(self) -> bool: ...


class Integration(Protocol):
    def start(self, call: TaskCall, reply: Reply) -> None: ...
