"""Layer versions: publishing, reading, listing with filters, deleting, and their permissions.

The checks and messages are AWS's (``host.core.layer_rules``). A layer version's
permissions are stored with it and go when it is deleted; like functions' resource
policies they are kept and shown, not enforced (every layer is usable by every function
on this host, which has one account).
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from host.core import layer_rules as rules
from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
    validation_message,
)
from host.core.model import CodeRef, LayerRef, LayerVersion, timestamp
from host.core.names import layer_arn
from host.core.paging import page
from host.core.validation import LAYER_ARN_PATTERN, problem
from host.service.s3_code import get_object_failed
from host.store.layers import LayerStore
from host.store.packages import PackageStore

LAYER_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:"
    r"[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
)
NOT_FOUND = rules.NOT_FOUND
PAGE_SIZE = 50


class LayerService:
    def __init__(
        self,
        *,
        region: str,
        account: str,
        store: LayerStore,
        packages: PackageStore,
        fetch_code: Callable[[Mapping[str, Any]], bytes] | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.store = store
        self.packages = packages
        self.fetch_code = fetch_code  # Content.S3Bucket/S3Key -> the zip's bytes (None: S3 not available)

    def name_of(self, value: str) -> str:
        if len(value) > 140 or not re.fullmatch(LAYER_NAME_PATTERN, value):
            raise rules.layer_name_problem(value, LAYER_NAME_PATTERN)
        return value.rsplit(":", 1)[-1] if value.startswith("arn:") else value

    def arn(self, name: str, version: int | None = None) -> str:
        return layer_arn(self.region, self.account, name, version)

    # -- publish, read, delete --------------------------------------------------------------------

    def publish(self, name_value: str, params: Mapping[str, Any]) -> LayerVersion:
        name = self.name_of(name_value)
        rules.check_publish(params)
        code = self._code(params.get("Content") or {})
        runtimes = params.get("CompatibleRuntimes")
        architectures = params.get("CompatibleArchitectures")

        def build(version: int) -> LayerVersion:
            return LayerVersion(
                name=name,
                version=version,
                arn=self.arn(name, version),
                layer_arn=self.arn(name),
                description=params.get("Description") or "",
                created_date=timestamp(),
                code=code,
                compatible_runtimes=tuple(runtimes) if runtimes is not None else None,
                compatible_architectures=tuple(architectures) if architectures is not None else None,
                license_info=params.get("LicenseInfo"),
            )

        return self.store.publish(name, build)

    def _code(self, content: Mapping[str, Any]) -> CodeRef:
        if content.get("ZipFile") is not None:
            try:
                data = base64.b64decode(content["ZipFile"])
            except (binascii.Error, ValueError) as exc:
                raise InvalidParameterValue(
                    "Could not unzip uploaded file. Please check your file, then try to upload again."
                ) from exc
            return self.packages.store_zip(data)
        if content.get("S3Bucket") and self.fetch_code is not None:
            return self.packages.store_zip(self.fetch_code(content), from_s3=True)
        if content.get("S3Bucket"):  # no AWS endpoint to read S3 from, so no bucket exists
            raise get_object_failed("NoSuchBucket", "The specified bucket does not exist")
        raise InvalidParameterValue("Please provide a source for layer code (Content.ZipFile or Content.S3Bucket).")

    def get(self, name_value: str, version: int) -> LayerVersion:
        rules.check_version(version)
        layer = self.store.get(self.name_of(name_value), version)
        if layer is None:
            raise ResourceNotFound(NOT_FOUND)
        return layer

    def get_by_arn(self, arn: str) -> LayerVersion:
        if not re.fullmatch(LAYER_ARN_PATTERN, arn):
            constraint = f"Member must satisfy regular expression pattern: {LAYER_ARN_PATTERN}"
            raise ValidationError(validation_message([problem(arn, "arn", constraint)]))
        parts = arn.split(":")
        layer = self.store.get(parts[6], int(parts[7])) if len(parts) == 8 else None
        if layer is None or layer.arn != arn:
            raise ResourceNotFound(NOT_FOUND)
        return layer

    def delete(self, name_value: str, version: int) -> None:
        """Deleting a version that is not there is no error (recorded); functions using it keep it."""
        rules.check_version(version)
        self.store.delete(self.name_of(name_value), version)

    # -- listings ---------------------------------------------------------------------------------

    def versions(
        self,
        name_value: str,
        marker: str | None,
        max_items: int | None,
        runtime: str | None = None,
        architecture: str | None = None,
    ) -> tuple[list[LayerVersion], str | None]:
        """ListLayerVersions: newest first, only versions naming the filters' runtime and architecture."""
        rules.check_filters(runtime, architecture, max_items)
        found = [
            v
            for v in self.store.versions(self.name_of(name_value))
            if rules.matches(v.compatible_runtimes, v.compatible_architectures, runtime, architecture)
        ]
        return page(found, lambda v: f"{10**12 - v.version:013d}", marker, max_items, PAGE_SIZE)

    def latest_per_layer(
        self,
        marker: str | None = None,
        max_items: int | None = None,
        runtime: str | None = None,
        architecture: str | None = None,
    ) -> tuple[list[LayerVersion], str | None]:
        """ListLayers: each layer with its newest version that passes the filters (none: not listed)."""
        rules.check_filters(runtime, architecture, max_items)
        latest = []
        for name in self.store.names():
            match = next(
                (
                    v
                    for v in self.store.versions(name)
                    if rules.matches(v.compatible_runtimes, v.compatible_architectures, runtime, architecture)
                ),
                None,
            )
            if match is not None:
                latest.append(match)
        return page(latest, lambda v: v.name, marker, max_items, PAGE_SIZE)

    # -- permissions ------------------------------------------------------------------------------

    def _existing(self, name_value: str, version: int) -> LayerVersion:
        name = self.name_of(name_value)
        layer = self.store.get(name, version)
        if layer is None:
            raise ResourceNotFound(rules.version_not_found(self.arn(name, version)))
        return layer

    def add_permission(
        self, name_value: str, version: int, params: Mapping[str, Any], revision_id: str | None
    ) -> tuple[dict, str]:
        """AddLayerVersionPermission: the statement added and the policy's new RevisionId."""
        rules.check_permission(params)
        layer = self._existing(name_value, version)
        if revision_id and revision_id != layer.policy_revision:
            raise PreconditionFailed(rules.POLICY_REVISION_MISMATCH)
        sid = params["StatementId"]
        if any(s["Sid"] == sid for s in layer.policy):
            raise ResourceConflict(
                f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the "
                "existing statement."
            )
        added = rules.statement(params, layer.arn)
        revision = str(uuid.uuid4())
        self.store.put(layer.with_changes(policy=(*layer.policy, added), policy_revision=revision))
        return added, revision

    def policy(self, name_value: str, version: int) -> tuple[dict, str]:
        """GetLayerVersionPolicy: the policy document and its RevisionId."""
        layer = self._existing(name_value, version)
        if not layer.policy:
            raise ResourceNotFound(rules.NO_POLICY)
        return {"Version": "2012-10-17", "Id": "default", "Statement": list(layer.policy)}, layer.policy_revision

    def remove_permission(self, name_value: str, version: int, sid: str, revision_id: str | None) -> None:
        rules.check_statement_id(sid)
        layer = self._existing(name_value, version)
        kept = tuple(s for s in layer.policy if s["Sid"] != sid)
        if len(kept) == len(layer.policy):
            raise ResourceNotFound(f"Statement {sid} is not found in resource policy.")
        if revision_id and revision_id != layer.policy_revision:
            raise PreconditionFailed(rules.POLICY_REVISION_MISMATCH)
        self.store.put(layer.with_changes(policy=kept, policy_revision=str(uuid.uuid4()) if kept else None))

    # -- for functions ----------------------------------------------------------------------------

    def reference(self, arn: str) -> LayerRef:
        """A function's reference to the layer version ``arn``, which must exist."""
        parts = arn.split(":")
        layer = self.store.get(parts[6], int(parts[7])) if len(parts) == 8 and parts[7].isdigit() else None
        if layer is None or layer.arn != arn:
            raise InvalidParameterValue(f"Layer version {arn} does not exist.")
        return LayerRef(layer.arn, layer.code.size, layer.code)
