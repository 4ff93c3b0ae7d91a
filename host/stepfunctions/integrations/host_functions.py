"""``ports.Functions`` over the host's own Invoke path (``InvokeService``): qualifiers, aliases,
concurrency limits, errors and timeouts behave exactly as for any Invoke API caller."""

from __future__ import annotations

import asyncio
import base64

from host.api.errors import STATUS
from host.core.errors import LambdaApiError
from host.service.invoke import InvokeCall, InvokeService, new_request_id
from host.stepfunctions.ports import LambdaAnswer, LambdaCall, LambdaFailure


class HostFunctions:
    def __init__(self, service: InvokeService) -> None:
        self.service = service

    def invoke(self, call: LambdaCall) -> asyncio.Future[LambdaAnswer]:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[LambdaAnswer] = loop.create_future()
        request_id = new_request_id()
        invoke = InvokeCall(
            function_name=call.function_name,
            qualifier=call.qualifier,
            invocation_type=call.invocation_type,
            log_type=call.log_type or "None",
            client_context=call.client_context,
            payload=call.payload,
        )
        try:
            started = self.service.start(invoke, request_id)
        except LambdaApiError as error:
            answer.set_exception(_failure(error, request_id))
            return answer
        except Exception as error:  # an internal failure is Lambda's ServiceException to a caller
            answer.set_exception(LambdaFailure("ServiceException", str(error), 500, request_id))
            return answer

        def done(future: asyncio.Future) -> None:
            if answer.done():
                return
            if future.cancelled():
                answer.set_exception(
                    LambdaFailure("ServiceException", "The invocation was cancelled.", 500, request_id)
                )
                return
            error = future.exception()
            if error is not None:
                if isinstance(error, LambdaApiError):
                    answer.set_exception(_failure(error, request_id))
                else:
                    answer.set_exception(LambdaFailure("ServiceException", str(error), 500, request_id))
                return
            result = future.result()
            if result is None:
                status = 204 if call.invocation_type == "DryRun" else 202
                answer.set_result(LambdaAnswer(status, b"", request_id))
                return
            log_result = base64.b64encode(result.log_tail).decode() if result.log_tail is not None else None
            answer.set_result(
                LambdaAnswer(
                    200, result.payload, request_id, result.executed_version, result.function_error, log_result
                )
            )

        started.add_done_callback(done)
        return answer


def _failure(error: LambdaApiError, request_id: str) -> LambdaFailure:
    return LambdaFailure(error.code, error.message, STATUS.get(error.code, 500), request_id)
