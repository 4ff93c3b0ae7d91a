"""boto3 clients for the host's AWS endpoint (``host.aws.endpoint``), the one place Step Functions
gets them from.

Calls block, so they run on a small pool of threads (never one per execution) and answer
through a future.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from host.aws.endpoint import AwsEndpoint

POOL_SIZE = 8


class AwsClients:
    def __init__(self, endpoint: AwsEndpoint | None) -> None:
        self.endpoint = endpoint or AwsEndpoint("aws")  # without a host's endpoint: boto3's own resolution
        self.pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="lambda-host-sfn-aws")

    def client(self, service: str, region: str) -> Any:
        """A task's call is made once: Step Functions' own Retry decides about retrying it."""
        return self.endpoint.client(service, region, retries={"max_attempts": 1}, read_timeout=60)

    def call(self, service: str, region: str, method: str, params: dict) -> Future:
        """``client.<method>(**params)`` on the pool; the future holds the parsed answer."""
        return self.pool.submit(lambda: getattr(self.client(service, region), method)(**params))

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
