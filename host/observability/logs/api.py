"""``X-Amz-Target: Logs_20140328.<Operation>`` requests (JSON 1.1), answered from worker threads.

Thin: read the operation and its JSON, check it against botocore's model of CloudWatch Logs
(required members, lengths, patterns, ranges, as AWS's front end does, answering
``InvalidParameterException``), call the service on a worker thread (it reads SQLite), write
the answer on the event loop. Errors are ``{"__type", "message"}`` with the error's status.
An operation this module does not serve (metric and subscription filters, tags, Insights
queries, ...) goes to ``fallback`` when there is one: the host's AWS endpoint, which answered
every Logs request before this room existed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from functools import lru_cache
from typing import Any

import botocore.session

from host.aws.json_protocol import request_params
from host.http.server import Exchange, Handler
from host.observability.logs.core.errors import (
    InternalFailure,
    InvalidParameter,
    LogsError,
    SerializationError,
    UnknownOperation,
)
from host.observability.logs.core.patterns import PatternError
from host.observability.logs.live_tail import LiveTail

log = logging.getLogger("lambda_host.logs")
PREFIX = "Logs_20140328."
CONTENT_TYPE = "application/x-amz-json-1.1"


@lru_cache(maxsize=1)
def model():
    return botocore.session.get_session().get_service_model("logs")


def _problems(name: str, member, value: Any) -> list[str]:
    meta, kind = member.metadata, member.type_name
    shown = f"Value '{value}' at '{name}' failed to satisfy constraint: Member must"
    out = []
    if kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{shown} have length less than or equal to {meta['max']}")
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{shown} have length greater than or equal to {meta['min']}")
        if "pattern" in meta and value and not re.fullmatch(meta["pattern"], value):
            out.append(f"{shown} satisfy regular expression pattern: {meta['pattern']}")
        if member.enum and value not in member.enum:
            out.append(f"{shown} satisfy enum value set: [{', '.join(member.enum)}]")
    elif kind in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            out.append(f"{shown} have value less than or equal to {meta['max']}")
        if "min" in meta and value < meta["min"]:
            out.append(f"{shown} have value greater than or equal to {meta['min']}")
    elif kind == "list" and isinstance(value, list):
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"{shown} have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"{shown} have length less than or equal to {meta['max']}")
    return out


def check(operation: str, params: dict) -> None:
    """AWS's InvalidParameterException for what the model forbids (top-level members)."""
    shape = model().operation_model(operation).input_shape
    if shape is None:
        return
    problems = [
        f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
        for name in shape.required_members
        if params.get(name) is None
    ]
    for name, member in shape.members.items():
        if params.get(name) is not None:
            problems.extend(_problems(name, member, params[name]))
    if problems:
        noun = "validation error" if len(problems) == 1 else "validation errors"
        raise InvalidParameter(f"{len(problems)} {noun} detected: " + "; ".join(problems))


def answer(status: int, body: dict, request_id: str, code: str | None = None) -> tuple[int, list, bytes]:
    headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
    if code:
        headers.append(("X-Amzn-ErrorType", code))
    return status, headers, json.dumps(body, separators=(",", ":")).encode()


def failure(error: LogsError, request_id: str) -> tuple[int, list, bytes]:
    return answer(error.status, {"__type": error.code, "message": error.message}, request_id, error.code)


class LogsEndpoint:
    def __init__(
        self,
        operations: dict[str, Callable[[dict], dict]],
        executor: Executor,
        live_tail: LiveTail | None = None,
        fallback: Handler | None = None,
    ) -> None:
        self.operations = dict(operations)
        self.executor = executor
        self.live_tail = live_tail
        self.fallback = fallback
        if live_tail is not None:
            self.operations["StartLiveTail"] = live_tail.prepare

    def handle(self, exchange: Exchange) -> None:
        request_id = str(uuid.uuid4())
        operation = exchange.request.headers.get("x-amz-target", "")[len(PREFIX) :]
        try:
            handler = self.operations.get(operation)
            if handler is None and self.fallback is not None:
                self.fallback(exchange)
                return
            if handler is None:
                raise UnknownOperation(f"Unknown operation {operation}")
            params = request_params(exchange.request.body, SerializationError)
            check(operation, params)
        except LogsError as error:
            exchange.respond(*failure(error, request_id))
            return
        done = asyncio.get_running_loop().run_in_executor(self.executor, handler, params)
        done.add_done_callback(lambda future: self._answer(exchange, operation, request_id, future))

    def _answer(self, exchange: Exchange, operation: str, request_id: str, future: asyncio.Future) -> None:
        if exchange.answered:
            return
        error = future.exception() if not future.cancelled() else InternalFailure("The request was cancelled.")
        if isinstance(error, PatternError):
            error = InvalidParameter("Invalid filter pattern.")
        if isinstance(error, LogsError):
            exchange.respond(*failure(error, request_id))
        elif error is not None:
            log.error("%s failed", operation, exc_info=error)
            exchange.respond(*failure(InternalFailure("An internal error occurred."), request_id))
        elif operation == "StartLiveTail" and self.live_tail is not None:
            self.live_tail.start(exchange, future.result(), request_id)  # the answer streams from here
        else:
            exchange.respond(*answer(200, future.result(), request_id))
