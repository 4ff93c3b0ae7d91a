"""``X-Amz-Target: AWSStepFunctions.<Operation>`` requests, served on the event loop.

Thin: read the operation and its JSON, check it against the model, call the service,
write the answer. Calls that wait (StartSyncExecution, GetActivityTask) answer later;
the others answer at once. Any Host header is accepted, so boto3's ``sync-`` host prefix
for StartSyncExecution and TestState reaches here when the name resolves.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Callable
from typing import Any

from host.aws.json_protocol import request_params
from host.http.server import Exchange
from host.stepfunctions.api import protocol
from host.stepfunctions.service.errors import InternalFailure, SfnError, UnknownOperation

log = logging.getLogger("lambda_host.stepfunctions")
PREFIX = "AWSStepFunctions."


class SerializationException(SfnError):
    code = "SerializationException"


class StepFunctionsEndpoint:
    def __init__(self, operations: dict[str, Callable[[dict], Any]]) -> None:
        self.operations = operations

    def handle(self, exchange: Exchange) -> None:
        request = exchange.request
        request_id = str(uuid.uuid4())
        operation = request.headers.get("x-amz-target", "")[len(PREFIX) :]
        try:
            handler = self.operations.get(operation)
            if handler is None:
                raise UnknownOperation(f"Unknown operation {operation}")
            params = request_params(request.body, SerializationException)
            protocol.check(operation, params)
            result = handler(params)
        except SfnError as error:
            exchange.respond(*protocol.failure(error, request_id))
            return
        except Exception:
            log.exception("%s failed", operation)
            exchange.respond(*protocol.failure(InternalFailure("An internal error occurred."), request_id))
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            task.add_done_callback(lambda done: self._later(exchange, operation, request_id, done))
            return
        exchange.respond(*protocol.answer(result, request_id))

    def _later(self, exchange: Exchange, operation: str, request_id: str, done: asyncio.Future) -> None:
        if exchange.answered:
            return
        if done.cancelled():
            exchange.respond(*protocol.failure(InternalFailure("The request was cancelled."), request_id))
            return
        error = done.exception()
        if isinstance(error, SfnError):
            exchange.respond(*protocol.failure(error, request_id))
        elif error is not None:
            log.error("%s failed", operation, exc_info=error)
            exchange.respond(*protocol.failure(InternalFailure("An internal error occurred."), request_id))
        else:
            exchange.respond(*protocol.answer(done.result(), request_id))
