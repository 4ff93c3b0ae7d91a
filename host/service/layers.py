"""Publishing and reading layer versions, with AWS's checks and messages."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from host.core import validation
from host.core.errors import (
    InvalidParameterValue,
    ResourceNotFound,
    ValidationError,
    validation_message,
)
from host.core.model import LayerRef, LayerVersion, timestamp
from host.core.names import layer_arn
from host.store.layers import LayerStore
from host.store.packages import PackageStore

LAYER_NAME_PATTERN = r"(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
NOT_FOUND = "The resource you requested does not exist."
PAGE_SIZE = 50


class LayerService:
    def __init__(self, *, region: str, account: str, store: LayerStore, packages: PackageStore) -> None:
        self.region = region
        self.account = account
        self.store = store
        self.packages = packages

    def name_of(self, value: str) -> str:
        if len(value) > 140 or not re.fullmatch(LAYER_NAME_PATTERN, value):
            raise ValidationError(
                validation_message(
                    [
                        validation.problem(
                            value, "layerName", f"Member must satisfy regular expression pattern: {LAYER_NAME_PATTERN}"
                        )
                    ]
                )
            )
        return value.rsplit(":", 1)[-1] if value.startswith("arn:") else value

    def publish(self, name_value: str, params: Mapping[str, Any]) -> LayerVersion:
        name = self.name_of(name_value)
        problems = validation.Problems()
        runtimes = params.get("CompatibleRuntimes")
        if runtimes is not None and any(r not in validation.AWS_RUNTIMES for r in runtimes):
            problems.add(
                "[" + ", ".join(runtimes) + "]",
                "compatibleRuntimes",
                "Member must satisfy enum value set: [" + ", ".join(validation.AWS_RUNTIMES) + "]",
            )
        architectures = params.get("CompatibleArchitectures")
        if architectures is not None and any(a not in validation.ARCHITECTURES for a in architectures):
            problems.add(
                "[" + ", ".join(architectures) + "]",
                "compatibleArchitectures",
                "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
                "Member must not be null]",
            )
        problems.raise_if_any()
        content = params.get("Content") or {}
        if content.get("ZipFile") is None:
            raise InvalidParameterValue("Please provide a source for layer code (Content.ZipFile).")
        try:
            data = base64.b64decode(content["ZipFile"])
        except (binascii.Error, ValueError) as exc:
            raise InvalidParameterValue(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            ) from exc
        code = self.packages.store_zip(data)

        def build(version: int) -> LayerVersion:
            return LayerVersion(
                name=name,
                version=version,
                arn=layer_arn(self.region, self.account, name, version),
                layer_arn=layer_arn(self.region, self.account, name),
                description=params.get("Description") or "",
                created_date=timestamp(),
                code=code,
                compatible_runtimes=tuple(runtimes) if runtimes is not None else None,
                compatible_architectures=tuple(architectures) if architectures is not None else None,
                license_info=params.get("LicenseInfo"),
            )

        return self.store.publish(name, build)

    def get(self, name_value: str, version: int) -> LayerVersion:
        if version < 1:
            raise InvalidParameterValue("Layer Version Cannot be less than 1")
        layer = self.store.get(self.name_of(name_value), version)
        if layer is None:
            raise ResourceNotFound(NOT_FOUND)
        return layer

    def get_by_arn(self, arn: str) -> LayerVersion:
        if not re.fullmatch(validation.LAYER_ARN_PATTERN, arn):
            raise ValidationError(
                validation_message(
                    [
                        validation.problem(
                            arn,
                            "arn",
                            f"Member must satisfy regular expression pattern: {validation.LAYER_ARN_PATTERN}",
                        )
                    ]
                )
            )
        parts = arn.split(":")
        layer = self.store.get(parts[6], int(parts[7]))
        if layer is None:
            raise ResourceNotFound(NOT_FOUND)
        return layer

    def versions(
        self, name_value: str, marker: str | None, max_items: int | None
    ) -> tuple[list[LayerVersion], str | None]:
        versions = self.store.versions(self.name_of(name_value))
        start = int(marker) if marker and marker.isdigit() else 0
        size = min(max_items or PAGE_SIZE, PAGE_SIZE)
        page = versions[start : start + size]
        return page, str(start + size) if start + size < len(versions) else None

    def latest_per_layer(self) -> list[LayerVersion]:
        return [versions[0] for name in self.store.names() if (versions := self.store.versions(name))]

    def delete(self, name_value: str, version: int) -> None:
        if version < 1:
            raise InvalidParameterValue("Layer Version Cannot be less than 1")
        self.store.delete(self.name_of(name_value), version)

    def reference(self, arn: str) -> LayerRef:
        """A function's reference to the layer version ``arn``, which must exist."""
        parts = arn.split(":")
        layer = self.store.get(parts[6], int(parts[7])) if len(parts) == 8 and parts[7].isdigit() else None
        if layer is None or layer.arn != arn:
            raise InvalidParameterValue(f"Layer version {arn} does not exist.")
        return LayerRef(layer.arn, layer.code.size, layer.code)
