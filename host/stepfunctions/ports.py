"""The one way Step Functions reaches the Lambda side: invoke a function as any caller would.

``Functions.invoke`` takes what an Invoke request carries and answers what the Lambda API
would answer: the status, the headers (``X-Amz-Executed-Version``, ``X-Amz-Function-Error``,
``X-Amz-Log-Result``, ``x-amzn-RequestId``) and the payload; an API refusal (no such
function, throttled, bad request) raises ``LambdaFailure`` with AWS's code and message.
The host wires it to ``host.service.invoke.InvokeService`` (``integrations/host_functions``);
tests may give a fake.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LambdaCall:
    function_name: str
    payload: bytes
    qualifier: str | None = None
    invocation_type: str = "RequestResponse"
    log_type: str | None = None
    client_context: str | None = None


@dataclass(frozen=True)
class LambdaAnswer:
    status_code: int
    payload: bytes
    request_id: str
    executed_version: str | None = None
    function_error: str | None = None
    log_result: str | None = None  # base64, as the header carries it


class LambdaFailure(Exception):
    def __init__(self, code: str, message: str, status: int, request_id: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id


class Functions(Protocol):
    def invoke(self, call: LambdaCall) -> asyncio.Future[LambdaAnswer]:
        """Start the invocation; the future holds the answer or raises ``LambdaFailure``."""
        ...
