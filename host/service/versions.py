"""Published versions and aliases: immutable snapshots of $LATEST, and names that route to them.

1. ``publish`` freezes $LATEST's code and configuration as the next version number. If
   nothing changed since the newest version, that version is returned instead (AWS keeps
   its old description). Code from a local folder is zipped into the store at publish
   time, so a version never changes under its users.
2. ``lookup`` says which configuration a qualifier names: $LATEST, a version, or the
   version an alias points at (routed by the alias's weights when invoking).
3. Aliases point at a version and may send a share of invocations (0.0-1.0) to one
   more version.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from host.core import routing
from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
    function_not_found,
    validation_message,
)
from host.core.model import LATEST, Alias, CodeRef, FunctionConfig, timestamp
from host.core.names import FunctionRef
from host.core.validation import problem
from host.service.functions import REVISION_MISMATCH, FunctionService
from host.store.packages import folder_digest, zip_folder

ALIAS_NAME_PATTERN = r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
ALIAS_VERSION_PATTERN = r"(\$LATEST(\.PUBLISHED)?|[0-9]+)"
PAGE_SIZE = 50


class VersionService:
    def __init__(self, functions: FunctionService) -> None:
        self.functions = functions
        self.store = functions.store

    # -- which configuration a qualifier names ------------------------------------------------

    def lookup(self, ref: FunctionRef, route: bool = False) -> FunctionConfig | None:
        """$LATEST, a version, or an alias's version (drawn by its weights if ``route``); None if none."""
        qualifier = ref.qualifier
        if qualifier in (None, LATEST):
            return self.store.get(ref.name)
        if qualifier.isdigit():
            return self.store.version(ref.name, qualifier)
        alias = self.store.alias(ref.name, qualifier)
        if alias is None:
            return None
        version = routing.route(alias) if route else alias.function_version
        return self.store.version(ref.name, version)

    def get(self, value: str, qualifier: str | None = None) -> tuple[FunctionConfig, FunctionRef]:
        """What GetFunction and GetFunctionConfiguration show, or AWS's 404.

        The 404 names the qualifier when one was given, even if the function itself is
        missing (``Function not found: arn:...:function:f:$LATEST``), as AWS does.
        """
        ref = self.functions.ref(value, qualifier)
        function = self.lookup(ref) if self.store.get(ref.name) is not None else None
        if function is None:
            raise function_not_found(self.functions.arn(ref.name, ref.qualifier))
        return function, ref

    # -- versions -------------------------------------------------------------------------------

    def publish(self, value: str, params: Mapping[str, Any], internal: bool = False) -> FunctionConfig:
        """PublishVersion (``internal``: Publish=True on a create or update, while it is still settling)."""
        with self.functions.lock:
            latest, _ = self.functions.get(value)
            sha = params.get("CodeSha256")
            if sha and sha != latest.code.sha256:
                raise InvalidParameterValue(
                    f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({latest.code.sha256}). "
                    "Please try again with the CodeSHA256 in $LATEST."
                )
            if params.get("RevisionId") and params["RevisionId"] != latest.revision_id:
                raise PreconditionFailed(REVISION_MISMATCH)
            if not internal and (latest.state == "Pending" or latest.last_update_status == "InProgress"):
                raise ResourceConflict(
                    "The operation cannot be performed at this time. An update is in progress for resource: "
                    f"{latest.arn}"
                )
            source = self._source_key(latest)
            newest = (self.store.versions(latest.name) or [None])[-1]
            if newest is not None and newest.published_from == source:
                return newest  # nothing changed since: AWS answers with that version, as it was
            code = self._frozen_code(latest.code)
            description = params.get("Description")
            version = self.store.publish(
                latest.name,
                lambda number: latest.with_changes(
                    version=str(number),
                    code=code,
                    description=latest.description if description is None else description,
                    revision_id=str(uuid.uuid4()),
                    last_modified=timestamp(),
                    published_from=source,
                    **_published_state(latest),
                ),
            )
            self.store.put(latest.with_changes(revision_id=str(uuid.uuid4())))  # publishing moves $LATEST's too
        self.functions.on_active(version.runtime)
        return version

    def _source_key(self, latest: FunctionConfig) -> str:
        """What identifies $LATEST's code and configuration (a folder's files by their stat).

        Settings added after versions were first stored join the key only when set, so a
        version published before keeps matching an unchanged $LATEST.
        """
        layers = ",".join(layer.arn for layer in latest.layers)
        key = "|".join(
            (
                latest.code.sha256, latest.revision_key, latest.description, latest.tracing_mode,
                ",".join(latest.architectures), layers,
            )
        )  # fmt: skip
        if latest.dead_letter_target:
            key += "|dlq=" + latest.dead_letter_target
        if latest.vpc is not None:
            key += f"|vpc={latest.vpc}"
        if latest.snap_start != "None":
            key += "|snapstart=" + latest.snap_start
        if latest.code.local:
            key += "|" + folder_digest(latest.code.path)
        return key

    def _frozen_code(self, code: CodeRef) -> CodeRef:
        if not code.local:
            return code
        return self.functions.packages.store_zip(zip_folder(Path(code.path)))

    def versions(
        self, value: str, marker: str | None, max_items: int | None
    ) -> tuple[list[FunctionConfig], str | None]:
        latest, _ = self.functions.get(value)
        everything = [latest, *self.store.versions(latest.name)]
        start = int(marker) if marker and marker.isdigit() else 0
        size = min(max_items or PAGE_SIZE, PAGE_SIZE)
        page = everything[start : start + size]
        return page, str(start + size) if start + size < len(everything) else None

    def delete(self, value: str, qualifier: str | None = None) -> None:
        """DeleteFunction: the whole function, or with a qualifier one version (a missing one is no error).

        A qualifier is an alias when it matches AWS's alias pattern, so ``$latest`` or
        ``$LATEST.PUBLISHED`` is treated as a version that does not exist (204, or the
        function's 404), as AWS answers.
        """
        ref = self.functions.ref(value, qualifier)
        if ref.qualifier == LATEST:
            raise InvalidParameterValue("$LATEST version cannot be deleted without deleting the function.")
        if ref.qualifier is not None and is_alias_name(ref.qualifier):
            raise InvalidParameterValue("Deletion of aliases is not currently supported.")
        if ref.qualifier is None:
            self.functions.delete(ref.name)
            return
        if self.store.get(ref.name) is None:
            raise function_not_found(self.functions.arn(ref.name))
        self.delete_version(ref.name, ref.qualifier)

    def delete_version(self, name: str, version: str) -> None:
        with self.functions.lock:
            referring = [a.name for a in self.store.aliases(name) if version in _versions_of(a)]
            if referring:
                raise ResourceConflict(
                    "Unable to delete version because the following aliases reference it: " + _java_list(referring)
                )
            self.store.delete_version(name, version)
        self.functions.on_change(name)  # its environments go

    # -- aliases --------------------------------------------------------------------------------

    def alias_arn(self, function: str, alias: str) -> str:
        return self.functions.arn(function, alias)

    def _check_alias(self, name: str | None, version: str | None, weights: Mapping | None) -> None:
        problems = []
        if name is not None:
            if len(name) > 128:
                problems.append(problem(name, "name", "Member must have length less than or equal to 128"))
            if not re.fullmatch(ALIAS_NAME_PATTERN, name):
                problems.append(
                    problem(name, "name", f"Member must satisfy regular expression pattern: {ALIAS_NAME_PATTERN}")
                )
        if version is not None and not re.fullmatch(ALIAS_VERSION_PATTERN, str(version)):
            problems.append(
                problem(
                    version,
                    "functionVersion",
                    f"Member must satisfy regular expression pattern: {ALIAS_VERSION_PATTERN}",
                )
            )
        if weights:
            shown = "{" + ", ".join(f"{k}={_java_number(v)}" for k, v in weights.items()) + "}"
            if any(not re.fullmatch(r"[0-9]+", str(k)) for k in weights):
                problems.append(
                    problem(
                        shown,
                        "routingConfig.additionalVersionWeights",
                        "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
                        "Member must have length greater than or equal to 1, Member must satisfy regular expression "
                        "pattern: [0-9]+]",
                    )
                )
            elif any(
                isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0
                for v in weights.values()
            ):
                problems.append(
                    problem(
                        shown,
                        "routingConfig.additionalVersionWeights",
                        "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                        "Member must have value greater than or equal to 0.0, Member must not be null]",
                    )
                )
        if problems:
            raise ValidationError(validation_message(problems))
        if weights and len(weights) > 1:
            raise InvalidParameterValue("Number of items in AdditionalVersionWeights cannot be greater than 1")

    def _check_targets(self, function: str, version: str, weights: Mapping) -> None:
        if version in weights:
            raise InvalidParameterValue(
                f"Invalid function version {version}. Function version {version} is already included in routing "
                "configuration."
            )
        if weights and version == LATEST:
            raise InvalidParameterValue("$LATEST is not supported for an alias pointing to more than 1 version")
        for target in (version, *weights):
            if self.store.version(function, target) is None:
                raise function_not_found(self.functions.arn(function, target))

    def create_alias(self, value: str, params: Mapping[str, Any]) -> Alias:
        name, version = params.get("Name"), params.get("FunctionVersion")
        weights = _weights(params)
        problems = []
        if name is None:
            problems.append(problem(None, "name", "Member must not be null"))
        if version is None:
            problems.append(problem(None, "functionVersion", "Member must not be null"))
        if problems:
            raise ValidationError(validation_message(problems))
        self._check_alias(name, version, weights)
        with self.functions.lock:
            ref = self.functions.ref(value)
            if self.store.get(ref.name) is None:
                raise function_not_found(self.functions.arn(ref.name, version))
            self._check_targets(ref.name, version, weights)
            if self.store.alias(ref.name, name) is not None:
                raise ResourceConflict(f"Alias already exists: {self.alias_arn(ref.name, name)}")
            alias = Alias(
                function_name=ref.name,
                name=name,
                arn=self.alias_arn(ref.name, name),
                function_version=version,
                description=params.get("Description") or "",
                revision_id=str(uuid.uuid4()),
                additional_weights=tuple((k, float(v)) for k, v in weights.items()),
            )
            self.store.put_alias(alias)
        return alias

    def get_alias(self, value: str, name: str) -> Alias:
        ref = self.functions.ref(value)
        alias = self.store.alias(ref.name, name)
        if alias is None:
            raise ResourceNotFound(f"Cannot find alias arn: {self.alias_arn(ref.name, name)}")
        return alias

    def update_alias(self, value: str, name: str, params: Mapping[str, Any]) -> Alias:
        version = params.get("FunctionVersion")
        weights = _weights(params) if params.get("RoutingConfig") is not None else None
        self._check_alias(None, version, weights)
        with self.functions.lock:
            ref = self.functions.ref(value)
            alias = self.store.alias(ref.name, name)
            if alias is None:
                raise ResourceNotFound(f"Alias not found: {self.alias_arn(ref.name, name)}")
            if params.get("RevisionId") and params["RevisionId"] != alias.revision_id:
                raise PreconditionFailed(REVISION_MISMATCH)
            version = version or alias.function_version
            if weights is None:
                weights = dict(alias.additional_weights)
            self._check_targets(ref.name, version, weights)
            description = params.get("Description")
            updated = alias.with_changes(
                function_version=version,
                description=alias.description if description is None else description,
                revision_id=str(uuid.uuid4()),
                additional_weights=tuple((k, float(v)) for k, v in weights.items()),
            )
            self.store.put_alias(updated)
        self.functions.on_change(updated.function_name)  # provisioned concurrency follows the alias
        return updated

    def delete_alias(self, value: str, name: str) -> None:
        ref = self.functions.ref(value)
        if self.store.delete_alias(ref.name, name) is not None:
            self.functions.on_change(ref.name)  # its URL goes with it

    def aliases(
        self, value: str, version: str | None, marker: str | None, max_items: int | None
    ) -> tuple[list[Alias], str | None]:
        latest, _ = self.functions.get(value)
        found = [a for a in self.store.aliases(latest.name) if version is None or a.function_version == version]
        start = int(marker) if marker and marker.isdigit() else 0
        size = min(max_items or PAGE_SIZE, PAGE_SIZE)
        page = found[start : start + size]
        return page, str(start + size) if start + size < len(found) else None


def is_alias_name(qualifier: str) -> bool:
    """Whether a qualifier names an alias by AWS's pattern (not a number, nothing like ``$LATEST``)."""
    return re.fullmatch(ALIAS_NAME_PATTERN, qualifier) is not None


def _published_state(latest: FunctionConfig) -> dict:
    """A version is Active at once, unless $LATEST is still waiting for its runtime image."""
    if latest.state == "Pending" or latest.last_update_status == "InProgress":
        return {
            "state": "Pending",
            "state_reason": "The function is being created.",
            "state_reason_code": "Creating",
            "last_update_status": None,
        }
    return {"state": "Active", "state_reason": None, "state_reason_code": None, "last_update_status": "Successful"}


def _weights(params: Mapping[str, Any]) -> dict:
    return dict(((params.get("RoutingConfig") or {}).get("AdditionalVersionWeights")) or {})


def _versions_of(alias: Alias) -> set[str]:
    return {alias.function_version, *(version for version, _ in alias.additional_weights)}


def _java_number(value: Any) -> str:
    """A weight as Java prints a Double (``2.0``); anything else as it came, null for none."""
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(float(value))
    return str(value)


def _java_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"
