"""Step Functions served alone, for tests that need no containers: the real API, engine and
store on a loop of their own, with the Lambda side replaced by plain Python handlers.

``FakeFunctions`` answers invocations as the Lambda API would (a handler's result is the
payload; an exception becomes ``X-Amz-Function-Error: Unhandled`` with Lambda's error
payload; an unknown name is ``ResourceNotFoundException``), so everything above the
``Functions`` port runs as in the host.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from host.http.server import serve
from host.stepfunctions.app import StepFunctions
from host.stepfunctions.ports import LambdaAnswer, LambdaCall, LambdaFailure
from host.store.db import Database

REGION, ACCOUNT = "us-east-1", "123456789012"


class FunctionError(Exception):
    """Raised by a fake handler: the invocation fails with exactly this error payload."""

    def __init__(self, payload: dict) -> None:
        super().__init__(payload.get("errorMessage"))
        self.payload = payload


class Delayed:
    """A fake handler's result that takes ``seconds`` to come (a slow function)."""

    def __init__(self, seconds: float, value: Any = None) -> None:
        self.seconds = seconds
        self.value = value


class RawPayload:
    """A fake handler's response bytes, as they are (not JSON-encoded)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


class FakeFunctions:
    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[Any], Any]] = {}
        self.calls: list[LambdaCall] = []

    def add(self, name: str, handler: Callable[[Any], Any]) -> str:
        self.handlers[name] = handler
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"

    def invoke(self, call: LambdaCall) -> asyncio.Future[LambdaAnswer]:
        future = asyncio.get_running_loop().create_future()
        self.calls.append(call)
        name = call.function_name.split(":function:")[-1].split(":")[0]
        request_id = str(uuid.uuid4())
        handler = self.handlers.get(name)
        if handler is None:
            arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{call.qualifier or '$LATEST'}"
            future.set_exception(
                LambdaFailure("ResourceNotFoundException", f"Function not found: {arn}", 404, request_id)
            )
            return future
        try:
            result = handler(json.loads(call.payload) if call.payload else None)
        except FunctionError as exc:  # the order of keys the Python runtime writes
            body = {
                "errorMessage": exc.payload.get("errorMessage"),
                "errorType": exc.payload.get("errorType"),
                "requestId": request_id,
                "stackTrace": exc.payload.get("stackTrace", []),
            }
            future.set_result(LambdaAnswer(200, json.dumps(body).encode(), request_id, "$LATEST", "Unhandled"))
            return future
        except Exception as exc:  # the function's own failure
            body = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": request_id,
                "stackTrace": [],
            }
            future.set_result(LambdaAnswer(200, json.dumps(body).encode(), request_id, "$LATEST", "Unhandled"))
            return future
        if isinstance(result, Delayed):
            loop = asyncio.get_running_loop()
            loop.call_later(
                result.seconds,
                lambda: (
                    future.done()
                    or future.set_result(LambdaAnswer(200, json.dumps(result.value).encode(), request_id, "$LATEST"))
                ),
            )
            return future
        if isinstance(result, RawPayload):
            future.set_result(LambdaAnswer(200, result.payload, request_id, "$LATEST"))
            return future
        payload = b"" if call.invocation_type == "Event" else json.dumps(result).encode()
        status = 202 if call.invocation_type == "Event" else 200
        tail = None
        if call.log_type == "Tail":
            tail = base64.b64encode(f"START RequestId: {request_id}\nEND RequestId: {request_id}\n".encode()).decode()
        future.set_result(LambdaAnswer(status, payload, request_id, "$LATEST", log_result=tail))
        return future


class StepFunctionsServer:
    """``StepFunctionsServer(tmp_path).start()``; ``client()`` is a boto3 client for it."""

    def __init__(self, state_dir: Path, functions: Any = None, **options: Any) -> None:
        self.state_dir = state_dir
        self.functions = functions or FakeFunctions()
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.thread: threading.Thread | None = None
        self.sfn: StepFunctions | None = None
        self.port = 0

    def start(self) -> StepFunctionsServer:
        ready = threading.Event()

        async def boot() -> None:
            db = Database(self.state_dir / "lambda-host.db")
            self.sfn = StepFunctions(self.loop, db, REGION, ACCOUNT, self.functions, **self.options)
            server = await serve(self.sfn.endpoint.handle, "127.0.0.1", 0)
            self.server = server
            self.port = server.sockets[0].getsockname()[1]
            self.sfn.start()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(boot())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True, name="sfn-test-server")
        self.thread.start()
        ready.wait(30)
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False, read_timeout=120),
        )

    def call(self, function: Callable[[], Any]) -> Any:
        """Run ``function`` on the server's loop and return its result."""
        done = threading.Event()
        box: list = []

        def run() -> None:
            try:
                box.append((True, function()))
            except BaseException as exc:
                box.append((False, exc))
            done.set()

        self.loop.call_soon_threadsafe(run)
        done.wait(30)
        ok, value = box[0]
        if not ok:
            raise value
        return value

    def stop(self, flush: bool = True) -> None:
        """Stop serving; ``flush=False`` leaves unwritten work unwritten, as a kill -9 would."""
        if self.sfn is not None and flush:
            self.call(self.sfn.close)
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(10)
