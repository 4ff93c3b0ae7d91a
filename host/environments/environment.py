"""One execution environment: a container, its agent, its runtime and its own Runtime API.

An environment lives on the host's event loop and moves through the states of
``host.core.states``. It takes one invocation at a time from the scheduler and hands
it to the runtime when the runtime asks (``/next``); the runtime's answer, its death
(reported by the agent) or the deadline ends the invocation. Nothing here calls Docker
on an invocation's path: the container is created once, and resets go through the
agent.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import math
import os
import secrets
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from host.core import platform_errors, reports, response_stream
from host.core.failures import InitFailure, error_type_of, without_error_cause
from host.core.invocation import InvokeResult
from host.core.model import FunctionConfig
from host.core.names import runtime_version_arn
from host.core.prestart import may_resume
from host.core.states import EnvState, Lifecycle
from host.core.variables import Platform, log_stream_name
from host.debugging.launch import DebuggingUnavailable
from host.environments.agent_protocol import encode, read_frame, spawn_frame
from host.environments.backend import ContainerHandle, ContainerSpec, Mount
from host.environments.extensions_link import ExtensionsLink, find_extensions
from host.environments.invocation import Invocation
from host.environments.runtime_log import RuntimeLog
from host.environments.scratch import make_scratch
from host.environments.slots import link_tree, make_slots, remove_slots
from host.environments.spawning import (
    PRESTARTED_CLIENTS,
    NoEntrypoint,
    entrypoint,
    launch,
    prestart_variables,
    runtime_variables,
)
from host.extensions import telemetry
from host.extensions.registry import Registry
from host.http.server import BodyStream, serve
from host.runtime_api.server import NextWaiter, Outcome, RuntimeApi, streams_body

if TYPE_CHECKING:
    from host.debugging.launch import DebugLaunch
    from host.environments.scheduler import Scheduler
    from host.images.definitions import RuntimeDefinition

log = logging.getLogger("lambda_host.environment")

S = EnvState
UNHANDLED = "Unhandled"
ERROR_CAUSE_CONTENT_TYPE = "application/vnd.aws.lambda.error.cause+json"
DEFAULT_TMP_MB = 512  # EphemeralStorage's default: what stems are made with
# A user's image runs the host's agent, mounted in, on the image's own Python (every image built
# FROM the project's base images has one; ``RuntimeCatalog.agent_python`` finds it): the agent
# must speak this host's protocol, whatever version of it the image holds.
IMAGE_AGENT_PATH = "/var/lambda-host/agent.py"


class Environment:
    """Starts generic (a stem); ``specialize`` makes it one function's environment."""

    def __init__(self, scheduler: Scheduler, runtime: RuntimeDefinition, tmp_mb: int = DEFAULT_TMP_MB) -> None:
        self.scheduler = scheduler
        self.loop = scheduler.loop
        self.runtime = runtime
        self.tmp_mb = tmp_mb  # the size of /tmp, fixed when the container starts (EphemeralStorage)
        self.provisioned = False  # provisioned concurrency: initialised ahead, kept while configured
        self.function: FunctionConfig | None = None
        self.key: tuple | None = None
        self.opt_dir: str | None = None
        self.id = secrets.token_hex(6)
        self.token = secrets.token_hex(16)
        self.lifecycle = Lifecycle()
        self.slot = scheduler.settings.slots_dir / self.id
        self.slot_lock = threading.Lock()
        self.slot_released = False
        self.container: ContainerHandle | None = None
        self.memory_mb = scheduler.settings.stem_memory_mb
        self.server: asyncio.Server | None = None
        self.connections: set = set()  # the Runtime API connections of this environment's runtimes
        self.port = 0
        self.control: asyncio.StreamWriter | None = None
        self.log: RuntimeLog | None = None
        self.attached = self.loop.create_future()
        self.started = self.loop.create_future()  # resolves when the stem is up (or with why not)
        self.started.add_done_callback(lambda f: f.exception())  # never "exception was never retrieved"
        self.waiter: NextWaiter | None = None
        self.current: Invocation | None = None
        self.deadline_ms = 0
        self.runtime_pid = 0
        self.init_started = 0.0
        self.init_duration_ms: float | None = None
        self.init_timer: asyncio.TimerHandle | None = None
        self.init_failure: InitFailure | None = None
        self.oom_kills = -1
        self.last_used = time.monotonic()
        self.created = self.last_used
        self.invocations = 0  # invocations this environment took (the console shows it)
        self.served = False  # reached Idle at least once: an environment lost before that never worked
        self.removed: asyncio.Future | None = None
        self.log_stream = ""
        self.partial_line = b""
        self.peak_fd: int | None = None
        self.extension_paths: list[str] = []  # executables in /opt/extensions, found at specialize
        self.extensions: ExtensionsLink | None = None  # only when a layer brings extensions
        self.pending_report: tuple | None = None  # (Report, when the runtime answered) until extensions finish
        self.extensions_api = None  # what RuntimeApi serves for the Extensions/Telemetry/Logs paths
        self.debug: DebugLaunch | None = None  # started under a debugger (host.debugging): no stem, no deadlines
        self.prestarted_env: dict[str, str] | None = None  # the environment a prestarted runtime began with

    @property
    def state(self) -> EnvState:
        return self.lifecycle.state

    def __repr__(self) -> str:
        name = self.function.name if self.function else f"stem:{self.runtime.id}"
        return f"<Environment {self.id} {name} {self.state.value}>"

    # -- starting -------------------------------------------------------------------------

    async def start(self) -> None:
        """Create the container and wait for its agent (state Stem); ``started`` says how it went."""
        try:
            await self._start()
        except BaseException as exc:
            if not self.started.done():
                self.started.set_exception(exc)
            raise
        self.started.set_result(None)

    async def _start(self) -> None:
        settings, executor = self.scheduler.settings, self.scheduler.executor
        catalog = self.scheduler.catalog
        # Image and mounts may mean building or unpacking (minutes, once): never on the loop.
        image = await self.loop.run_in_executor(executor, catalog.image, self.runtime.id)
        shared = await self.loop.run_in_executor(executor, catalog.shared_mounts, self.runtime.id)
        task_slot, opt_slot, tmp_slot = await self.loop.run_in_executor(executor, self._make_slots)
        self._check_alive()
        self.server = await serve(
            RuntimeApi(self).handle,
            settings.bind_host,
            0,
            max_body=8 * 1024 * 1024,
            hold_for_pipelined=True,
            connections=self.connections,
            stream_body=streams_body,
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self._check_alive()
        self.scheduler.agents.expect(self.token, self)
        if self.runtime.image is not None:  # a user's image: its own /var/task and /opt; the agent mounted in
            mounts = (
                Mount(str(self.runtime.agent_path), IMAGE_AGENT_PATH),
                Mount(str(tmp_slot), "/tmp", read_only=False),
            )
        else:
            mounts = (
                *(Mount(source, target) for source, target in shared),
                Mount(str(task_slot), "/var/task"),
                Mount(str(opt_slot), "/opt"),
                Mount(str(tmp_slot), "/tmp", read_only=False),
            )
        spec = ContainerSpec(
            name=f"lambda-host-{self.runtime.id}-{self.id}",
            image=image,
            agent_address=f"{settings.container_host}:{self.scheduler.agent_port}",
            agent_token=self.token,
            memory_mb=self.memory_mb,
            mounts=mounts,
            labels={**settings.labels, "lambda-host.runtime": self.runtime.id},
            entrypoint=self._image_agent() if self.runtime.image is not None else None,
        )
        if self.debug is not None:
            spec = self.debug.container_spec(spec)
        container = await self.loop.run_in_executor(executor, self.scheduler.backend.create, spec)
        if not self.lifecycle.alive:  # removed while its container was being made: remove that too
            await self.loop.run_in_executor(executor, self.scheduler.backend.destroy, container)
            raise RuntimeError("the environment was removed while starting")
        self.container = container
        if self.container.memory_peak_file:
            with contextlib.suppress(OSError):
                self.peak_fd = os.open(self.container.memory_peak_file, os.O_RDONLY)
        try:
            await asyncio.wait_for(asyncio.shield(self.attached), settings.agent_timeout)
        except TimeoutError as exc:  # its container died or cannot reach us (a Docker restart, say)
            raise RuntimeError(f"the container's agent did not connect within {settings.agent_timeout:.0f} s") from exc
        self._prestart()
        self.lifecycle.move(S.STEM)

    def _prestart(self) -> None:
        """Start the runtime's interpreter and client now, so a first invoke need not wait for them
        (see ``core/prestart``); its function's variables and working directory come at ``_spawn``."""
        if self.runtime.image is not None or self.debug is not None or self.runtime.client not in PRESTARTED_CLIENTS:
            return
        argv = entrypoint(self.runtime, "", None, {}, self.memory_mb)
        env = prestart_variables(self.runtime, self._platform(), self.memory_mb)
        self.prestarted_env = env
        self.control.write(spawn_frame("/var/task", argv, env, verb="prestart"))

    def _image_agent(self) -> tuple[str, ...]:
        return (self.scheduler.catalog.agent_python(self.runtime.id), "-I", "-S", IMAGE_AGENT_PATH)

    def caller_allowed(self, address: str) -> bool:
        """Only this environment's own container may use its Runtime API."""
        expected = self.container.address if self.container is not None else None
        return expected is None or address == expected

    def _make_slots(self) -> tuple[Path, Path, Path]:
        """The folders mounted at /var/task, /opt and /tmp (a file system of its own); in a thread."""
        with self.slot_lock:  # never after _remove_slots: a mount made then would outlive the environment
            if self.slot_released:
                raise RuntimeError("the environment was removed while starting")
            task, opt = make_slots(self.slot)
            return task, opt, make_scratch(self.slot, self.tmp_mb)

    def _remove_slots(self) -> None:
        with self.slot_lock:
            self.slot_released = True
            remove_slots(self.slot)

    def _check_alive(self) -> None:
        if not self.lifecycle.alive:
            raise RuntimeError("the environment was removed while starting")

    async def specialize(self, function: FunctionConfig, opt_dir: str | None) -> None:
        """Make this stem ``function``'s environment: its files, memory limit and runtime (Initializing)."""
        self.lifecycle.move(S.INITIALIZING)
        self.last_used = time.monotonic()
        self.function = function
        self.key = function.environment_key
        self.opt_dir = opt_dir
        self.log_stream = log_stream_name(function.version)
        executor, backend = self.scheduler.executor, self.scheduler.backend
        await self.loop.run_in_executor(executor, self._fill_slots)
        if function.memory_size != self.memory_mb:
            await self.loop.run_in_executor(executor, backend.set_memory, self.container, function.memory_size)
            self.memory_mb = function.memory_size
        if self.state is S.INITIALIZING:  # not removed while the files were being linked
            self._spawn()

    def _fill_slots(self) -> None:
        if self.function.image is not None:  # the code is in the image
            return
        link_tree(self.function.code.path, self.slot / "task")
        if self.opt_dir:
            link_tree(self.opt_dir, self.slot / "opt")
        self.extension_paths = find_extensions(self.opt_dir)

    def attach_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.control = writer
        self.scheduler.spawn(self._read_control(reader))
        self._maybe_attached()

    def attach_log(self, sock: socket.socket) -> None:
        self.log = RuntimeLog(self.loop, sock, self._take_log)
        self._maybe_attached()

    def _maybe_attached(self) -> None:
        if self.control is not None and self.log is not None and not self.attached.done():
            self.attached.set_result(None)

    def _spawn(self) -> None:
        """Start a fresh runtime process (state Initializing)."""
        self.init_failure = None
        self.init_duration_ms = None
        self.init_started = time.perf_counter()
        try:
            function = self.function
            cwd, argv = launch(self.runtime, function, self.opt_dir)
            if self.debug is not None:
                argv = self.debug.argv(argv)
        except (NoEntrypoint, DebuggingUnavailable) as missing:
            self._init_failed(InitFailure("entrypoint", str(missing).encode()))
            return
        initialization = "provisioned-concurrency" if self.provisioned else "on-demand"
        env = runtime_variables(self.function, self.runtime, self.log_stream, self._platform(), initialization)
        verb = "spawn"
        if self.prestarted_env is not None:  # the agent drops it on a spawn, or if it began otherwise
            verb = "resume" if may_resume(self.prestarted_env, env) else "spawn"
            self.prestarted_env = None
        if self.extension_paths:  # each init starts them afresh (a reset killed the last ones)
            self._start_extensions(env, spawn_frame(cwd, argv, env, verb))
        else:
            self.control.write(spawn_frame(cwd, argv, env, verb))
        limit = self.scheduler.settings.init_timeout + self.function.timeout
        if self.debug is None:  # a debugger may hold init as long as it likes
            self.init_timer = self.loop.call_later(limit, self._init_timed_out)
        if self.function.image is None:  # an image has no managed runtime version to name (no RuntimeVersionConfig)
            runtime_arn = runtime_version_arn(self.scheduler.settings.region, self.function.runtime)
            self.scheduler.log_sink.platform(self, reports.init_start_line(self.runtime.runtime_version, runtime_arn))

    def _start_extensions(self, env: dict[str, str], runtime_frame: bytes) -> None:
        """Start the external extensions; the runtime starts once they have all registered."""
        function = self.function
        registry = Registry(function.name, function.version, function.handler or "")
        link = ExtensionsLink(self.loop, registry, self.extension_paths, self.container.address)
        self.extensions, self.extensions_api = link, link.api

        def runtime() -> None:
            if self.extensions is link and self.state is S.INITIALIZING and self.control is not None:
                self.control.write(runtime_frame)
                link.emit(
                    telemetry.init_start(time.time(), function.name, function.version, self.runtime.runtime_version)
                )

        def init_error(error_type: str, body: bytes) -> None:
            if self.extensions is link and self.state is S.INITIALIZING:
                self._init_failed(InitFailure("error", body or b"{}", error_type))

        link.on_init_error = init_error
        link.start(self.control.write, env, runtime)

    def _platform(self) -> Platform:
        settings = self.scheduler.settings
        return Platform(
            region=settings.region,
            runtime_api=f"{settings.container_host}:{self.port}",
            lambda_endpoint=settings.lambda_endpoint,
            credentials=settings.credentials,
        )

    # -- the agent --------------------------------------------------------------------------

    async def _read_control(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                self._on_agent_frame(await read_frame(reader))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        except Exception:
            log.exception("environment %s: agent frame handling failed", self.id)
        self._on_agent_lost()

    def _on_agent_frame(self, frame: list[str]) -> None:
        verb = frame[0]
        if verb == "spawned":
            self.runtime_pid = int(frame[1])
        elif verb == "spawn-failed":
            self._init_failed(InitFailure("entrypoint", frame[1].encode()))
        elif verb == "exited":
            pid, status, oom_kills = int(frame[1]), int(frame[2]), int(frame[3])
            if pid == self.runtime_pid:
                self.runtime_pid = 0
                self._on_runtime_exit(status, self._count_oom(oom_kills))
        elif verb == "killed":
            if self.state is S.RESETTING:
                self.lifecycle.move(S.INITIALIZING)
                self._spawn()
        elif verb in ("extension-failed", "error") and self.extensions is not None:
            # "error": an agent older than extensions refused the verb; the runtime must not wait for them
            log.warning("environment %s: an extension did not start: %s", self.id, frame[1])
            self.extensions.extension_failed()
        elif verb == "ready":
            self.oom_kills = int(frame[1])
        elif verb == "prestart-failed":  # the first init starts its runtime afresh and reports what fails
            log.debug("environment %s: runtime not prestarted: %s", self.id, frame[1])

    def _count_oom(self, oom_kills: int) -> bool:
        was_oom = oom_kills > self.oom_kills >= 0
        self.oom_kills = oom_kills
        return was_oom

    def _on_runtime_exit(self, wait_status: int, oom: bool) -> None:
        if self.state is S.INVOKING and self.current is not None and not self.current.delivered:
            # It had not reached the runtime yet (which died after its last answer): it waits for another.
            invocation, self.current = self.current, None
            self._reset()
            self.scheduler.requeue(self, invocation)
        elif self.state is S.INVOKING and self.current is not None:
            body = platform_errors.runtime_exit_error(self.current.request_id, wait_status)
            report_type = "Runtime.OutOfMemory" if oom else "Runtime.ExitError"
            self._finish(body, UNHANDLED, "Runtime.ExitError", status="error", report_type=report_type)
            self._reset()
        elif self.state is S.INITIALIZING:
            self._init_failed(InitFailure("exit", wait_status=wait_status))
        elif self.state is S.IDLE:
            self._reset()

    def _on_agent_lost(self) -> None:
        """The agent's connection closed: the container is gone or going."""
        if self.lifecycle.alive:
            log.warning("environment %s: agent connection lost; removing the environment", self.id)
            self.destroy()

    def _reset(self, reason: str = "failure") -> None:
        """Kill the runtime's processes (the container and /tmp stay) and start a new runtime.

        Extensions first get SHUTDOWN with ``reason`` (``timeout`` or ``failure``) and up to 2 s.
        """
        if not self.lifecycle.can(S.RESETTING):
            return
        self.lifecycle.move(S.RESETTING)
        self._cancel_init_timer()
        if self.waiter is not None:
            self.waiter.close()
            self.waiter = None
        if self.extensions is not None:
            self.scheduler.spawn(self._shut_extensions_then_kill(self.extensions, reason))
            return
        self._drop_runtime_connections()
        self.control.write(encode("kill"))

    async def _shut_extensions_then_kill(self, link: ExtensionsLink, reason: str) -> None:
        await link.shutdown(reason)
        if self.state is S.RESETTING and self.control is not None:
            self._drop_runtime_connections()
            self.control.write(encode("kill"))

    def _drop_runtime_connections(self) -> None:
        """Requests the old runtime still had in flight must not reach the new one."""
        for connection in list(self.connections):
            connection.abort()

    # -- init -------------------------------------------------------------------------------

    def _cancel_init_timer(self) -> None:
        if self.init_timer is not None:
            self.init_timer.cancel()
            self.init_timer = None

    def _init_timed_out(self) -> None:
        self.init_timer = None
        if self.state is S.INITIALIZING:
            self.control.write(encode("kill"))
            self._init_failed(InitFailure("timeout"))

    def _init_failed(self, failure: InitFailure) -> None:
        if self.state is not S.INITIALIZING:
            return
        self._cancel_init_timer()
        self.init_failure = failure
        duration = (time.perf_counter() - self.init_started) * 1000
        self.scheduler.log_sink.platform(self, reports.init_report_line(duration, failure.error_type))
        self.lifecycle.move(S.FAILED)
        self.served = True  # it answers invocations, with its init error
        self.last_used = time.monotonic()
        self.scheduler.on_failed(self)

    def serve_init_failure(self, invocation: Invocation) -> None:
        """Answer ``invocation`` with the last init failure, then try a fresh runtime."""
        failure = self.init_failure
        self.current = invocation
        self._begin(invocation)
        payload = failure.payload(invocation.request_id, self.function.timeout)
        status = "timeout" if failure.kind == "timeout" else "error"
        self._finish(payload, UNHANDLED, failure.error_type, status=status)
        self._reset()

    # -- invocations ------------------------------------------------------------------------

    def assign(self, invocation: Invocation) -> None:
        """Take ``invocation`` (state Idle to Invoking); the runtime gets it at its next /next."""
        self.lifecycle.move(S.INVOKING)
        self.current = invocation
        self.invocations += 1
        if self.waiter is not None:
            waiter, self.waiter = self.waiter, None
            self._deliver(waiter)

    def _begin(self, invocation: Invocation) -> None:
        invocation.started = time.perf_counter()
        # With no console and no tail asked for, nobody reads this invocation's log lines.
        invocation.logged = self.scheduler.log_sink.enabled or invocation.request.log_tail
        if invocation.logged:
            start = reports.start_line(invocation.request_id, self.function.version)
            invocation.append_log(start.encode())
            self.scheduler.log_sink.platform(self, start)

    def _deliver(self, waiter: NextWaiter) -> None:
        invocation = self.current
        if not invocation.delivered:
            invocation.delivered = True
            self._begin(invocation)
            timeout = self.function.timeout
            if self.debug is None:  # paused in a debugger, an invocation has no deadline
                invocation.timer = self.loop.call_later(timeout, self._timed_out, invocation)
            self.deadline_ms = int(time.time() * 1000) + timeout * 1000
            if self.extensions is not None:
                self.extensions.emit(telemetry.start(time.time(), invocation.request_id, self.function.version))
                request = invocation.request
                self.extensions.registry.invoke(
                    request.request_id, request.invoked_arn, self.deadline_ms, request.trace_id
                )
        if not waiter.deliver(invocation.request, self.deadline_ms):
            # The runtime's connection is gone; the agent will tell us how it ended.
            invocation.delivered = True

    def _timed_out(self, invocation: Invocation) -> None:
        if self.current is not invocation:
            return
        invocation.timer = None
        body = platform_errors.timeout_error(invocation.request_id, self.function.timeout)
        self._finish(body, UNHANDLED, "Sandbox.Timedout", status="timeout")
        self._reset("timeout")

    def _finish(
        self,
        payload: bytes,
        function_error: str | None = None,
        error_type: str | None = None,
        status: str | None = None,
        report_type: str | None = None,
    ) -> None:
        """End the current invocation: write END and REPORT, answer the caller.

        ``status`` ("timeout" or "error") marks failures of the platform rather than of the
        function's code, which REPORT shows with their type (``report_type``, by default
        ``error_type``); an exception raised by the handler leaves REPORT as it is.
        """
        invocation = self.current
        init_ms, self.init_duration_ms = self.init_duration_ms, None
        duration_ms = (time.perf_counter() - invocation.started) * 1000 if invocation.started else None
        if invocation.logged:
            self._drain_log()
            report = reports.Report(
                request_id=invocation.request_id,
                duration_ms=duration_ms or 0.0,
                memory_size=self.function.memory_size,
                max_memory_used_mb=self._max_memory_mb(),
                init_duration_ms=init_ms,
                status=status,
                error_type=(report_type or error_type) if status == "error" else None,
            )
            if self.extensions is not None and not self.extensions.registry.all_waiting():
                # REPORT waits for the extensions: their post-runtime time is billed (Duration stays the function's).
                closing = reports.end_line(invocation.request_id)
                self.pending_report = (report, time.perf_counter())
            else:
                closing = reports.end_line(invocation.request_id) + reports.report_line(report)
            if not invocation.log.endswith(b"\n"):
                invocation.append_log(b"\n")  # output without a final newline still ends its own line
            invocation.append_log(closing.encode())
            self.scheduler.log_sink.platform(self, closing)
        self.current = None
        self.last_used = time.monotonic()
        if self.extensions is not None:
            self._emit_done(invocation.request_id, payload, function_error, status, duration_ms, init_ms)
        invocation.resolve(
            InvokeResult(
                payload=payload,
                executed_version=self.function.version,
                function_error=function_error,
                error_type=error_type,
                log_tail=reports.tail(bytes(invocation.log)) if invocation.request.log_tail else None,
                duration_ms=duration_ms,
                init_duration_ms=init_ms,
                provisioned=self.provisioned,
            )
        )

    def _write_pending_report(self) -> None:
        """The REPORT held back while extensions finished, with their time in Billed Duration."""
        if self.pending_report is None:
            return
        report, answered_at = self.pending_report
        self.pending_report = None
        extensions_ms = (time.perf_counter() - answered_at) * 1000
        self.scheduler.log_sink.platform(self, reports.report_line(replace(report, extensions_ms=extensions_ms)))

    def _emit_done(self, request_id, payload, function_error, status, duration_ms, init_ms) -> None:
        """platform.runtimeDone and platform.report for subscribed extensions."""
        now, duration = time.time(), duration_ms or 0.0
        outcome = status or ("error" if function_error else "success")
        self.extensions.emit(telemetry.runtime_done(now, request_id, outcome, duration, len(payload)))
        metrics = {
            "durationMs": round(duration, 3),
            "billedDurationMs": max(1, math.ceil(duration)),
            "memorySizeMB": self.function.memory_size,
            "maxMemoryUsedMB": self._max_memory_mb() or 0,
        }
        if init_ms is not None:
            metrics["initDurationMs"] = round(init_ms, 3)
        self.extensions.emit(telemetry.report(now, request_id, outcome, metrics))

    def peak_memory_mb(self) -> int | None:
        """The container's peak memory use so far (cgroup memory.peak), when the backend can tell."""
        return self._max_memory_mb()

    def _max_memory_mb(self) -> int | None:
        if self.peak_fd is None:
            return None
        try:
            return round(int(os.pread(self.peak_fd, 32, 0)) / (1024 * 1024))
        except (OSError, ValueError):
            return None

    # -- the Runtime API (called by host.runtime_api) ----------------------------------------

    def next_requested(self, waiter: NextWaiter) -> Outcome | None:
        state = self.state
        if state is S.INITIALIZING and self.extensions is not None and not self.extensions.registry.all_waiting():
            self.waiter = waiter  # init ends when every extension is in event/next too
            self.extensions.when_all_waiting(lambda: self._extensions_ready())
            return None
        if state is S.INVOKING and self.current is None and self.extensions is not None:
            self.waiter = waiter  # the extensions are still finishing the last invoke
            return None
        if state is S.INITIALIZING:
            if self.extensions is not None:
                self.extensions.emit(telemetry.init_runtime_done(time.time(), "success"))
            self._cancel_init_timer()
            # A provisioned environment's init is not part of any invocation (no Init Duration).
            self.init_duration_ms = None if self.provisioned else (time.perf_counter() - self.init_started) * 1000
            self.waiter = waiter
            self.lifecycle.move(S.IDLE)
            self.served = True
            self.last_used = time.monotonic()
            self.scheduler.on_idle(self)
            return None
        if state is S.INVOKING and self.current is not None and self.current.stream_open:
            # It left its streamed response unfinished (cut short, or still open) and asks for more:
            # the invocation fails, the runtime goes on.
            self._finish(
                platform_errors.truncated_response(self.current.request_id), UNHANDLED, "Runtime.TruncatedResponse"
            )
            self._after_reply()
            return self.next_requested(waiter)
        if state is S.INVOKING and self.current is not None:
            self._deliver(waiter)
            return None
        if state is S.IDLE:
            if self.waiter is not None:
                self.waiter.refuse(Outcome.invalid_state(S.INVOKING, "Ready"))
            self.waiter = waiter
            return None
        return Outcome.invalid_state(state, "Ready")

    def _check_reply(self, request_id: str) -> Outcome | None:
        invocation = self.current
        if invocation is None or not invocation.delivered or invocation.request_id != request_id:
            return Outcome.invalid_request_id()
        return None

    def response_posted(self, request_id: str, body: bytes, too_large: bool = False) -> Outcome:
        refused = self._check_reply(request_id)
        if refused is not None:
            return refused
        if too_large or len(body) > platform_errors.MAX_RESPONSE_BYTES:
            self._finish(
                platform_errors.response_too_large(), UNHANDLED, "Function.ResponseSizeTooLarge", status="error"
            )
            self._after_reply()
            return Outcome.too_large()
        self._finish(body, None)
        self._after_reply()
        return Outcome.accepted()

    def response_streamed(self, request_id: str, content_type: str, body: BodyStream, reply) -> Outcome | None:
        """A streamed response begins: its pieces go to the caller's sink as they arrive (or are kept
        for a caller that wants the whole payload); its end, or the error in its trailers, ends the
        invocation and then ``reply`` answers the runtime."""
        refused = self._check_reply(request_id)
        if refused is not None:
            body.discard()
            return refused
        invocation = self.current
        invocation.stream_open = True
        sink = invocation.request.stream
        if sink is not None:
            sink.started(content_type, self.function.version, body)
        else:
            invocation.collected = bytearray()
        body.listen(
            lambda data: self._stream_data(invocation, data),
            lambda trailers: self._stream_end(invocation, body, trailers, reply),
        )
        return None

    def _stream_data(self, invocation: Invocation, data: bytes) -> None:
        if self.current is not invocation:  # it already ended (timed out, say): the rest goes nowhere
            return
        before = invocation.streamed
        invocation.streamed += len(data)
        if invocation.collected is not None:  # a buffered caller: the 6 MB limit of a buffered response
            if invocation.streamed > platform_errors.MAX_RESPONSE_BYTES:
                self._stream_too_large(platform_errors.response_too_large())
                return
            invocation.collected += data
            return
        room = response_stream.MAX_STREAMED_RESPONSE_BYTES - before
        if len(data) > room:
            if room > 0:
                invocation.request.stream.chunk(data[:room])
            self._stream_too_large(response_stream.too_large_details())
            return
        invocation.request.stream.chunk(data)

    def _stream_too_large(self, body: bytes) -> None:
        """Past the limit: the invocation fails and the runtime, still writing, is reset."""
        self._finish(body, UNHANDLED, "Function.ResponseSizeTooLarge", status="error")
        self._reset()

    def _stream_end(self, invocation: Invocation, body: BodyStream, trailers: dict[str, str], reply) -> None:
        if self.current is not invocation or body.truncated:
            return  # cut short: the runtime's exit (reported by the agent) or its next /next ends the invocation
        invocation.stream_open = False
        error_type = trailers.get("lambda-runtime-function-error-type")
        if error_type:
            encoded = trailers.get("lambda-runtime-function-error-body", "")
            try:
                payload = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                payload = encoded.encode()
            self._finish(payload or json.dumps({"errorType": error_type}).encode(), UNHANDLED, error_type)
        else:
            self._finish(bytes(invocation.collected) if invocation.collected is not None else b"", None)
        self._after_reply()
        reply(Outcome.accepted())

    def response_mode_refused(self, request_id: str) -> Outcome:
        """A ``/response`` in a response mode other than ``streaming``: 400, and the invocation fails."""
        refused = self._check_reply(request_id)
        if refused is not None:
            return refused
        body = platform_errors.invalid_response_mode(request_id)
        self._finish(body, UNHANDLED, "Runtime.InvalidResponseModeHeader", status="error")
        self._after_reply()
        return Outcome.invalid_response_mode()

    def error_posted(self, request_id: str, body: bytes, error_type: str | None, content_type: str) -> Outcome:
        refused = self._check_reply(request_id)
        if refused is not None:
            return refused
        if content_type.startswith(ERROR_CAUSE_CONTENT_TYPE):
            body = without_error_cause(body)
        kind = error_type or error_type_of(body) or "Unhandled"
        self._finish(body, UNHANDLED, kind)
        self._after_reply()
        return Outcome.accepted()

    def init_error_posted(self, body: bytes, error_type: str | None) -> Outcome:
        if self.state is not S.INITIALIZING:
            return Outcome.invalid_state(self.state, "InitError")
        self._init_failed(InitFailure("error", body, error_type or error_type_of(body) or "Runtime.Unknown"))
        return Outcome.accepted()

    def _extensions_ready(self) -> None:
        waiter, self.waiter = self.waiter, None
        if self.state is S.INITIALIZING and waiter is not None:
            self.next_requested(waiter)

    def _after_reply(self) -> None:
        if self.extensions is not None and not self.extensions.registry.all_waiting():
            self.extensions.when_all_waiting(self._after_extensions)  # Invoking until they are back in next
            # An extension that never comes back (crashed, hung) may hold the environment only until the
            # invocation's deadline; then the environment is reset, extensions and all.
            link, count = self.extensions, self.invocations
            left = max(0.0, self.deadline_ms / 1000 - time.time())
            self.loop.call_later(left, lambda: self._extensions_overdue(link, count))
            return
        self.lifecycle.move(S.IDLE)
        self.scheduler.on_idle(self)

    def _extensions_overdue(self, link: ExtensionsLink, count: int) -> None:
        same_invoke = self.extensions is link and self.invocations == count
        if same_invoke and self.state is S.INVOKING and self.current is None:
            log.warning("environment %s: an extension did not finish the invoke by its deadline", self.id)
            link.on_all_waiting = None
            self._write_pending_report()
            self._reset()

    def _after_extensions(self) -> None:
        self._write_pending_report()
        if self.state is S.INVOKING and self.current is None:
            self.lifecycle.move(S.IDLE)
            self.scheduler.on_idle(self)

    # -- logs -------------------------------------------------------------------------------

    def _drain_log(self) -> None:
        if self.log is not None:
            self.log.drain()

    def _take_log(self, data: bytes) -> None:
        if self.current is not None and self.current.logged:
            self.current.append_log(data)
        self.scheduler.log_sink.write(self, data)
        if self.extensions is not None and self.extensions.buffers:
            now = time.time()
            for line in data.decode("utf-8", "replace").splitlines():
                self.extensions.emit(telemetry.log_line(now, "function", line))

    # -- the end ----------------------------------------------------------------------------

    def destroy(self) -> asyncio.Future:
        """Remove the environment: it takes no more work from this moment; await the rest (Docker).

        An invocation the runtime already has fails with ``Runtime.ExitError``; one it had not
        received yet goes back to its pool's queue.
        """
        if self.removed is not None:
            return self.removed
        if not self.lifecycle.alive:  # never started its removal yet already gone: nothing to do
            done = self.loop.create_future()
            done.set_result(None)
            return done
        self.lifecycle.move(S.DESTROYING)
        self.scheduler.stems.forget(self)
        self._cancel_init_timer()
        if self.current is not None:
            invocation, self.current = self.current, None
            if invocation.delivered:
                self.current = invocation
                body = platform_errors.runtime_exit_error(invocation.request_id, None)
                self._finish(body, UNHANDLED, "Runtime.ExitError", status="error")
            else:
                self.scheduler.requeue(self, invocation)
        if self.waiter is not None:
            self.waiter.close()
            self.waiter = None
        self.scheduler.agents.forget(self.token)
        if self.extensions is None:  # with extensions, the channels stay open for the SHUTDOWN phase
            self._close_channels()
        if self.peak_fd is not None:
            os.close(self.peak_fd)
            self.peak_fd = None
        if not self.attached.done():
            self.attached.set_exception(RuntimeError("the environment was removed while starting"))
            self.attached.exception()  # retrieved: nobody else may be waiting
        if not self.started.done():
            self.started.set_exception(RuntimeError("the environment was removed while starting"))
        self.removed = self.scheduler.spawn(self._remove())
        return self.removed

    def _close_channels(self) -> None:
        self._drop_runtime_connections()
        if self.server is not None:
            self.server.close()
        if self.log is not None:
            self.log.close()
        if self.control is not None:
            self.control.close()

    async def _remove(self) -> None:
        executor = self.scheduler.executor
        if self.extensions is not None:
            try:
                await self.extensions.shutdown("spindown")  # up to 2 s, then the container goes
            finally:
                self._close_channels()
        try:
            if self.container is not None:
                await self.loop.run_in_executor(executor, self.scheduler.backend.destroy, self.container)
        except Exception as exc:  # the host's label sweep at stop is the backstop
            log.warning("environment %s: could not remove its container: %s", self.id, exc)
        finally:
            with contextlib.suppress(Exception):
                await self.loop.run_in_executor(executor, self._remove_slots)
            self.lifecycle.move(S.DESTROYED)
            self.scheduler.on_gone(self)
