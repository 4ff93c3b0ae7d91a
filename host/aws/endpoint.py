"""The AWS endpoint the host uses for every service it does not implement itself.

1. By default an embedded moto server, started in this process on a free loopback port
   (``EMBEDDED``): queues, streams, tables and topics live in its memory and are gone
   when the host stops.
2. ``--aws-endpoint-url URL`` names any AWS-compatible endpoint (LocalStack, another
   moto): nothing is started, and requests go there with placeholder credentials
   unless the environment has real ones.
3. ``--aws-endpoint-url aws`` (``REAL_AWS``) means AWS itself: boto3's own endpoint
   resolution and the environment's credentials.

``client(service, region)`` is the one boto3 client factory of the host (clients are
cached: building one costs ~50 ms). Blocking clients: call them from threads, never on
the event loop.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

import boto3
import botocore.config

log = logging.getLogger("lambda_host.aws")

EMBEDDED = "embedded"
REAL_AWS = "aws"
PLACEHOLDER_CREDENTIALS = ("test", "test", None)


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None = None


class AwsEndpoint:
    """Where SQS, SNS, S3, Kinesis, DynamoDB, EventBridge ... are, for the host and its functions."""

    def __init__(self, setting: str | None = None) -> None:
        self.setting = setting or EMBEDDED
        self.url: str | None = None if self.setting == REAL_AWS else (None if self.setting == EMBEDDED else setting)
        self._server = None
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], object] = {}
        self._session = boto3.session.Session()
        self._found: tuple | None = None  # (botocore credentials or None,), once looked up

    @property
    def embedded(self) -> bool:
        return self.setting == EMBEDDED

    @property
    def real_aws(self) -> bool:
        return self.setting == REAL_AWS

    def start(self) -> None:
        """Start the embedded server (a no-op for a named endpoint or AWS)."""
        if not self.embedded or self._server is not None:
            return
        from host.aws.embedded import EmbeddedMoto

        self._server = EmbeddedMoto()
        self.url = self._server.start()
        log.info("embedded AWS endpoint (moto) on %s; its queues and streams live in memory", self.url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def credentials(self) -> Credentials:
        """The environment's credentials, or placeholders where the endpoint is local and there are none.

        Looked up once: boto3's lookup walks the whole provider chain (files, then the instance
        metadata service, which can take a second), and the pollers sign every call.
        """
        if self._found is None:
            self._found = (self._session.get_credentials(),)
        found = self._found[0]
        if found is not None:
            frozen = found.get_frozen_credentials()
            return Credentials(frozen.access_key, frozen.secret_key, frozen.token)
        if self.real_aws:
            raise RuntimeError("--aws-endpoint-url aws needs AWS credentials in the environment")
        return Credentials(*PLACEHOLDER_CREDENTIALS)

    def client(self, service: str, region: str = "us-east-1", **config):
        """A cached boto3 client for ``service`` in ``region`` on this endpoint."""
        key = (service, region or "us-east-1", repr(sorted(config.items())))  # options may hold dicts
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:  # creating boto3 clients is not thread-safe; using them is
            client = self._clients.get(key)
            if client is None:
                options = {"retries": {"max_attempts": 2}, "connect_timeout": 5, "read_timeout": 30, **config}
                credentials = {}
                if not self.real_aws and self.credentials() == Credentials(*PLACEHOLDER_CREDENTIALS):
                    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
                client = self._session.client(
                    service,
                    region_name=key[1],
                    endpoint_url=self.url,
                    config=botocore.config.Config(**options),
                    **credentials,
                )
                self._clients[key] = client
        return client

    def service_url(self, endpoint_prefix: str, region: str) -> str:
        """The base URL for raw requests to a service (the endpoint itself unless it is AWS)."""
        if self.url:
            return self.url
        return f"https://{endpoint_prefix}.{region}.amazonaws.com"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
