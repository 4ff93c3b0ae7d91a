"""The host process: wires the store, images, scheduler and APIs together and runs them.

One event loop carries the hot paths (the Invoke API and every environment's Runtime
API); Flask's management views run in a thread pool behind the same listener; Docker
calls run in another pool. ``Host.start`` can run on the caller's loop (``serve``) or
on a thread of its own (the pytest plugin, one-shot invokes).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from host.api.app import Services, create_app
from host.api.errors import MAX_REQUEST_BYTES, request_too_large
from host.api.front import FrontDoor
from host.api.function_urls import UrlListeners
from host.api.invoke import InvokeEndpoint
from host.core.async_policy import AsyncTiming
from host.core.names import FunctionRef
from host.environments.docker_backend import DockerBackend, bridge_gateway
from host.environments.logsink import LogSink
from host.environments.scheduler import Scheduler, Settings
from host.environments.slots import remove_all_slots
from host.http.server import serve
from host.http.wsgi import WsgiBridge
from host.images.builder import ImageBuilder
from host.images.catalog import RuntimeCatalog
from host.images.definitions import load_definitions
from host.images.rootfs_cache import RootfsCache, default_cache_dir
from host.service.async_events import AsyncDispatcher
from host.service.aws_targets import AwsTargets
from host.service.code_watch import CodeWatcher
from host.service.concurrency import ConcurrencyGate
from host.service.destinations import DeliveryWorker
from host.service.event_configs import EventConfigService
from host.service.functions import FunctionService
from host.service.invoke import InvokeService, new_trace_id
from host.service.layers import LayerService
from host.service.permissions import PermissionService
from host.service.provisioned import ProvisionedService, Provisioner
from host.service.urls import UrlService
from host.service.versions import VersionService
from host.store.db import Database
from host.store.events import EventQueue
from host.store.functions import FunctionStore
from host.store.layers import LayerStore
from host.store.packages import PackageStore

log = logging.getLogger("lambda_host")


@dataclass
class HostConfig:
    host: str = "127.0.0.1"
    port: int = 9001
    state_dir: Path = Path(".lambda-host")
    region: str = "us-east-1"
    account_id: str = "123456789012"
    idle_timeout: float = 600.0
    async_time_scale: float = 1.0  # multiplies every time of the async path (retries, back-off, event age)
    async_concurrency: int = 10
    shutdown_grace: float = 30.0  # seconds running invocations get to finish when the host stops
    max_concurrency: int | None = None  # invocations running at once on this host; None: sized from memory
    aws_endpoint_url: str | None = None  # where SQS, SNS and EventBridge destinations are sent
    prewarm: int = 4  # generic environments kept started per runtime in use
    cache_dir: Path = field(default_factory=default_cache_dir)
    share_runtime_files: bool = True  # bind-mount runtimes' files from one unpacked copy (see rootfs_cache)
    function_logs: bool = True
    registry_base: bool = False
    container_host: str | None = None  # how containers reach this host; found from Docker by default
    labels: dict[str, str] = field(default_factory=dict)
    template: Path | None = None
    template_parameters: dict[str, str] = field(default_factory=dict)
    env_vars: Path | None = None  # SAM's --env-vars file: variables per function, or for all ("Parameters")
    hot_reload: bool = True  # functions running a local folder follow its edits


def _bindable(address: str) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
            return True
        except OSError:
            return False


def _public_host(address: str) -> str:
    """The address to give users for something listening on ``address``."""
    return "127.0.0.1" if address in ("0.0.0.0", "") else address


def _credentials() -> tuple[str, str, str | None]:
    """The host's own AWS credentials when it has them (as SAM CLI passes them), else placeholders."""
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return key, secret, os.environ.get("AWS_SESSION_TOKEN")
    return "lambda-host", "lambda-host", None


class Host:
    def __init__(self, config: HostConfig) -> None:
        self.config = config
        self.loop: asyncio.AbstractEventLoop | None = None
        self.servers: list[asyncio.Server] = []
        self.port = config.port
        self.thread: threading.Thread | None = None
        # Made by start(); stop() undoes whatever start() got to.
        self.backend: DockerBackend | None = None
        self.functions: FunctionService | None = None
        self.scheduler: Scheduler | None = None
        self.dispatcher: AsyncDispatcher | None = None
        self.deliveries: DeliveryWorker | None = None
        self.provisioner: Provisioner | None = None
        self.delivery_executor: ThreadPoolExecutor | None = None
        self.api_executor: ThreadPoolExecutor | None = None
        self.url_listeners: UrlListeners | None = None
        self.code_watcher: CodeWatcher | None = None
        state = config.state_dir.resolve()
        state.mkdir(parents=True, exist_ok=True)
        self.state_dir = state
        # Containers of this state directory from an earlier (crashed) run carry the same owner.
        self.owner = hashlib.sha256(str(state).encode()).hexdigest()[:16]
        self.instance = secrets.token_hex(6)

    @property
    def endpoint(self) -> str:
        return f"http://{_public_host(self.config.host)}:{self.port}"

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        config = self.config
        self.db = Database(self.state_dir / "lambda-host.db")
        self.packages = PackageStore(self.state_dir)
        self.function_store = FunctionStore(self.db)
        self.layer_store = LayerStore(self.db)
        self.backend = DockerBackend()
        labels = {"lambda-host.owner": self.owner, "lambda-host.instance": self.instance, **config.labels}
        removed = await self.loop.run_in_executor(None, self.backend.remove_labelled, {"lambda-host.owner": self.owner})
        if removed:
            log.info("removed %d container(s) left by an earlier run", removed)
        remove_all_slots(self.state_dir / "slots")  # their folders (and /tmp file systems) too

        gateway = config.container_host or bridge_gateway(self.backend.client) or "host.docker.internal"
        bind_host = gateway if _bindable(gateway) else "0.0.0.0"
        self.builder = ImageBuilder(self.backend.client, say=log.info, registry_base=config.registry_base)
        rootfs = RootfsCache(self.backend.client, config.cache_dir) if config.share_runtime_files else None
        self.catalog = RuntimeCatalog(load_definitions(), self.builder, rootfs)
        self.layers = LayerService(
            region=config.region, account=config.account_id, store=self.layer_store, packages=self.packages
        )
        self.functions = FunctionService(
            region=config.region,
            account=config.account_id,
            store=self.function_store,
            packages=self.packages,
            layers=self.layers,
            catalog=self.catalog,
            on_change=self._function_changed,
            on_active=lambda runtime: self.loop.call_soon_threadsafe(self.scheduler.prewarm, runtime),
        )
        self.api_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lambda-host-api")
        self.versions = VersionService(self.functions)
        self.event_configs = EventConfigService(self.functions)
        self.gate = ConcurrencyGate(self.function_store, config.max_concurrency)

        # The Lambda API: the address asked for, and the bridge gateway for functions calling back.
        front = FrontDoor()
        server = await serve(front.handle, config.host, config.port, max_body=MAX_REQUEST_BYTES)
        self.servers.append(server)
        self.port = server.sockets[0].getsockname()[1]
        container_port = self.port
        if config.host not in ("0.0.0.0", gateway) and bind_host != "0.0.0.0":
            try:
                inner = await serve(front.handle_from_containers, bind_host, self.port, max_body=MAX_REQUEST_BYTES)
            except OSError:
                inner = await serve(front.handle_from_containers, bind_host, 0, max_body=MAX_REQUEST_BYTES)
            self.servers.append(inner)
            container_port = inner.sockets[0].getsockname()[1]

        settings = Settings(
            bind_host=bind_host,
            container_host=gateway,
            lambda_endpoint=f"http://{gateway}:{container_port}",
            region=config.region,
            credentials=_credentials(),
            labels=labels,
            slots_dir=self.state_dir / "slots",
            idle_timeout=config.idle_timeout,
            prewarm=config.prewarm,
        )
        self.scheduler = Scheduler(
            self.loop,
            self.backend,
            settings,
            self.catalog,
            opt_for=self.functions.opt_dir,
            current_function=self.function_store.version,
            log_sink=LogSink(self.loop, enabled=config.function_logs),
        )
        await self.scheduler.start()
        timing = AsyncTiming(config.async_time_scale)
        event_queue = EventQueue(self.db)
        self.delivery_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-host-deliver")
        self.deliveries = DeliveryWorker(
            self.loop,
            event_queue,
            AwsTargets(config.aws_endpoint_url),
            self._invoke_destination,
            timing,
            self.delivery_executor,
        )
        self.dispatcher = AsyncDispatcher(
            self.loop,
            event_queue,
            lambda name, qualifier: self.versions.lookup(FunctionRef(name, qualifier), route=True),
            self.event_configs.get,
            self.gate,
            self.scheduler,
            arn_of=self.functions.arn,
            new_trace_id=new_trace_id,
            timing=timing,
            concurrency=config.async_concurrency,
            on_deliveries=self.deliveries.submit,
        )
        self.provisioner = Provisioner(
            self.loop,
            self.scheduler,
            self.function_store,
            lambda name, qualifier: self.versions.lookup(FunctionRef(name, qualifier)),  # an alias: its version
        )
        self.provisioned = ProvisionedService(self.functions, self.provisioner)
        self.invoke_service = InvokeService(self.functions, self.versions, self.scheduler, self.dispatcher, self.gate)
        self.url_listeners = UrlListeners(
            self.loop,
            bind_host=config.host,
            public_host=_public_host(config.host),
            store=self.function_store,
            invoke=self.invoke_service,
            account=config.account_id,
        )
        await self.url_listeners.follow_store()  # the URLs deployed before, on their ports
        self.urls = UrlService(self.functions, self.url_listeners)
        front.serve_urls(self.url_listeners)
        app = create_app(
            Services(
                self.functions,
                self.versions,
                self.layers,
                self.packages,
                config.region,
                urls=self.urls,
                event_configs=self.event_configs,
                permissions=PermissionService(self.functions),
                provisioned=self.provisioned,
            )
        )
        front.attach(
            InvokeEndpoint(self.invoke_service),
            WsgiBridge(app, self.loop, self.api_executor, (config.host, self.port), too_large=request_too_large),
            self.endpoint,
        )
        if config.template is not None:
            from host.templates.sam import deploy_template

            await self.loop.run_in_executor(
                self.api_executor,
                deploy_template,
                config.template,
                self,
                config.template_parameters,
                config.env_vars,
            )
        await self.loop.run_in_executor(self.api_executor, self.functions.resume_activations)
        if config.hot_reload:
            self.code_watcher = CodeWatcher(self._local_folders, self.functions.refresh_local_code)
            await self.loop.run_in_executor(self.api_executor, self.code_watcher.start)
        for runtime, tmp_mb in {
            (f.runtime, f.ephemeral_storage) for f in self.function_store.all() if f.state == "Active"
        }:
            self.scheduler.prewarm(runtime, tmp_mb)
        self.dispatcher.start()
        self.deliveries.start()
        self.provisioner.start()
        log.info("lambda-host listening on %s", self.endpoint)

    def _invoke_destination(self, function_arn: str, payload: bytes) -> asyncio.Future[None]:
        """A Lambda destination: an Event invocation of that function (raises when it does not exist);
        the future resolves once the event is committed."""
        function, ref = self.versions.get(function_arn)
        return self.dispatcher.accept(str(uuid.uuid4()), function.name, ref.qualifier or "", payload)

    def _function_changed(self, name: str) -> None:
        """A function, version or alias changed or went: retire stale environments, follow its URLs
        and its code folder."""
        if self.scheduler is not None:
            self.loop.call_soon_threadsafe(self.scheduler.retire, name)
        if self.provisioner is not None:
            self.provisioner.follow(name)
        if self.dispatcher is not None and self.function_store.get(name) is None:  # deleted
            self.loop.call_soon_threadsafe(self.dispatcher.drop_function, name)
        if self.url_listeners is not None:
            self.url_listeners.sync()
        if self.code_watcher is not None:
            self.code_watcher.follow()

    def _local_folders(self) -> dict[str, list[str]]:
        """Each local code folder in use, with the functions ($LATEST) running it."""
        folders: dict[str, list[str]] = {}
        for function in self.function_store.all():
            if function.code.local:
                folders.setdefault(function.code.path, []).append(function.name)
        return folders

    async def stop(self) -> None:
        """Stop taking requests, let running invocations finish (up to ``shutdown_grace``), then
        remove every container."""
        for server in self.servers:
            server.close()
        if self.dispatcher is not None:
            self.dispatcher.stopping = True
        grace = self.config.shutdown_grace
        if self.scheduler is not None and grace > 0 and not await self.scheduler.drain(grace):
            log.warning("stopping with invocations still running after %.0f s", grace)
        if self.url_listeners is not None:
            await self.url_listeners.close()
        if self.code_watcher is not None:
            self.code_watcher.close()
        if self.dispatcher is not None:
            await self.dispatcher.close()
        if self.deliveries is not None:
            await self.deliveries.close()
        if self.delivery_executor is not None:
            self.delivery_executor.shutdown(wait=False, cancel_futures=True)
        if self.scheduler is not None:
            await self.scheduler.close()
        if self.backend is not None:
            await self.loop.run_in_executor(None, self.backend.remove_labelled, {"lambda-host.instance": self.instance})
            await self.loop.run_in_executor(None, remove_all_slots, self.state_dir / "slots")  # /tmp mounts too
        if self.api_executor is not None:
            self.api_executor.shutdown(wait=False)
        if self.functions is not None:
            self.functions.close()

    # -- running on a thread of its own (tests, one-shot invokes) -------------------------------

    def start_in_thread(self, timeout: float = 120.0) -> None:
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                loop.run_until_complete(self.stop())
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self.thread = threading.Thread(target=run, name="lambda-host", daemon=True)
        self.thread.start()
        if not started.wait(timeout):
            raise TimeoutError("lambda-host did not start in time")
        if failure:
            raise failure[0]

    def stop_thread(self, timeout: float = 60.0) -> None:
        if self.thread is None or self.loop is None:
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)
        self.thread = None
