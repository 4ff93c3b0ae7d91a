"""Deployment packages named by S3 location (``S3Bucket``/``S3Key``/``S3ObjectVersion``), fetched as AWS does.

The object is read from the host's AWS endpoint (``--aws-endpoint-url``: moto, LocalStack,
AWS), where a deploy tool uploaded it, and stored like an uploaded zip. AWS's answer when
the object cannot be read names S3's error (recorded)::

    Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.

Blocking: called from the management API's threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from host.core.errors import InvalidParameterValue


class Clients(Protocol):
    def client(self, service: str, region: str): ...


def get_object_failed(code: str, message: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}")


class S3Code:
    def __init__(self, clients: Clients, region: str) -> None:
        self.clients = clients
        self.region = region

    def fetch(self, location: Mapping[str, Any]) -> bytes:
        """The bytes of the object ``location`` names (an ``S3Bucket``/``S3Key``/``S3ObjectVersion`` mapping)."""
        params = {"Bucket": location["S3Bucket"], "Key": location.get("S3Key") or ""}
        if location.get("S3ObjectVersion"):
            params["VersionId"] = location["S3ObjectVersion"]
        try:
            return self.clients.client("s3", self.region).get_object(**params)["Body"].read()
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise get_object_failed(error.get("Code", "Unknown"), error.get("Message", str(exc))) from exc
        except BotoCoreError as exc:  # the endpoint cannot be reached, no credentials...
            raise get_object_failed(type(exc).__name__, str(exc)) from exc
