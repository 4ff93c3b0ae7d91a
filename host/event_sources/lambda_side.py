"""The narrow interface between event source mappings and the Lambda side of the host.

Mappings need three things from Lambda: which function a ``FunctionName`` names (with its
timeout and role), and a synchronous invocation of it. ``HostLambda`` provides them over
the host's function and invoke services; tests may provide their own. ``invoke`` may be
called from any thread: the invocation itself starts on the event loop, as every invoke
does, and the returned future resolves there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass
from typing import Protocol

from host.core.errors import LambdaApiError, ResourceNotFound, TooManyRequests
from host.core.model import LATEST


@dataclass(frozen=True)
class FunctionFacts:
    name: str
    qualifier: str | None  # as the caller gave it (an alias is invoked as the alias)
    arn: str  # as the caller named it: qualified only if they qualified it
    timeout: int
    role: str
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class InvokeOutcome:
    request_id: str
    payload: bytes = b""
    function_error: str | None = None
    executed_version: str = LATEST
    throttled: bool = False  # 429: try again later, costs no attempt
    missing: bool = False  # the function (version, alias) is gone
    error: str | None = None  # the invocation could not be made at all (not the function's fault)


class LambdaSide(Protocol):
    def resolve(self, function_name: str) -> FunctionFacts | None: ...

    def invoke(self, name: str, qualifier: str | None, payload: bytes) -> concurrent.futures.Future[InvokeOutcome]: ...


class HostLambda:
    """``LambdaSide`` over the host's services."""

    def __init__(self, loop: asyncio.AbstractEventLoop, functions, versions, invoke_service) -> None:
        self.loop = loop
        self.functions = functions
        self.versions = versions
        self.invoke_service = invoke_service

    def resolve(self, function_name: str) -> FunctionFacts | None:
        from host.core.names import parse_function_name

        ref = parse_function_name(
            function_name, None, region=self.functions.region, account=self.functions.account
        )  # raises AWS's ValidationException for a malformed name
        function = self.versions.lookup(ref)
        if function is None:
            return None
        latest = self.functions.store.get(ref.name)
        return FunctionFacts(
            ref.name,
            ref.qualifier,
            self.functions.arn(ref.name, ref.qualifier),
            function.timeout,
            function.role,
            latest.reserved_concurrency if latest is not None else None,
        )

    def invoke(self, name: str, qualifier: str | None, payload: bytes) -> concurrent.futures.Future[InvokeOutcome]:
        result: concurrent.futures.Future[InvokeOutcome] = concurrent.futures.Future()
        self.loop.call_soon_threadsafe(self._start, name, qualifier, payload, result)
        return result

    def _start(self, name, qualifier, payload, result: concurrent.futures.Future) -> None:
        from host.service.invoke import InvokeCall, new_request_id

        request_id = new_request_id()
        try:
            started = self.invoke_service.start(InvokeCall(name, qualifier, payload=payload), request_id)
        except Exception as exc:
            result.set_result(_refused(request_id, exc))
            return

        def done(future: asyncio.Future) -> None:
            if future.cancelled():
                result.set_result(InvokeOutcome(request_id, error="the invocation was cancelled"))
            elif future.exception() is not None:
                result.set_result(_refused(request_id, future.exception()))
            else:
                answer = future.result()
                result.set_result(
                    InvokeOutcome(request_id, answer.payload, answer.function_error, answer.executed_version)
                )

        started.add_done_callback(done)


def _refused(request_id: str, exc: BaseException) -> InvokeOutcome:
    if isinstance(exc, TooManyRequests):
        return InvokeOutcome(request_id, throttled=True, error=exc.message)
    if isinstance(exc, ResourceNotFound):
        return InvokeOutcome(request_id, missing=True, error=exc.message)
    if isinstance(exc, LambdaApiError):
        return InvokeOutcome(request_id, error=f"{exc.code}: {exc.message}")
    return InvokeOutcome(request_id, error=f"{type(exc).__name__}: {exc}")
