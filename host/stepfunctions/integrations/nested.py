"""``arn:aws:states:::states:startExecution`` (and ``.sync``, ``.sync:2``, ``.waitForTaskToken``):
an execution that starts another one on this host.

1. Plain: the child starts; the output is StartExecution's answer with the SDK's metadata.
2. ``.sync``/``.sync:2``: that answer is the ``TaskSubmitted`` output; the task ends with
   the child, its output being DescribeExecution's in the SDK's casing (``Input``/``Output``
   as JSON text for ``.sync``, as JSON for ``.sync:2``); a child that fails, times out or is
   stopped fails the task with ``States.TaskFailed`` and that description as cause.
3. ``.waitForTaskToken``: the child gets its input (usually with the token); the task
   waits for ``SendTask*``.
4. After a restart a ``.sync`` task finds its child again by the ARN it submitted.
"""

from __future__ import annotations

import json
import time
import uuid
from email.utils import formatdate
from typing import Any

from host.stepfunctions.core.errors import TASK_FAILED
from host.stepfunctions.core.history import text
from host.stepfunctions.engine.runs import Run
from host.stepfunctions.integrations.base import Reply, TaskCall
from host.stepfunctions.service.errors import SfnError


def _millis(epoch: float | None) -> int | None:
    return None if epoch is None else int(epoch * 1000)


def sdk_metadata(body: dict, request_id: str) -> dict:
    length = str(len(json.dumps(body, separators=(",", ":"))))
    headers = [
        ("x-amzn-RequestId", request_id),
        ("connection", "keep-alive"),
        ("Content-Length", length),
        ("Date", formatdate(usegmt=True)),
        ("Content-Type", "application/x-amz-json-1.0"),
    ]
    return {
        "AllHttpHeaders": {name: [value] for name, value in headers},
        "HttpHeaders": dict(sorted(headers, key=lambda item: item[0].lower())),
        "HttpStatusCode": 200,
    }


def sdk_v1_failure(service_prefix: str, sdk_name: str, error: SfnError, request_id: str) -> tuple[str, str]:
    code = error.code
    name = code if code.endswith("Exception") else code + "Exception"
    cause = (
        f"{error.message} (Service: {sdk_name}; Status Code: {error.status}; Error Code: {code}; "
        f"Request ID: {request_id}; Proxy: null)"
    )
    return f"{service_prefix}.{name}", cause


class NestedExecutions:
    def __init__(self, executions) -> None:
        self.executions = executions
        self.watchers: dict[str, list] = {}
        executions.engine.on_end.append(self._ended)

    def start(self, call: TaskCall, reply: Reply) -> None:
        parameters = call.parameters if isinstance(call.parameters, dict) else {}
        pattern = call.target.pattern
        reply.started()
        if call.resumed and pattern in ("sync", "sync:2") and call.submitted is not None:
            self._watch(call.submitted.get("ExecutionArn"), pattern, reply)
            return
        machine_arn = str(parameters.get("StateMachineArn", ""))
        child_input = parameters.get("Input")
        if child_input is not None and not isinstance(child_input, str):
            child_input = text(child_input)
        request_id = str(uuid.uuid4())
        try:
            run = self.executions.start(machine_arn, parameters.get("Name"), child_input, parent_token=call.token)
        except SfnError as error:
            reply.failed(*sdk_v1_failure("StepFunctions", "AWSStepFunctions", error, request_id))
            return
        body = {"ExecutionArn": run.arn, "StartDate": _millis(run.start)}
        answer = {
            "ExecutionArn": run.arn,
            "SdkHttpMetadata": sdk_metadata(body, request_id),
            "SdkResponseMetadata": {"RequestId": request_id},
            "StartDate": _millis(run.start),
        }
        if pattern == "":
            reply.succeeded(answer)
            return
        reply.submitted(answer)
        if pattern in ("sync", "sync:2"):
            self._watch(run.arn, pattern, reply)

    def _watch(self, arn: str | None, pattern: str, reply: Reply) -> None:
        if arn is None:
            reply.failed(TASK_FAILED, "The child execution could not be found after a restart")
            return
        run = self.executions.engine.runs.get(arn)
        if run is not None and not run.finished:
            self.watchers.setdefault(arn, []).append((pattern, reply))
            return
        try:
            described = self.executions.describe(arn)
        except SfnError:
            reply.failed(TASK_FAILED, "The child execution could not be found after a restart")
            return
        self._answer(described, pattern, reply)

    def _ended(self, run: Run) -> None:
        waiting = self.watchers.pop(run.arn, None)
        if not waiting:
            return
        described = {
            "executionArn": run.arn,
            "input": run.input_text,
            "name": run.name,
            "startDate": run.start,
            "stateMachineArn": run.machine.arn,
            "status": run.status,
            "stopDate": run.stop,
            "output": run.output_text,
            "error": run.error,
            "cause": run.cause,
        }
        for pattern, reply in waiting:
            self._answer(described, pattern, reply)

    def _answer(self, described: dict, pattern: str, reply: Reply) -> None:
        if not reply.current:
            return
        structured = pattern == "sync:2"

        def data(value: str | None) -> Any:
            if value is None:
                return None
            return json.loads(value) if structured else value

        out: dict[str, Any] = {}
        if described.get("cause") is not None:
            out["Cause"] = described["cause"]
        if described.get("error") is not None:
            out["Error"] = described["error"]
        out["ExecutionArn"] = described["executionArn"]
        out["Input"] = data(described.get("input"))
        out["InputDetails"] = {"Included": True}
        out["Name"] = described["name"]
        if described.get("output") is not None:
            out["Output"] = data(described["output"])
            out["OutputDetails"] = {"Included": True}
        out["StartDate"] = _millis(described["startDate"])
        out["StateMachineArn"] = described["stateMachineArn"]
        out["Status"] = described["status"]
        out["StopDate"] = _millis(described.get("stopDate") or time.time())
        if described["status"] == "SUCCEEDED":
            reply.succeeded(out)
        else:
            reply.failed(TASK_FAILED, text(out))
