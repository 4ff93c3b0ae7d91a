"""Step-through debugging with real debugger clients: a DAP client attached to debugpy for Python,
a Chrome DevTools Protocol client attached to the Node.js inspector, each stopping an invocation
at a breakpoint in the handler and continuing it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import websocket

from host.environments.docker_backend import DockerBackend
from host.testing.plugin import DEFAULT_ROLE, client_for, make_zip
from tests.integration.served import ROOT, ServedHost, owner_label

PYTHON_HANDLER = """import json


def handler(event, context):
    total = event["a"] + event["b"]
    return {"total": total, "remaining_ms": context.get_remaining_time_in_millis()}
"""
PYTHON_LINE = 5  # total = ...
NODE_HANDLER = """export const handler = async (event) => {
  const total = event.a + event.b;
  return { total };
};
"""
NODE_LINE = 2  # const total = ... (1-based)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Invoke(threading.Thread):
    """An invocation in the background: the debugger holds it while the test drives the debugger."""

    def __init__(self, client, name: str, event: dict) -> None:
        super().__init__(daemon=True)
        self.client, self.name, self.event = client, name, event
        self.response: dict | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            response = self.client.invoke(FunctionName=self.name, Payload=json.dumps(self.event).encode())
            response["Body"] = json.loads(response["Payload"].read())
            self.response = response
        except BaseException as exc:
            self.error = exc

    def result(self, timeout: float) -> dict:
        self.join(timeout)
        assert not self.is_alive(), f"the invocation did not return within {timeout} s"
        assert self.error is None, self.error
        assert "FunctionError" not in self.response, self.response["Body"]
        return self.response["Body"]


class DapClient:
    """A debug adapter protocol client over a socket: what VS Code speaks to debugpy."""

    def __init__(self, port: int, deadline: float) -> None:
        self.port = port
        self.seq = 0
        self.messages: list[dict] = []
        self.buffer = b""
        self.sock = self._connect(deadline)

    def _connect(self, deadline: float) -> socket.socket:
        # Docker accepts on the published port before debugpy listens inside, then drops the connection:
        # a connection counts once debugpy answers `initialize`.
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                self.buffer, self.messages = b"", []
                self.request("initialize", clientID="lambda-host-test", adapterID="debugpy", pathFormat="path",
                             linesStartAt1=True, columnsStartAt1=True)  # fmt: skip
                self.wait(lambda m: m.get("type") == "response" and m["command"] == "initialize", 10)
                return self.sock
            except (OSError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def request(self, command: str, **arguments) -> int:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.seq

    def _read(self, timeout: float) -> dict:
        self.sock.settimeout(timeout)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        header, rest = self.buffer.split(b"\r\n\r\n", 1)
        length = int(next(line.split(b":")[1] for line in header.split(b"\r\n") if line.startswith(b"Content-Length")))
        while len(rest) < length:
            self.buffer = rest
            self._fill()
            rest = self.buffer
        self.buffer = rest[length:]
        return json.loads(rest[:length])

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("debugpy closed the connection")
        self.buffer += chunk

    def wait(self, predicate, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        for message in self.messages:
            if predicate(message):
                self.messages.remove(message)
                return message
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching DAP message within {timeout} s; saw {self.messages[-5:]}")
            message = self._read(remaining)
            if predicate(message):
                return message
            self.messages.append(message)

    def response(self, seq: int, timeout: float = 30) -> dict:
        message = self.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == seq, timeout)
        assert message["success"], message
        return message

    def event(self, name: str, timeout: float = 60) -> dict:
        return self.wait(lambda m: m.get("type") == "event" and m.get("event") == name, timeout)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.request("disconnect", terminateDebuggee=False)
        self.sock.close()


def deploy(host, name: str, files: dict, runtime: str, handler: str, timeout: int) -> None:
    client = client_for(host)
    client.create_function(
        FunctionName=name, Runtime=runtime, Role=DEFAULT_ROLE, Handler=handler, Timeout=timeout,
        Code={"ZipFile": make_zip(files)},
    )  # fmt: skip
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})


def attach_and_break(port: int, local: Path, line: int) -> tuple[DapClient, dict, int]:
    """Attach as VS Code does (pathMappings to /var/task), break on ``line``; the top frame and its thread."""
    dap = DapClient(port, time.monotonic() + 90)
    attach = dap.request("attach", justMyCode=True, pathMappings=[{"localRoot": str(local), "remoteRoot": "/var/task"}])
    dap.event("initialized")
    source = {"path": str(local / "app.py")}
    dap.response(dap.request("setBreakpoints", source=source, breakpoints=[{"line": line}]))
    dap.response(dap.request("configurationDone"))
    dap.response(attach)
    stopped = dap.event("stopped", timeout=90)["body"]
    assert stopped["reason"] == "breakpoint", stopped
    thread = stopped["threadId"]
    frames = dap.response(dap.request("stackTrace", threadId=thread, startFrame=0, levels=1))["body"]["stackFrames"]
    return dap, frames[0], thread


@pytest.mark.parametrize("runtime", ["python3.11", "python3.13"])
def test_a_python_invocation_stops_at_a_breakpoint_in_the_handler_and_continues(lambda_host_factory, tmp_path, runtime):
    name, port = f"debugged-{runtime.replace('.', '')}", free_port()
    host = lambda_host_factory(debug={name: port})
    local = tmp_path / "src"
    local.mkdir()
    (local / "app.py").write_text(PYTHON_HANDLER)
    deploy(host, name, {"app.py": PYTHON_HANDLER}, runtime, "app.handler", timeout=30)

    invoke = Invoke(client_for(host), name, {"a": 2, "b": 3})
    invoke.start()
    dap, frame, thread = attach_and_break(port, local, PYTHON_LINE)
    try:
        assert frame["line"] == PYTHON_LINE and frame["name"] == "handler"
        assert frame["source"]["path"] == str(local / "app.py")  # mapped back to the local file
        assert invoke.is_alive()  # held at the breakpoint
        scopes = dap.response(dap.request("scopes", frameId=frame["id"]))["body"]["scopes"]
        local_vars = dap.response(dap.request("variables", variablesReference=scopes[0]["variablesReference"]))
        assert {"name": "event", "value": "{'a': 2, 'b': 3}"}.items() <= next(
            v for v in local_vars["body"]["variables"] if v["name"] == "event"
        ).items()
        dap.response(dap.request("continue", threadId=thread))
        assert invoke.result(60)["total"] == 5
    finally:
        dap.close()


def test_a_debugged_function_paused_past_its_timeout_still_returns(lambda_host_factory, tmp_path):
    name, port = "debugged-timeout", free_port()
    host = lambda_host_factory(debug={name: port})
    local = tmp_path / "src"
    local.mkdir()
    (local / "app.py").write_text(PYTHON_HANDLER)
    deploy(host, name, {"app.py": PYTHON_HANDLER}, "python3.11", "app.handler", timeout=1)

    invoke = Invoke(client_for(host), name, {"a": 40, "b": 2})
    invoke.start()
    dap, _frame, thread = attach_and_break(port, local, PYTHON_LINE)
    try:
        invoke.join(2.5)  # over twice the function's 1 s timeout, paused
        assert invoke.is_alive(), f"the invocation ended while paused: {invoke.response or invoke.error}"
        dap.response(dap.request("continue", threadId=thread))
        body = invoke.result(60)
        assert body["total"] == 42
        assert body["remaining_ms"] == 0  # the context's clock is nominal: it ran out while paused (clamped at 0)
    finally:
        dap.close()
    # One environment at a time: a second invocation is served by the same one, already attached.
    assert client_for(host).invoke(FunctionName=name, Payload=b'{"a": 1, "b": 1}')["StatusCode"] == 200
    assert len([env for env in host.scheduler.environments() if env.function.name == name]) == 1


def cdp_target(port: int, deadline: float) -> str:
    while True:
        try:
            targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
            if targets:
                return targets[0]["webSocketDebuggerUrl"]
        except (requests.RequestException, ValueError):
            pass
        assert time.monotonic() < deadline, "the Node.js inspector never answered"
        time.sleep(0.2)


@pytest.mark.parametrize("runtime", ["nodejs18.x", "nodejs20.x"])
def test_a_node_invocation_stops_at_a_breakpoint_in_the_handler_and_resumes(lambda_host_factory, runtime):
    name, port = f"debugged-{runtime.replace('.', '')}", free_port()
    host = lambda_host_factory(debug={name: port})
    deploy(host, name, {"index.mjs": NODE_HANDLER}, runtime, "index.handler", timeout=1)

    invoke = Invoke(client_for(host), name, {"a": 20, "b": 22})
    invoke.start()
    ws = websocket.create_connection(cdp_target(port, time.monotonic() + 90), timeout=60)
    seq = 0

    def send(method: str, **params) -> int:
        nonlocal seq
        seq += 1
        ws.send(json.dumps({"id": seq, "method": method, "params": params}))
        return seq

    try:
        send("Runtime.enable")
        send("Debugger.enable")
        breakpoint = send("Debugger.setBreakpointByUrl", lineNumber=NODE_LINE - 1, urlRegex=r"/var/task/index\.mjs$")
        send("Runtime.runIfWaitingForDebugger")
        hit, scripts = None, {}
        deadline = time.monotonic() + 90
        while hit is None and time.monotonic() < deadline:
            message = json.loads(ws.recv())
            if message.get("id") == breakpoint:
                assert "result" in message, message
            if message.get("method") == "Debugger.scriptParsed":
                scripts[message["params"]["scriptId"]] = message["params"]["url"]
            if message.get("method") == "Debugger.paused":
                if message["params"].get("hitBreakpoints"):
                    hit = message["params"]
                else:  # --inspect-brk's stop on the runtime's first line
                    send("Debugger.resume")
        assert hit is not None, "the breakpoint in the handler was never hit"
        top = hit["callFrames"][0]
        assert top["functionName"] == "handler" and top["location"]["lineNumber"] == NODE_LINE - 1
        assert scripts[top["location"]["scriptId"]] == "file:///var/task/index.mjs"
        invoke.join(2)  # past the 1 s timeout, paused
        assert invoke.is_alive()
        send("Debugger.resume")
        assert invoke.result(60) == {"total": 42}
    finally:
        ws.close()


def test_serve_debug_on_the_command_line_stops_a_python_invocation_at_a_breakpoint(tmp_path):
    name, port = "debugged-served", free_port()
    state = tmp_path / "state"
    log = tmp_path / "serve.log"
    served = ServedHost(state, "--debug", f"{name}={port}", log=log)
    try:
        served.start()
        local = tmp_path / "src"
        local.mkdir()
        (local / "app.py").write_text(PYTHON_HANDLER)
        client = served.client()
        client.create_function(
            FunctionName=name, Runtime="python3.11", Role=DEFAULT_ROLE, Handler="app.handler", Timeout=3,
            Code={"ZipFile": make_zip({"app.py": PYTHON_HANDLER})},
        )  # fmt: skip
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
        invoke = Invoke(client, name, {"a": 1, "b": 2})
        invoke.start()
        dap, frame, thread = attach_and_break(port, local, PYTHON_LINE)
        try:
            assert frame["line"] == PYTHON_LINE
            dap.response(dap.request("continue", threadId=thread))
            assert invoke.result(60)["total"] == 3
        finally:
            dap.close()
        assert f"debugging {name}: its environment waits for a debugger on 127.0.0.1:{port}" in log.read_text()
    finally:
        served.close()
        DockerBackend().remove_labelled({"lambda-host.owner": owner_label(state)})


PLUGIN_TEST = """
from tests.integration.test_debugging import PYTHON_HANDLER, PYTHON_LINE, Invoke, attach_and_break
from host.testing.plugin import client_for


def test_inner(lambda_host, create_function, tmp_path):
    assert lambda_host.config.debug == {"plugin-debugged": PORT}
    local = tmp_path / "src"
    local.mkdir()
    (local / "app.py").write_text(PYTHON_HANDLER)
    create_function({"app.py": PYTHON_HANDLER}, name="plugin-debugged", Timeout=3)
    invoke = Invoke(client_for(lambda_host), "plugin-debugged", {"a": 5, "b": 6})
    invoke.start()
    dap, frame, thread = attach_and_break(PORT, local, PYTHON_LINE)
    try:
        assert frame["line"] == PYTHON_LINE
        dap.response(dap.request("continue", threadId=thread))
        assert invoke.result(60)["total"] == 11
    finally:
        dap.close()
"""


def test_the_pytest_plugin_debugs_the_function_named_on_its_command_line(tmp_path):
    port = free_port()
    inner = tmp_path / "test_inner_debug.py"
    inner.write_text(PLUGIN_TEST.replace("PORT", str(port)))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(inner)]
    done = subprocess.run(
        [*command, "--lambda-host-debug", f"plugin-debugged={port}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


def test_a_debugged_custom_runtime_function_is_answered_with_the_reason(lambda_host_factory):
    name = "debugged-provided"
    host = lambda_host_factory(debug={name: free_port()})
    bootstrap = "#!/bin/sh\nexit 1\n"
    deploy(host, name, {"bootstrap": bootstrap}, "provided.al2023", "unused", timeout=3)
    response = client_for(host).invoke(FunctionName=name, Payload=b"{}")
    body = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Sandbox.Failure"
    assert (
        "step-through debugging is for Python and Node.js runtimes; this function runs a custom runtime"
        in (body["errorMessage"])
    )
