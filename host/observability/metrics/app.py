"""CloudWatch metrics, assembled: the store, the recorder, the service and the endpoints.

``Metrics`` is what ``host.host`` builds. It reaches the Lambda side only through the two
callables it is given (a function's reserved concurrency, the provisioned concurrency of a
version or alias); the Lambda side reaches it only through ``host.core.metrics``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from host.observability.metrics.api import CBOR_PREFIX, TARGET_PREFIX, MetricsApi
from host.observability.metrics.http import PROMETHEUS_PATH, MetricsEndpoint
from host.observability.metrics.recorder import MetricsRecorder
from host.observability.metrics.service import MetricsService
from host.observability.metrics.store import MetricStore

SIGNING_NAME = "monitoring"  # CloudWatch's SigV4 service name


class Metrics:
    def __init__(
        self,
        state_dir: Path,
        reserved_of: Callable[[str], int | None] = lambda name: None,
        provisioned_of: Callable[[str, str], int] = lambda name, qualifier: 0,
        interval: float = 1.0,
    ) -> None:
        self.store = MetricStore(state_dir / "metrics.db")
        self.recorder = MetricsRecorder(self.store, interval, reserved_of, provisioned_of)
        self.service = MetricsService(self.store, self.recorder)
        self.api = MetricsApi(self.service)

    def prometheus(self) -> str:
        """Every figure as Prometheus text, flushed first."""
        self.recorder.flush()
        with self.recorder.flush_lock:
            return self.recorder.cumulative.render()

    def serve_on(self, front, loop: asyncio.AbstractEventLoop, executor: Executor) -> None:
        """Register the three protocols and ``GET /metrics`` with the host's ``FrontDoor``.
        Functions may call the API too (their SDKs' PutMetricData), signed or not."""
        endpoint = MetricsEndpoint(self.api, self.prometheus, loop, executor)
        front.route_target(TARGET_PREFIX, endpoint.handle_json, from_containers=True)
        front.route_path(CBOR_PREFIX, endpoint.handle_path, from_containers=True)
        front.route_path(PROMETHEUS_PATH, endpoint.handle_path)
        front.route_service(SIGNING_NAME, endpoint.handle_signed)

    def start(self) -> None:
        self.recorder.start()

    def close(self) -> None:
        self.recorder.close()
        self.store.close()
