"""The scheduler: pools of warm environments, one pool per function version and configuration.

It runs on the host's event loop and owns every environment. An invocation joins its
pool's queue; an idle environment takes it at once, otherwise new environments are
started (one per waiting invocation, ``host.core.pool.starts_needed``) and whichever
becomes idle first takes the head of the queue. Idle environments are kept warm and
removed after ``idle_timeout``; environments of a function whose code or
configuration changed are removed as soon as they finish what they are doing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from host.core import pool as policy
from host.core.invocation import InvokeRequest, InvokeResult
from host.core.metrics import MetricsRecorder
from host.core.model import FunctionConfig
from host.core.states import EnvState
from host.debugging.launch import Debugging
from host.environments.agent_listener import AgentListener
from host.environments.backend import Backend
from host.environments.environment import DEFAULT_TMP_MB, Environment
from host.environments.invocation import Invocation
from host.environments.logsink import LogSink
from host.environments.snapshot import PoolSnapshot, snapshot
from host.environments.stems import StemPool
from host.images.catalog import RuntimeCatalog

log = logging.getLogger("lambda_host.scheduler")


@dataclass(frozen=True)
class Settings:
    bind_host: str  # where the Runtime APIs and the agent listener listen
    container_host: str  # how containers reach this host
    lambda_endpoint: str  # the Lambda API as containers reach it (AWS_ENDPOINT_URL_LAMBDA)
    region: str = "us-east-1"
    credentials: tuple[str, str, str | None] = ("lambda-host", "lambda-host", None)
    labels: dict[str, str] = field(default_factory=dict)
    slots_dir: Path = Path("/tmp/lambda-host-slots")  # per-environment /var/task and /opt folders
    idle_timeout: float = 600.0
    init_timeout: float = 10.0
    agent_timeout: float = 20.0  # a container's agent connects in well under a second, a few under a burst
    prewarm: int = 4  # stems kept ready per runtime in use (more after a burst)
    stem_memory_mb: int = 128
    debug: Debugging | None = None  # functions started under a debugger (host.debugging)


class Pool:
    __slots__ = ("envs", "key", "queue")

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.envs: list[Environment] = []
        self.queue: deque[Invocation] = deque()


class Scheduler:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        backend: Backend,
        settings: Settings,
        catalog: RuntimeCatalog,
        opt_for: Callable[[FunctionConfig], str | None],
        current_function: Callable[[str, str], FunctionConfig | None],
        log_sink: LogSink | None = None,
        metrics: MetricsRecorder | None = None,
    ) -> None:
        self.loop = loop
        self.backend = backend
        self.settings = settings
        self.catalog = catalog
        self.opt_for = opt_for
        self.current_function = current_function
        self.log_sink = log_sink or LogSink(loop)
        self.metrics = metrics  # told when each invocation begins and ends (None: metrics off)
        self.executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="lambda-host-docker")
        self.agents = AgentListener()
        self.agent_port = 0
        self.pools: dict[tuple, Pool] = {}
        self.reaper: asyncio.Task | None = None
        self.closing = False
        self.tasks: set[asyncio.Task] = set()
        self.stems = StemPool(self, settings.prewarm)

    async def start(self) -> None:
        self.agent_port = await self.agents.start(self.settings.bind_host)
        self.reaper = self.loop.create_task(self._reap_forever())

    def spawn(self, coro) -> asyncio.Task:
        """Run ``coro`` in the background, kept so ``close`` can wait for it."""
        task = self.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # -- invoking ---------------------------------------------------------------------------

    def invoke(self, request: InvokeRequest) -> asyncio.Future[InvokeResult]:
        """Queue ``request``; the future resolves with its result (never with an exception). On the loop."""
        invocation = Invocation(request, self.loop)
        metrics = self.metrics
        if metrics is not None:
            metrics.began(request)
            invocation.future.add_done_callback(lambda done: _report_end(metrics, request, done))
        if self.closing:
            invocation.resolve(_sandbox_failure(invocation, request.function, "the host is shutting down"))
            return invocation.future
        if self._definition_of(request.function) is None:
            detail = f"no runtime image can run {request.function.runtime}"
            invocation.resolve(_sandbox_failure(invocation, request.function, detail))
            return invocation.future
        key = request.function.environment_key
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = Pool(key)
        pool.queue.append(invocation)
        self._pump(pool, request.function)
        return invocation.future

    def _definition_of(self, function: FunctionConfig):
        """The image definition that runs ``function`` (its own image for PackageType Image)."""
        if function.image is not None:
            return self.catalog.definition_of(function)
        return self.catalog.definition(function.runtime)

    def requeue(self, env: Environment, invocation: Invocation) -> None:
        """An invocation ``env`` took but never handed to its runtime waits for another, first in line."""
        pool = self.pools.get(env.key)
        if pool is None:
            pool = self.pools[env.key] = Pool(env.key)
        pool.queue.appendleft(invocation)
        self.loop.call_soon(self._pump_key, env.key)

    def _pump_key(self, key: tuple) -> None:
        pool = self.pools.get(key)
        if pool is not None and pool.queue:
            self._pump(pool, pool.queue[0].request.function)

    def _pump(self, pool: Pool, function: FunctionConfig) -> None:
        queue = pool.queue
        while queue:
            env = policy.pick_idle(pool.envs)
            if env is not None:
                env.assign(queue.popleft())
                continue
            # Provisioned environments still initialising (or failed) are not the caller's: AWS
            # serves invocations on demand until provisioned concurrency is READY.
            on_demand = [env for env in pool.envs if not env.provisioned]
            failed = policy.pick_failed(on_demand)
            if failed is None:
                break
            failed.serve_init_failure(queue.popleft())
        if queue and not self.closing:
            starts = policy.starts_needed(len(queue), [env for env in pool.envs if not env.provisioned])
            if self._debugged(function.name):  # one environment at a time: it holds the debugger's port
                starts = min(starts, 0 if self._containers_of(function.name) else 1)
            for _ in range(starts):
                self._start(pool, function)

    def prewarm(self, runtime: str, tmp_mb: int = DEFAULT_TMP_MB) -> None:
        """Keep stems ready for functions of ``runtime`` (called when one is deployed)."""
        definition = self.catalog.definition(runtime)
        # A user's image gets its spare once one of its functions is invoked (``StemPool.take``).
        if definition is not None and definition.image is None and self.settings.prewarm > 0:
            self.stems.want(definition, tmp_mb)

    def _start(self, pool: Pool, function: FunctionConfig, provisioned: bool = False) -> Environment:
        if self._debugged(function.name):
            env = self._debug_environment(function)
        else:
            env = self.stems.take(self._definition_of(function), function.ephemeral_storage)
        env.key = pool.key  # counted in its pool from now on, though not specialised yet
        env.provisioned = provisioned
        pool.envs.append(env)
        self.spawn(self._specialize(pool, env, function))
        return env

    # -- debugged functions (host.debugging) -------------------------------------------------------

    def _debugged(self, function_name: str) -> bool:
        return self.settings.debug is not None and self.settings.debug.wants(function_name)

    def _containers_of(self, function_name: str) -> int:
        """Environments of any version of the function whose containers may still exist."""
        return sum(
            1
            for pool in self.pools.values()
            if pool.key[0] == function_name
            for env in pool.envs
            if env.state is not EnvState.DESTROYED
        )

    def _debug_environment(self, function: FunctionConfig) -> Environment:
        """A container of the function's own, never a stem: a started container cannot publish a port."""
        env = Environment(self, self._definition_of(function), function.ephemeral_storage)
        env.memory_mb = function.memory_size
        self.spawn(self._start_debugged(env, function.name))
        return env

    async def _start_debugged(self, env: Environment, function_name: str) -> None:
        try:  # copying debugpy the first time blocks: in a thread
            launch = self.settings.debug.launch
            env.debug = await self.loop.run_in_executor(self.executor, launch, function_name, env.runtime.client)
            await env.start()
        except Exception as exc:  # _specialize hears it through env.started and tells the caller
            if not env.started.done():
                env.started.set_exception(exc)

    def _pump_function(self, function_name: str) -> None:
        for pool in list(self.pools.values()):
            if pool.key[0] == function_name and pool.queue:
                self._pump(pool, pool.queue[0].request.function)

    # -- provisioned concurrency ----------------------------------------------------------------

    def provision(self, function: FunctionConfig, count: int) -> list[Environment]:
        """Start ``count`` environments of ``function`` now and initialise them before any
        invocation (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency); they serve its
        invocations first and are never reaped while provisioned. On the loop."""
        key = function.environment_key
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = Pool(key)
        return [self._start(pool, function, provisioned=True) for _ in range(count)]

    def release(self, envs: list[Environment]) -> None:
        """These environments are no longer provisioned: idle ones go now, busy ones are kept
        warm afterwards like any on-demand environment."""
        for env in envs:
            env.provisioned = False
            if env.state in policy.RESTING:
                env.destroy()

    async def _specialize(self, pool: Pool, env: Environment, function: FunctionConfig) -> None:
        try:
            await env.started
            await env.specialize(function, self.opt_for(function))
        except Exception as exc:  # any failure to start is told to a waiting caller
            if not self.closing:
                log.error("could not start an environment for %s: %s", function.name, exc)
            self._fail_one(pool, function, f"failed to start: {exc or type(exc).__name__}")
            await env.destroy()

    def _fail_one(self, pool: Pool, function: FunctionConfig, detail: str) -> None:
        """An environment started for the queue never worked: the first caller waiting hears why.

        One failure per lost environment keeps a function whose environments always die (a
        broken image, a bad setting) from starting containers forever behind a waiting caller.
        """
        if pool.queue:
            invocation = pool.queue.popleft()
            invocation.resolve(_sandbox_failure(invocation, function, detail))

    # -- environments report back -------------------------------------------------------------

    def on_idle(self, env: Environment) -> None:
        pool = self.pools.get(env.key)
        if pool is not None and pool.queue:
            env.assign(pool.queue.popleft())
        elif self.closing or self._is_stale(env):
            env.destroy()

    def on_failed(self, env: Environment) -> None:
        pool = self.pools.get(env.key)
        if pool is not None and pool.queue:
            env.serve_init_failure(pool.queue.popleft())
        elif self.closing or self._is_stale(env):
            env.destroy()

    def on_gone(self, env: Environment) -> None:
        self.stems.forget(env)
        pool = self.pools.get(env.key) if env.key is not None else None
        if pool is None:
            if env.key is None:
                self.stems.replenish(env.runtime, env.tmp_mb)
            return
        if env in pool.envs:
            pool.envs.remove(env)
        if pool.queue and not env.served and env.function is not None:
            self._fail_one(pool, env.function, "the execution environment stopped before it could run the function")
        if pool.queue:
            self._pump(pool, pool.queue[0].request.function)
        elif not pool.envs:
            del self.pools[env.key]
        if env.function is not None and self._debugged(env.function.name):  # its port is free for another version
            self._pump_function(env.function.name)

    def _is_stale(self, env: Environment) -> bool:
        current = self.current_function(env.function.name, env.function.version)
        return current is None or current.environment_key != env.key

    def retire(self, function_name: str) -> None:
        """The function changed or went away: stop keeping its old environments warm."""
        for pool in list(self.pools.values()):
            if pool.key[0] != function_name or pool.queue:
                continue
            for env in list(pool.envs):
                if env.state in policy.RESTING and self._is_stale(env):
                    env.destroy()

    # -- upkeep -------------------------------------------------------------------------------

    async def _reap_forever(self) -> None:
        period = max(0.05, min(self.settings.idle_timeout / 4, 5.0))
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for pool in list(self.pools.values()):
                for env in policy.expired(pool.envs, now, self.settings.idle_timeout):
                    if not env.provisioned:
                        env.destroy()
            self.stems.trim()

    def environments(self) -> list[Environment]:
        """Every environment given to a function (stems not included)."""
        return [env for pool in self.pools.values() for env in pool.envs]

    def snapshot(self) -> PoolSnapshot:
        """A read-only picture of every environment and stem (for the console). On the loop."""
        queued: dict[str, int] = {}
        for pool in self.pools.values():
            queued[pool.key[0]] = queued.get(pool.key[0], 0) + len(pool.queue)
        return snapshot(self.environments(), self.stems.all(), queued)

    def busy(self) -> int:
        """Invocations running or waiting for an environment."""
        return sum(len(pool.queue) for pool in self.pools.values()) + sum(
            1 for env in self.environments() if env.state is EnvState.INVOKING
        )

    async def drain(self, grace: float) -> bool:
        """Wait (at most ``grace`` seconds) until no invocation is running or waiting; True if none is."""
        deadline = time.monotonic() + grace
        while self.busy() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return not self.busy()

    async def close(self) -> None:
        """Remove every environment (in parallel); invocations still queued get an error."""
        self.closing = True
        if self.reaper is not None:
            self.reaper.cancel()
        for pool in self.pools.values():
            while pool.queue:
                invocation = pool.queue.popleft()
                invocation.resolve(
                    _sandbox_failure(invocation, invocation.request.function, "the host is shutting down")
                )
        envs = [env for env in self.environments() + self.stems.all() if env.state is not EnvState.DESTROYED]
        await asyncio.gather(*(env.destroy() for env in envs), return_exceptions=True)
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.agents.close()
        self.executor.shutdown(wait=False)


def _report_end(metrics: MetricsRecorder, request: InvokeRequest, done: asyncio.Future) -> None:
    if done.cancelled():  # never resolved: counted as ended, with no outcome
        metrics.ended(request, InvokeResult(b"", request.function.version))
    else:
        metrics.ended(request, done.result())


def _sandbox_failure(invocation: Invocation, function: FunctionConfig, detail: str) -> InvokeResult:
    body = json.dumps(
        {"errorType": "Sandbox.Failure", "errorMessage": f"RequestId: {invocation.request_id} Error: {detail}"}
    ).encode()
    return InvokeResult(body, function.version, "Unhandled", "Sandbox.Failure")
