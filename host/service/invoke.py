"""Invoke: checking the call, then running it now (RequestResponse), later (Event) or not (DryRun).

Runs on the event loop; the only blocking step is the SQLite commit that makes an
Event invocation durable before it is acknowledged.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import time
from dataclasses import dataclass

from host.core.errors import (
    InvalidRequestContent,
    RequestEntityTooLarge,
    ResourceConflict,
    TooManyRequests,
    ValidationError,
    function_not_found,
    validation_message,
)
from host.core.invocation import InvokeRequest, InvokeResult, ResponseSink
from host.core.metrics import NO_METRICS, MetricsRecorder
from host.core.model import LATEST, FunctionConfig
from host.core.payloads import payload_error
from host.core.validation import problem
from host.environments.scheduler import Scheduler
from host.service.async_events import AsyncDispatcher
from host.service.concurrency import ConcurrencyGate
from host.service.functions import FunctionService
from host.service.versions import VersionService

MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 1024 * 1024
INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
STREAMING_INVOCATION_TYPES = ("RequestResponse", "DryRun")  # InvokeWithResponseStream's enum
LOG_TYPES = ("None", "Tail")
# How long Invoke waits for a Pending function (its runtime image being built) before answering
# 409 as AWS does: well under SDKs' 60 s read timeout, which would otherwise retry the call.
PENDING_WAIT = 30.0


@dataclass(frozen=True)
class InvokeCall:
    """An Invoke request as it arrived, before any check."""

    function_name: str
    qualifier: str | None = None
    invocation_type: str = "RequestResponse"
    log_type: str = "None"
    client_context: str | None = None  # base64, as sent
    payload: bytes = b""
    trace_header: str | None = None
    stream: ResponseSink | None = None  # InvokeWithResponseStream: where the response goes as it is written


def new_request_id() -> str:
    """A random (version 4) UUID, as Lambda's request ids are; ``uuid.uuid4`` without its overhead."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_trace_id() -> str:
    random = os.urandom(20).hex()
    return f"Root=1-{int(time.time()):08x}-{random[:24]};Parent={random[24:]};Sampled=0"


class InvokeService:
    def __init__(
        self,
        functions: FunctionService,
        versions: VersionService,
        scheduler: Scheduler,
        dispatcher: AsyncDispatcher,
        gate: ConcurrencyGate,
        metrics: MetricsRecorder = NO_METRICS,
    ) -> None:
        self.metrics = metrics  # told of throttles (the scheduler tells it of invocations)
        self.functions = functions
        self.versions = versions
        self.gate = gate
        self.scheduler = scheduler
        self.dispatcher = dispatcher

    def _resolve(self, call: InvokeCall) -> tuple[FunctionConfig, str]:
        """The configuration to run (an alias draws its version here) and the ARN as the caller invoked it."""
        ref = self.functions.ref(call.function_name, call.qualifier)
        function = self.versions.lookup(ref, route=True)
        if function is None:
            raise function_not_found(self.functions.arn(ref.name, ref.qualifier or LATEST))
        return function, self.functions.arn(ref.name, ref.qualifier)

    def _check(self, call: InvokeCall) -> None:
        problems = []
        allowed = INVOCATION_TYPES if call.stream is None else STREAMING_INVOCATION_TYPES
        if call.invocation_type not in allowed:
            problems.append(
                problem(
                    call.invocation_type,
                    "invocationType",
                    f"Member must satisfy enum value set: [{', '.join(allowed)}]",
                )
            )
        if call.log_type not in LOG_TYPES:
            problems.append(problem(call.log_type, "logType", "Member must satisfy enum value set: [None, Tail]"))
        if problems:
            raise ValidationError(validation_message(problems))

    async def _active(self, function: FunctionConfig) -> FunctionConfig:
        """The function once it is Active; a short wait while its image is built."""
        deadline = time.monotonic() + PENDING_WAIT
        while function.state == "Pending" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            function = self.functions.store.version(function.name, function.version) or function
        if function.state != "Active":
            raise ResourceConflict(
                "The operation cannot be performed at this time. The function is currently in the following "
                f"state: {function.state}"
            )
        return function

    def start(self, call: InvokeCall, request_id: str) -> asyncio.Future[InvokeResult | None]:
        """Check the call and start it; the future holds the result (None for Event and DryRun).

        Bad calls raise at once. An Active function's invocation costs no coroutine: the
        future is the scheduler's own.
        """
        self._check(call)
        function, invoked_arn = self._resolve(call)
        payload = self._payload(call)
        try:
            counted = call.invocation_type == "RequestResponse" and self.gate.enter(function.name, function.version)
        except TooManyRequests:
            self.metrics.throttled(function.name, self._qualifier(call) or None)
            raise
        if function.state != "Active":
            started = asyncio.ensure_future(self._once_active(function, call, request_id, invoked_arn, payload))
        else:
            started = self._run(function, call, request_id, invoked_arn, payload)
        if counted:
            name = function.name
            started.add_done_callback(lambda _: self.gate.leave(name))
        return started

    def _qualifier(self, call: InvokeCall) -> str:
        """The qualifier an Event invocation runs later ("" for none); an alias is routed when it runs."""
        return self.functions.ref(call.function_name, call.qualifier).qualifier or ""

    def _payload(self, call: InvokeCall) -> bytes:
        payload = call.payload
        if call.invocation_type == "Event" and len(payload) > MAX_ASYNC_PAYLOAD:
            raise RequestEntityTooLarge(
                f"{len(payload)} byte payload is too large for the Event invocation type "
                f"(limit {MAX_ASYNC_PAYLOAD} bytes)"
            )
        if len(payload) > MAX_SYNC_PAYLOAD:
            raise RequestEntityTooLarge(
                f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation"
            )
        error = payload_error(payload)
        if error is not None:
            raise InvalidRequestContent(error)
        return payload if payload.strip() else b"{}"

    async def _once_active(self, function, call, request_id, invoked_arn, payload) -> InvokeResult | None:
        function = await self._active(function)
        return await self._run(function, call, request_id, invoked_arn, payload)

    def _run(self, function, call, request_id, invoked_arn, payload) -> asyncio.Future[InvokeResult | None]:
        if call.invocation_type == "Event":  # answered 202 once the event is committed
            return self.dispatcher.accept(request_id, function.name, self._qualifier(call), payload)
        if call.invocation_type == "DryRun":
            done = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        request = InvokeRequest(
            function=function,
            payload=payload,
            request_id=request_id,
            invoked_arn=invoked_arn,
            trace_id=call.trace_header or new_trace_id(),
            client_context=_client_context(call.client_context),
            log_tail=call.log_type == "Tail",
            stream=call.stream,
        )
        return self.scheduler.invoke(request)


def _client_context(value: str | None) -> str | None:
    if not value:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
        json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestContent("Client context must be a valid Base64-encoded JSON object.") from exc
    return text
