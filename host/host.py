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
from host.aws.endpoint import AwsEndpoint
from host.aws.forward import Relay
from host.console.app import create_console
from host.console.ports import ConsolePorts, on_loop
from host.core.async_policy import AsyncTiming
from host.core.metrics import NO_METRICS
from host.core.names import FunctionRef
from host.debugging import Debugging
from host.environments.backend import Backend
from host.environments.docker_backend import DockerBackend, bridge_gateway
from host.environments.logsink import LogSink
from host.environments.scheduler import Scheduler, Settings
from host.environments.slots import remove_all_slots
from host.event_sources.api import blueprint as event_source_views
from host.event_sources.lambda_side import HostLambda
from host.event_sources.service import EventSourceService
from host.event_sources.store import CheckpointWriter, MappingStore
from host.event_sources.tags import MappingTags
from host.events.api import blueprint as test_event_views
from host.events.saved import TestEventStore
from host.http.server import serve
from host.http.wsgi import WsgiBridge
from host.images.builder import ImageBuilder
from host.images.catalog import RuntimeCatalog
from host.images.definitions import load_definitions
from host.images.rootfs_cache import RootfsCache, default_cache_dir
from host.observability.logs.app import PREFIX as LOGS_PREFIX
from host.observability.logs.app import CloudWatchLogs
from host.observability.metrics.app import Metrics
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
from host.service.s3_code import S3Code
from host.service.tags import TagService
from host.service.urls import UrlService
from host.service.versions import VersionService
from host.service.vpc import VpcChecker
from host.stepfunctions.app import StepFunctions
from host.stepfunctions.integrations.host_functions import HostFunctions
from host.stepfunctions.service.errors import SfnError
from host.store.db import Database
from host.store.events import EventQueue
from host.store.functions import FunctionStore
from host.store.layers import LayerStore
from host.store.ownership import StateDirLock
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
    # The AWS endpoint for every other service (host.aws.endpoint): None starts an embedded moto
    # server; "aws" is AWS itself; anything else is a URL (LocalStack, another moto).
    aws_endpoint_url: str | None = None
    prewarm: int = 4  # generic environments kept started per runtime in use
    cache_dir: Path = field(default_factory=default_cache_dir)
    share_runtime_files: bool = True  # bind-mount runtimes' files from one unpacked copy (see rootfs_cache)
    function_logs: bool = True
    cloudwatch_logs: bool = True  # keep functions' logs in logs.db and serve the CloudWatch Logs API
    logs_max_mb: int = 256  # logs.db keeps this much log data; the oldest events go first
    registry_base: bool = False
    container_host: str | None = None  # how containers reach this host; found from Docker by default
    labels: dict[str, str] = field(default_factory=dict)
    template: Path | None = None
    template_parameters: dict[str, str] = field(default_factory=dict)
    env_vars: Path | None = None  # SAM's --env-vars file: variables per function, or for all ("Parameters")
    hot_reload: bool = True  # functions running a local folder follow its edits
    build_all_images: bool = False  # once serving, build every runtime's missing image in the background
    settle_time: float = 0.25  # seconds a create stays Pending and an update InProgress, as on AWS (0: none)
    # Multiplies Step Functions' Wait states and retry intervals (Step Functions Local's WAIT_TIME_SCALE).
    sfn_wait_scale: float = 1.0
    sfn_mock_config: Path | None = None  # Step Functions Local's mock configuration file (or SFN_MOCK_CONFIG)
    debug: dict[str, int | None] = field(default_factory=dict)  # function -> local debugger port (host.debugging)
    metrics: bool = True  # CloudWatch metrics (GetMetricData, ...) and GET /metrics; off: nothing recorded
    # The engine environments run on: None is this machine's Docker daemon. Another (the Swarm backend's
    # host.environments.swarm_backend) runs them elsewhere; images are still built and unpacked here.
    backend: Backend | None = None


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
        self.backend: Backend | None = None
        self.functions: FunctionService | None = None
        self.scheduler: Scheduler | None = None
        self.dispatcher: AsyncDispatcher | None = None
        self.deliveries: DeliveryWorker | None = None
        self.provisioner: Provisioner | None = None
        self.delivery_executor: ThreadPoolExecutor | None = None
        self.api_executor: ThreadPoolExecutor | None = None
        self.url_listeners: UrlListeners | None = None
        self.code_watcher: CodeWatcher | None = None
        self.aws: AwsEndpoint | None = None
        self.relay: Relay | None = None
        self.event_sources: EventSourceService | None = None
        self.catalog: RuntimeCatalog | None = None
        self.stepfunctions: StepFunctions | None = None
        self.metrics: Metrics | None = None
        self.logs: CloudWatchLogs | None = None
        state = config.state_dir.resolve()
        state.mkdir(parents=True, exist_ok=True)
        self.state_dir = state
        self.ownership = StateDirLock(state)  # one host per state directory (see host.store.ownership)
        # Containers of this state directory from an earlier (crashed) run carry the same owner.
        self.owner = hashlib.sha256(str(state).encode()).hexdigest()[:16]
        self.instance = secrets.token_hex(6)

    @property
    def endpoint(self) -> str:
        return f"http://{_public_host(self.config.host)}:{self.port}"

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        config = self.config
        # First of all: another live host on this directory means nothing here may be touched.
        self.ownership.acquire()
        self.db = Database(self.state_dir / "lambda-host.db")
        self.packages = PackageStore(self.state_dir)
        self.function_store = FunctionStore(self.db)
        self.layer_store = LayerStore(self.db)
        # This machine's engine (images, the rootfs cache, its bridge's gateway), whichever runs environments.
        local = config.backend if isinstance(config.backend, DockerBackend) else DockerBackend()
        self.backend = config.backend or local
        labels = {"lambda-host.owner": self.owner, "lambda-host.instance": self.instance, **config.labels}
        # The lock is ours, so whatever carries this directory's owner label was left by a dead host.
        removed = await self.loop.run_in_executor(None, self.backend.remove_labelled, {"lambda-host.owner": self.owner})
        if removed:
            log.info("removed %d container(s) left by an earlier run", removed)
        remove_all_slots(self.state_dir / "slots")  # their folders (and /tmp file systems) too

        gateway = config.container_host or bridge_gateway(local.client) or "host.docker.internal"
        bind_host = gateway if _bindable(gateway) else "0.0.0.0"
        self.builder = ImageBuilder(local.client, say=log.info, registry_base=config.registry_base, chatty=False)
        rootfs = RootfsCache(local.client, config.cache_dir) if config.share_runtime_files else None
        self.catalog = RuntimeCatalog(load_definitions(), self.builder, rootfs)
        # S3 code and VpcConfig's subnets are looked up at the AWS endpoint; without one there are none.
        # The AWS endpoint (embedded moto unless --aws-endpoint-url names one): S3 code, VpcConfig's
        # subnets, event sources, destinations and the relay of other services all use it.
        self.aws = AwsEndpoint(config.aws_endpoint_url)
        await self.loop.run_in_executor(None, self.aws.start)
        aws = self.aws
        s3 = S3Code(aws, config.region).fetch
        self.layers = LayerService(
            region=config.region, account=config.account_id, store=self.layer_store, packages=self.packages,
            fetch_code=s3,
        )  # fmt: skip
        self.functions = FunctionService(
            region=config.region,
            account=config.account_id,
            store=self.function_store,
            packages=self.packages,
            layers=self.layers,
            catalog=self.catalog,
            on_change=self._function_changed,
            on_active=lambda runtime: self.loop.call_soon_threadsafe(self.scheduler.prewarm, runtime),
            settle_time=config.settle_time,
            fetch_code=s3,
            vpc=VpcChecker(aws, config.region),
        )
        self.api_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lambda-host-api")
        self.versions = VersionService(self.functions)
        self.event_configs = EventConfigService(self.functions)
        self.gate = ConcurrencyGate(self.function_store, config.max_concurrency)
        if config.metrics:
            self.metrics = Metrics(self.state_dir, self.gate.limit, self._provisioned_count)
        recorder = self.metrics.recorder if self.metrics is not None else None

        # The Lambda API: the address asked for, and the bridge gateway for functions calling back.
        front = FrontDoor(identity={"pid": os.getpid(), "stateDir": str(self.state_dir)})
        self.relay = Relay(self.aws, self.api_executor)
        front.forward_others(self.relay.handle)  # SQS, SNS, DynamoDB, ... on the Lambda port
        if self.metrics is not None:
            self.metrics.serve_on(front, self.loop, self.api_executor)  # CloudWatch metrics, GET /metrics
        server = await serve(front.handle, config.host, config.port, max_body=MAX_REQUEST_BYTES)
        self.servers.append(server)
        self.port = server.sockets[0].getsockname()[1]
        self.ownership.announce(self.endpoint)
        container_port = self.port
        if config.host not in ("0.0.0.0", gateway) and bind_host != "0.0.0.0":
            try:
                inner = await serve(front.handle_from_containers, bind_host, self.port, max_body=MAX_REQUEST_BYTES)
            except OSError:
                inner = await serve(front.handle_from_containers, bind_host, 0, max_body=MAX_REQUEST_BYTES)
            self.servers.append(inner)
            container_port = inner.sockets[0].getsockname()[1]

        if config.cloudwatch_logs:
            self.logs = CloudWatchLogs(
                self.state_dir, config.logs_max_mb * 2**20, config.region, config.account_id, self.api_executor,
                fallback=self.relay.handle,
            )  # fmt: skip
            front.route_target(LOGS_PREFIX, self.logs.endpoint.handle, from_containers=True)
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
            debug=Debugging(config.debug, config.cache_dir) if config.debug else None,
        )
        self.scheduler = Scheduler(
            self.loop,
            self.backend,
            settings,
            self.catalog,
            opt_for=self.functions.opt_dir,
            current_function=self.function_store.version,
            log_sink=LogSink(self.loop, enabled=config.function_logs, recorder=self.logs and self.logs.recorder),
            metrics=recorder,
        )
        await self.scheduler.start()
        timing = AsyncTiming(config.async_time_scale)
        event_queue = EventQueue(self.db)
        self.delivery_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-host-deliver")
        self.deliveries = DeliveryWorker(
            self.loop,
            event_queue,
            AwsTargets(self.aws),
            self._invoke_destination,
            timing,
            self.delivery_executor,
            metrics=recorder or NO_METRICS,
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
            metrics=recorder or NO_METRICS,
        )
        self.provisioner = Provisioner(
            self.loop,
            self.scheduler,
            self.function_store,
            lambda name, qualifier: self.versions.lookup(FunctionRef(name, qualifier)),  # an alias: its version
        )
        self.provisioned = ProvisionedService(self.functions, self.provisioner)
        self.invoke_service = InvokeService(
            self.functions, self.versions, self.scheduler, self.dispatcher, self.gate, metrics=recorder or NO_METRICS
        )
        self.stepfunctions = StepFunctions(
            self.loop,
            self.db,
            config.region,
            config.account_id,
            HostFunctions(self.invoke_service),
            new_trace_id,
            aws=self.aws,
            wait_scale=config.sfn_wait_scale,
            mock_config=config.sfn_mock_config,
            metrics=recorder or NO_METRICS,
        )
        front.route_target("AWSStepFunctions.", self.stepfunctions.endpoint.handle, from_containers=True)
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
        self.event_sources = EventSourceService(
            MappingStore(self.db),
            CheckpointWriter(self.db),
            HostLambda(self.loop, self.functions, self.versions, self.invoke_service),
            self.aws,
            config.region,
            config.account_id,
            metrics=recorder or NO_METRICS,
        )
        self.event_sources.start()  # mappings of an earlier run resume from their checkpoints
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
                tags=self._tags(),
                provisioned=self.provisioned,
                rooms=(
                    event_source_views(self.event_sources),
                    test_event_views(TestEventStore(self.state_dir / "test-events")),
                ),
            )
        )
        front.attach(
            InvokeEndpoint(self.invoke_service),
            WsgiBridge(app, self.loop, self.api_executor, (config.host, self.port), too_large=request_too_large),
            self.endpoint,
        )
        self._serve_console(front, event_queue)
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
        if self.metrics is not None:
            self.metrics.start()
        self.dispatcher.start()
        self.deliveries.start()
        self.provisioner.start()
        if config.build_all_images:
            self.catalog.build_rest_in_background()
        self.stepfunctions.start()
        log.info("lambda-host listening on %s", self.endpoint)

    def _provisioned_count(self, name: str, qualifier: str) -> int:
        """Provisioned concurrency allocated to a version or alias (0: none), for metrics."""
        config = self.function_store.provisioned(name, qualifier)
        return config.requested if config is not None else 0

    def _serve_console(self, front: FrontDoor, event_queue: EventQueue) -> None:
        """The console on the user's door (host.console), reading the host through ``ConsolePorts``."""
        ports = ConsolePorts(
            pool=lambda: on_loop(self.loop, self.scheduler.snapshot),
            queue=event_queue,
            redrive=self.deliveries.redrive,
            machine_definition=self._machine_definition,
            region=self.config.region,
            account=self.config.account_id,
        )
        console = create_console(ports)
        bridge = WsgiBridge(
            console, self.loop, self.api_executor, (self.config.host, self.port), too_large=request_too_large
        )
        front.serve_console(bridge.handle)

    def _machine_definition(self, arn: str) -> str:
        try:
            return self.stepfunctions.machines.describe(arn)["definition"]
        except SfnError as exc:
            raise LookupError(arn) from exc

    def _tags(self) -> TagService:
        """Tags of functions and, through their owner, of event source mappings."""
        tags = TagService(self.functions)
        tags.register("event-source-mapping", MappingTags(self.event_sources))
        return tags

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
        if self.stepfunctions is not None:
            self.stepfunctions.close()
        if self.event_sources is not None:
            self.event_sources.close()  # pollers stop taking batches; those in flight finish below
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
        if self.event_sources is not None:
            await self.loop.run_in_executor(None, self.event_sources.finish)  # checkpoints of batches just ended
        if self.backend is not None:
            await self.loop.run_in_executor(None, self.backend.remove_labelled, {"lambda-host.instance": self.instance})
        if self.logs is not None:
            await self.loop.run_in_executor(None, self.logs.close)
        if self.ownership.held:  # never another host's: this one may have been refused the directory
            await self.loop.run_in_executor(None, remove_all_slots, self.state_dir / "slots")  # /tmp mounts too
        if self.relay is not None:
            await self.relay.close()
        if self.aws is not None:
            await self.loop.run_in_executor(None, self.aws.stop)
        if self.api_executor is not None:
            self.api_executor.shutdown(wait=False)
        if self.metrics is not None:
            await self.loop.run_in_executor(None, self.metrics.close)  # the last minutes written
        if self.functions is not None:
            self.functions.close()
        if self.catalog is not None:
            self.catalog.close()
        self.ownership.release()

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
