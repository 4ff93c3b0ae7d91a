"""Lambda as a Task: a plain function ARN, ``arn:aws:states:::lambda:invoke`` and its
``.waitForTaskToken`` form, all through ``ports.Functions``.

1. Plain ARN: the payload is the state's effective input; the output is the function's
   result, parsed; a function error becomes the error named by its ``errorType``
   (``Lambda.Unknown`` without one) with the raw error payload as cause.
2. ``lambda:invoke``: ``Payload`` is sent as JSON (a string that is itself JSON text goes
   as is; none goes as ``{}``); the output is the Invoke response with ``Payload`` parsed
   and ``SdkHttpMetadata``/``SdkResponseMetadata`` built from the headers the Lambda API
   sent; a function error's cause is the error payload re-serialised compactly.
3. An API refusal is ``Lambda.<Code>`` with AWS's SDK-style cause
   ``<message> (Service: AWSLambda; Status Code: 404; Error Code: ...; Request ID: ...; Proxy: null)``.
4. ``.waitForTaskToken``: the invoke response is the ``TaskSubmitted`` output; the
   task then waits for ``SendTask*``.
"""

from __future__ import annotations

import asyncio
import json
from email.utils import formatdate
from typing import Any

from host.stepfunctions.core.history import text
from host.stepfunctions.integrations.base import LAMBDA_FUNCTION, Reply, TaskCall
from host.stepfunctions.ports import Functions, LambdaAnswer, LambdaCall, LambdaFailure

ALLOWED = ("FunctionName", "Payload", "InvocationType", "Qualifier", "ClientContext", "LogType")


def _function_parts(name: str) -> tuple[str, str | None]:
    """(name or ARN without a qualifier, the qualifier) of a FunctionName."""
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) >= 8:
            return ":".join(parts[:7]), parts[7]
        return name, None
    if ":" in name:
        pieces = name.split(":")
        if len(pieces) == 2:
            return pieces[0], pieces[1]
        if len(pieces) == 3 and pieces[1] == "function":  # account:function:name
            return name, None
    return name, None


def encode_payload(value: Any) -> bytes:
    if value is None:
        return b"{}"
    if isinstance(value, str):
        try:
            json.loads(value)
            return value.encode()
        except ValueError:
            return json.dumps(value).encode()
    return json.dumps(value, separators=(",", ":")).encode()


def parse_payload(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def sdk_metadata(answer: LambdaAnswer, trace: str) -> dict:
    """``SdkHttpMetadata`` as AWS's Java SDK reports the Lambda API's response."""
    headers: list[tuple[str, str]] = []
    if answer.log_result is not None:
        headers.append(("X-Amz-Log-Result", answer.log_result))
    if answer.function_error is not None:
        headers.append(("X-Amz-Function-Error", answer.function_error))
    if answer.executed_version is not None:
        headers.append(("X-Amz-Executed-Version", answer.executed_version))
    headers += [
        ("x-amzn-Remapped-Content-Length", "0"),
        ("Connection", "keep-alive"),
        ("x-amzn-RequestId", answer.request_id),
        ("Content-Length", str(len(answer.payload))),
        ("Date", formatdate(usegmt=True)),
        ("X-Amzn-Trace-Id", trace),
        ("Content-Type", "application/json"),
    ]
    return {
        "AllHttpHeaders": {name: [value] for name, value in headers},
        "HttpHeaders": dict(sorted(headers, key=lambda item: item[0].lower())),
        "HttpStatusCode": answer.status_code,
    }


def function_error(raw: bytes, compact: bool) -> tuple[str, str]:
    """The States error and cause of a function error payload."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    error = value.get("errorType") if isinstance(value, dict) else None
    if compact and value is not None:  # noqa: SIM108
        cause = text(value)
    else:
        cause = raw.decode("utf-8", "replace")
    return error or "Lambda.Unknown", cause


def api_failure(failure: LambdaFailure) -> tuple[str, str]:
    cause = (
        f"{failure.message} (Service: AWSLambda; Status Code: {failure.status}; Error Code: {failure.code}; "
        f"Request ID: {failure.request_id}; Proxy: null)"
    )
    return f"Lambda.{failure.code}", cause


class LambdaTask:
    def __init__(self, functions: Functions, new_trace) -> None:
        self.functions = functions
        self.new_trace = new_trace

    def start(self, call: TaskCall, reply: Reply) -> None:
        target = call.target
        if target.family == LAMBDA_FUNCTION:
            name, qualifier = _function_parts(target.arn)
            invocation = LambdaCall(name, json.dumps(call.parameters, separators=(",", ":")).encode(), qualifier)
        else:
            parameters = call.parameters if isinstance(call.parameters, dict) else {}
            name, qualifier = _function_parts(str(parameters.get("FunctionName", "")))
            client_context = parameters.get("ClientContext")
            invocation = LambdaCall(
                name,
                encode_payload(parameters.get("Payload")),
                parameters.get("Qualifier") or qualifier,
                parameters.get("InvocationType") or "RequestResponse",
                parameters.get("LogType"),
                client_context if isinstance(client_context, str) else None,
            )
        loop = asyncio.get_running_loop()
        loop.call_soon(reply.started)
        future = self.functions.invoke(invocation)
        future.add_done_callback(lambda done: self._answered(call, reply, invocation, done))

    def _answered(self, call: TaskCall, reply: Reply, invocation: LambdaCall, done: asyncio.Future) -> None:
        if not reply.current:
            return
        reply.started()
        plain = call.target.family == LAMBDA_FUNCTION
        error = done.exception()
        if error is not None:
            if isinstance(error, LambdaFailure):
                reply.failed(*api_failure(error))
            else:
                reply.failed("Lambda.ServiceException", str(error))
            return
        answer: LambdaAnswer = done.result()
        if answer.function_error is not None:
            reply.failed(*function_error(answer.payload, compact=not plain))
            return
        if plain:
            reply.succeeded(parse_payload(answer.payload))
            return
        output: dict[str, Any] = {"ExecutedVersion": answer.executed_version or "$LATEST"}
        if answer.log_result is not None:
            output["LogResult"] = answer.log_result
        output["Payload"] = parse_payload(answer.payload) if answer.payload else ""
        if invocation.invocation_type != "RequestResponse":
            output.pop("ExecutedVersion")
            output["Payload"] = ""
        output["SdkHttpMetadata"] = sdk_metadata(answer, self.new_trace())
        output["SdkResponseMetadata"] = {"RequestId": answer.request_id}
        output["StatusCode"] = answer.status_code
        if call.target.pattern == "waitForTaskToken":
            reply.submitted(output)
            return
        reply.succeeded(output)
