"""The Invoke API (``POST /2015-03-31/functions/{name}/invocations``), served on the event loop.

Thin: it reads the call from the request, asks ``InvokeService``, and writes Lambda's
answer (200 with the payload, 202 for Event, 204 for DryRun, or an AWS error).
A function's own failure is a 200 with ``X-Amz-Function-Error``, never a 5xx: SDKs
retry 5xx and 429 and would run the function again.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from urllib.parse import parse_qs

from host.api.errors import render
from host.core.errors import LambdaApiError, RequestEntityTooLarge, ServiceError
from host.core.invocation import ResponseSink
from host.http.server import Exchange, Request
from host.service.invoke import MAX_SYNC_PAYLOAD, InvokeCall, InvokeService, new_request_id

log = logging.getLogger("lambda_host.invoke")

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")


def read_call(request: Request, function_name: str, stream: ResponseSink | None = None) -> InvokeCall:
    """The call an Invoke (or InvokeWithResponseStream) request makes; a body over the limit raises."""
    if request.truncated:
        raise RequestEntityTooLarge(
            f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation"
        )
    headers = request.headers
    qualifier = parse_qs(request.query).get("Qualifier", [None])[0] if request.query else None  # "" means none
    return InvokeCall(
        function_name=function_name,
        qualifier=qualifier,
        invocation_type=headers.get("x-amz-invocation-type", "RequestResponse"),
        log_type=headers.get("x-amz-log-type", "None"),
        client_context=headers.get("x-amz-client-context"),
        payload=request.body,
        trace_header=headers.get("x-amzn-trace-id"),
        stream=stream,
    )


class InvokeEndpoint:
    def __init__(self, service: InvokeService) -> None:
        self.service = service

    def handle(self, exchange: Exchange, function_name: str) -> None:
        request_id = new_request_id()
        try:
            call = read_call(exchange.request, function_name)
            started = self.service.start(call, request_id)
        except Exception as error:  # every failure answers in AWS's shape
            self._fail(exchange, error, request_id)
            return
        started.add_done_callback(lambda done: self._answer(exchange, call, request_id, done))

    def _fail(self, exchange: Exchange, error: BaseException, request_id: str) -> None:
        if not isinstance(error, LambdaApiError):
            log.error("invoke failed", exc_info=error)
            error = ServiceError("An internal error occurred.")
        exchange.respond(*render(error, request_id))

    def _answer(self, exchange: Exchange, call: InvokeCall, request_id: str, done: asyncio.Future) -> None:
        if done.cancelled():
            self._fail(exchange, ServiceError("The invocation was cancelled."), request_id)
            return
        if done.exception() is not None:
            self._fail(exchange, done.exception(), request_id)
            return
        result = done.result()
        if result is None:
            status = 204 if call.invocation_type == "DryRun" else 202
            exchange.respond(status, [("X-Amzn-RequestId", request_id), ("Content-Type", "application/json")])
            return
        answer = [
            ("Content-Type", "application/json"),
            ("X-Amzn-RequestId", request_id),
            ("X-Amz-Executed-Version", result.executed_version),
        ]
        if result.function_error:
            answer.append(("X-Amz-Function-Error", result.function_error))
        if result.log_tail is not None:
            answer.append(("X-Amz-Log-Result", base64.b64encode(result.log_tail).decode()))
        exchange.respond(200, answer, result.payload)
