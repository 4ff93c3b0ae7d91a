"""A fake backend for unit tests: "containers" are threads that speak the agent protocol.

Each fake container dials the host like the real agent and, on ``spawn``, runs a
scripted runtime that speaks the real Runtime API over HTTP. What the runtime does is
chosen by the function's handler, so scheduler and environment behaviour (warm reuse,
timeouts, crashes, init errors, resets) can be tested in milliseconds without Docker:

==================  ===============================================================
``echo``            answers with the event
``count``           answers with how many invocations this runtime has served
``sleep``           sleeps ``event["seconds"]`` (woken at once by a kill), then answers
``raise``           posts an error body for the invocation
``exit``            the runtime "exits" with status ``event["status"]`` mid-invocation
``init-error``      posts to /runtime/init/error and exits with status 1
``never-ready``     never asks for work (init hangs)
==================  ===============================================================

``kill_container`` simulates a container dying from outside.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import struct
import threading
from dataclasses import dataclass, field

from host.environments.agent_protocol import decode, encode
from host.environments.backend import ContainerHandle, ContainerSpec

_ids = itertools.count(1)


def _dial(address: str) -> socket.socket:
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.settimeout(None)
    return sock


def _read_frame(sock: socket.socket) -> list[str]:
    def exact(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    (length,) = struct.unpack("!I", exact(4))
    return decode(exact(length) if length else b"")


class _Runtime(threading.Thread):
    """A scripted runtime process: the Runtime API over HTTP, one invocation at a time."""

    def __init__(self, container: FakeContainer, env: dict[str, str], pid: int) -> None:
        super().__init__(daemon=True)
        self.container = container
        self.env = env
        self.pid = pid
        self.killed = threading.Event()
        self.served = 0

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        host, port = self.env["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
        sock = socket.create_connection((host, int(port)))
        try:
            lines = [f"{method} /2018-06-01/runtime/{path} HTTP/1.1", "Host: fake", f"Content-Length: {len(body)}"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk or self.killed.is_set():
                    raise EOFError
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            parsed = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                parsed[name.strip().lower().decode()] = value.strip().decode()
            length = int(parsed.get("content-length", 0))
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    raise EOFError
                rest += chunk
            return int(head.split(b" ")[1]), parsed, rest
        finally:
            sock.close()

    def log(self, text: str) -> None:
        self.container.log.sendall(text.encode())

    def run(self) -> None:
        handler = self.env.get("_HANDLER", "echo")
        status = 0
        try:
            if handler == "init-error":
                body = json.dumps({"errorMessage": "bad init", "errorType": "Runtime.ImportModuleError"}).encode()
                self.request(
                    "POST", "init/error", body, {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"}
                )
                status = 1 << 8
                return
            if handler == "never-ready":
                self.killed.wait()
                return
            while not self.killed.is_set():
                status_code, headers, body = self.request("GET", "invocation/next")
                if status_code != 200:  # the host is resetting or removing this environment
                    raise EOFError
                request_id = headers["lambda-runtime-aws-request-id"]
                event = json.loads(body or b"{}")
                self.served += 1
                self.log(f"handling {request_id}\n")
                if handler == "sleep" and self.killed.wait(event.get("seconds", 60)):
                    return
                if handler == "exit":
                    status = event.get("status", 0) << 8
                    return
                if handler == "raise":
                    error = json.dumps({"errorMessage": "boom", "errorType": "Exception", "stackTrace": []})
                    self.request("POST", f"invocation/{request_id}/error", error.encode())
                    continue
                answer = self.served if handler == "count" else event
                self.request("POST", f"invocation/{request_id}/response", json.dumps(answer).encode())
        except (EOFError, OSError):
            status = 9  # killed (SIGKILL)
        finally:
            if self.killed.is_set():
                status = 9
            self.container.exited(self, status)


@dataclass
class FakeContainer:
    spec: ContainerSpec
    id: str
    control: socket.socket
    log: socket.socket
    runtime: _Runtime | None = None
    pids: itertools.count = field(default_factory=lambda: itertools.count(100))
    lock: threading.Lock = field(default_factory=threading.Lock)
    memory_mb: int = 0
    alive: bool = True
    verbs: list[str] = field(default_factory=list)  # prestart, spawn and resume, as the host sent them

    def send(self, *fields: object) -> None:
        with self.lock:
            self.control.sendall(encode(*fields))

    def serve(self) -> None:
        self.send("ready", 0)
        try:
            while True:
                frame = _read_frame(self.control)
                verb = frame[0]
                if verb == "prestart":  # the runtime it would start ahead is the one a resume starts
                    self.verbs.append(verb)
                    self.send("prestarted", next(self.pids))
                elif verb in ("spawn", "resume"):
                    self.verbs.append(verb)
                    argc = int(frame[2])
                    env = dict(item.split("=", 1) for item in frame[3 + argc :])
                    self.kill_runtime()
                    self.runtime = _Runtime(self, env, next(self.pids))
                    self.send("spawned", self.runtime.pid)
                    self.runtime.start()
                elif verb == "kill":
                    self.kill_runtime()
                    self.send("killed")
                elif verb == "peak":
                    self.send("peak", 42 * 1024 * 1024)
        except (EOFError, OSError):
            self.kill_runtime()

    def kill_runtime(self) -> None:
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            runtime.killed.set()
            runtime.join(5)

    def exited(self, runtime: _Runtime, status: int) -> None:
        if self.alive:
            with contextlib.suppress(OSError):
                self.send("exited", runtime.pid, status, 0)

    def stop(self) -> None:
        self.alive = False
        self.kill_runtime()
        for sock in (self.control, self.log):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class FakeBackend:
    def __init__(self) -> None:
        self.containers: dict[str, FakeContainer] = {}
        self.removed: list[str] = []

    def create(self, spec: ContainerSpec) -> ContainerHandle:
        control = _dial(spec.agent_address)
        control.sendall(encode("control", spec.agent_token))
        log = _dial(spec.agent_address)
        log.sendall(encode("log", spec.agent_token))
        container = FakeContainer(spec, f"fake-{next(_ids)}", control, log, memory_mb=spec.memory_mb)
        self.containers[container.id] = container
        threading.Thread(target=container.serve, daemon=True).start()
        return ContainerHandle(container.id, spec.name)

    def set_memory(self, handle: ContainerHandle, memory_mb: int) -> None:
        self.containers[handle.id].memory_mb = memory_mb

    def destroy(self, handle: ContainerHandle) -> None:
        container = self.containers.pop(handle.id, None)
        if container is not None:
            container.stop()
            self.removed.append(handle.id)

    def remove_labelled(self, labels: dict[str, str]) -> int:
        matching = [c for c in self.containers.values() if all(c.spec.labels.get(k) == v for k, v in labels.items())]
        for container in matching:
            self.destroy(ContainerHandle(container.id, container.spec.name))
        return len(matching)

    def kill_container(self, container_id: str) -> None:
        """The container dies from outside (its agent's connections drop)."""
        container = self.containers.get(container_id)
        if container is not None:
            container.stop()
