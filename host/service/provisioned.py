"""Provisioned concurrency: Put/Get/List/DeleteProvisionedConcurrencyConfig, and keeping it true.

A configuration names a published version or an alias (never $LATEST) and a count. The
host starts that many environments of the version at once and initialises them before
any invocation (``AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency``, no Init
Duration on their REPORT lines); they serve the version's invocations first, more
invocations spill over to on-demand environments, and they are never reaped while
configured. Status goes IN_PROGRESS -> READY (or FAILED with
FUNCTION_ERROR_INIT_FAILURE when one cannot initialise), as on AWS. Configurations are
kept in SQLite and provisioned again when the host starts; an alias moved to another
version is provisioned again for the new one.

Checks and messages follow AWS's recorded answers (LocalStack's AWS-validated snapshots).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from host.core.errors import (
    InvalidParameterValue,
    LambdaApiError,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
    function_not_found,
    validation_message,
)
from host.core.model import LATEST, FunctionConfig, ProvisionedConcurrency
from host.core.paging import page
from host.core.states import EnvState
from host.core.validation import problem
from host.service.functions import ACCOUNT_CONCURRENCY, MIN_UNRESERVED, FunctionService

if TYPE_CHECKING:
    from host.environments.scheduler import Scheduler
    from host.store.functions import FunctionStore

log = logging.getLogger("lambda_host.provisioned")

PAGE_SIZE = 50
PUT_LATEST = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
READ_LATEST = "The function resource provided must be an alias or a published version."
NOT_FOUND = "No Provisioned Concurrency Config found for this function"
OVER_RESERVED = (
    "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function"
)
ALIAS_ON_PROVISIONED_VERSION = (
    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
)
VERSION_UNDER_ALIAS = "Version is pointed by a Provisioned Concurrency alias"
INIT_FAILURE = "FUNCTION_ERROR_INIT_FAILURE"
READY_STATES = frozenset({EnvState.IDLE, EnvState.INVOKING, EnvState.RESETTING})
FAILED_STATES = frozenset({EnvState.FAILED, EnvState.DESTROYING, EnvState.DESTROYED})


class ProvisionedConfigNotFound(LambdaApiError):
    code = "ProvisionedConcurrencyConfigNotFoundException"


def last_modified(at: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(at if at is not None else time.time()))


class ProvisionedService:
    def __init__(self, functions: FunctionService, provisioner: Provisioner | None = None) -> None:
        self.functions = functions
        self.store = functions.store
        self.provisioner = provisioner

    # -- the API --------------------------------------------------------------------------------

    def put(self, value: str, qualifier: str | None, params: Mapping[str, Any]) -> ProvisionedConcurrency:
        count = params.get("ProvisionedConcurrentExecutions")
        field = "provisionedConcurrentExecutions"
        if count is None:
            raise ValidationError(validation_message([problem(None, field, "Member must not be null")]))
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            constraint = "Member must have value greater than or equal to 1"
            raise ValidationError(validation_message([problem(count, field, constraint)]))
        with self.functions.lock:
            name, qualifier = self._target(value, qualifier, PUT_LATEST)
            function = self.store.get(name)
            others = sum(c.requested for c in self.store.provisioned_configs(name) if c.qualifier != qualifier)
            if function.reserved_concurrency is not None and others + count > function.reserved_concurrency:
                raise InvalidParameterValue(OVER_RESERVED)
            if count > ACCOUNT_CONCURRENCY:
                raise InvalidParameterValue(
                    f"Specified ConcurrentExecutions for function is greater than account's unreserved concurrency "
                    f"[{ACCOUNT_CONCURRENCY}].",
                    typed=False,
                )
            if (
                function.reserved_concurrency is None
                and self._unreserved_left(name, qualifier) - count < MIN_UNRESERVED
            ):
                raise InvalidParameterValue(
                    "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
                    f"below its minimum value of [{MIN_UNRESERVED}].",
                    typed=False,
                )
            self._check_conflicts(name, qualifier)
            config = ProvisionedConcurrency(name, qualifier, count, last_modified())
            self.store.put_provisioned(config)
        if self.provisioner is not None:
            self.provisioner.apply(config)
        return config

    def get(self, value: str, qualifier: str | None) -> ProvisionedConcurrency:
        name, qualifier = self._target(value, qualifier, READ_LATEST)
        config = self.store.provisioned(name, qualifier)
        if config is None:
            raise ProvisionedConfigNotFound(NOT_FOUND)
        return config

    def delete(self, value: str, qualifier: str | None) -> None:
        with self.functions.lock:
            name, qualifier = self._target(value, qualifier, READ_LATEST)
            removed = self.store.delete_provisioned(name, qualifier)
        if removed is not None and self.provisioner is not None:
            self.provisioner.remove(name, qualifier)

    def list(
        self, value: str, marker: str | None, max_items: int | None
    ) -> tuple[list[ProvisionedConcurrency], str | None]:
        ref = self.functions.ref(value)
        if self.store.get(ref.name) is None:
            raise function_not_found(self.functions.arn(ref.name))
        configs = self.store.provisioned_configs(ref.name)
        return page(configs, lambda c: c.qualifier, marker, max_items, PAGE_SIZE)

    def function_arn(self, config: ProvisionedConcurrency) -> str:
        return self.functions.arn(config.function_name, config.qualifier)

    def total(self, name: str) -> int:
        """Provisioned concurrency of all of the function's versions and aliases together."""
        return sum(c.requested for c in self.store.provisioned_configs(name))

    # -- helpers --------------------------------------------------------------------------------

    def _target(self, value: str, qualifier: str | None, latest_message: str) -> tuple[str, str]:
        """The function's name and the version or alias meant, which must exist (AWS's 404s)."""
        ref = self.functions.ref(value, qualifier)
        if ref.qualifier is None:
            raise ValidationError(
                validation_message([problem(None, "qualifier", "Member must not be null")])
            )  # boto3 never sends this; AWS's answer is not recorded
        if ref.qualifier == LATEST:
            raise InvalidParameterValue(latest_message)
        name, target = ref.name, ref.qualifier
        exists = self.store.get(name) is not None
        if target.isdigit():
            if not exists or self.store.version(name, target) is None:
                raise ResourceNotFound(f"Function not found: {self.functions.arn(name, target)}")
        elif not exists or self.store.alias(name, target) is None:
            raise ResourceNotFound(f"Cannot find alias arn: {self.functions.arn(name, target)}")
        return name, target

    def _unreserved_left(self, name: str, qualifier: str) -> int:
        """The account's unreserved concurrency once reservations and other provisioned configs are taken."""
        functions = self.store.all()
        reserved = sum(f.reserved_concurrency or 0 for f in functions)
        provisioned = sum(
            c.requested
            for f in functions
            if f.reserved_concurrency is None
            for c in self.store.provisioned_configs(f.name)
            if (c.function_name, c.qualifier) != (name, qualifier)
        )
        return ACCOUNT_CONCURRENCY - reserved - provisioned

    def _check_conflicts(self, name: str, qualifier: str) -> None:
        """One configuration per version, whether it is put on the version or on an alias of it."""
        if qualifier.isdigit():
            for alias in self.store.aliases(name):
                if alias.function_version == qualifier and self.store.provisioned(name, alias.name) is not None:
                    raise ResourceConflict(VERSION_UNDER_ALIAS)
        else:
            alias = self.store.alias(name, qualifier)
            if self.store.provisioned(name, alias.function_version) is not None:
                raise ResourceConflict(ALIAS_ON_PROVISIONED_VERSION)


class Provisioner:
    """Keeps the environments of every configuration started (on the event loop)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        scheduler: Scheduler,
        store: FunctionStore,
        resolve: Callable[[str, str], FunctionConfig | None],
    ) -> None:
        self.loop = loop
        self.scheduler = scheduler
        self.store = store
        self.resolve = resolve  # (name, qualifier) -> the version's FunctionConfig, or None
        self.running: dict[tuple[str, str], tuple[tuple, list, asyncio.Task | None]] = {}

    def apply(self, config: ProvisionedConcurrency) -> None:
        """Provision ``config`` (from any thread)."""
        self.loop.call_soon_threadsafe(self._apply, config)

    def remove(self, name: str, qualifier: str) -> None:
        self.loop.call_soon_threadsafe(self._remove, name, qualifier)

    def start(self) -> None:
        """Provision every stored configuration (the host is starting). On the loop."""
        for config in self.store.provisioned_configs():
            self._apply(config.with_changes(status="IN_PROGRESS", status_reason=None))

    def follow(self, name: str) -> None:
        """The function changed: configurations whose alias now points elsewhere are provisioned again."""

        def check() -> None:
            for config in self.store.provisioned_configs(name):
                current = self.running.get((config.function_name, config.qualifier))
                function = self.resolve(config.function_name, config.qualifier)
                if current is None or function is None or current[0] != function.environment_key:
                    self._apply(config.with_changes(status="IN_PROGRESS", status_reason=None))
            for key in [k for k in self.running if k[0] == name]:
                if self.store.provisioned(*key) is None:
                    self._remove(*key)

        self.loop.call_soon_threadsafe(check)

    def _apply(self, config: ProvisionedConcurrency) -> None:
        key = (config.function_name, config.qualifier)
        self._remove(*key)
        function = self.resolve(config.function_name, config.qualifier)
        if function is None:
            return
        envs = self.scheduler.provision(function, config.requested)
        watcher = self.loop.create_task(self._watch(config, envs))
        self.running[key] = (function.environment_key, envs, watcher)

    def _remove(self, name: str, qualifier: str) -> None:
        current = self.running.pop((name, qualifier), None)
        if current is not None:
            _, envs, watcher = current
            if watcher is not None:
                watcher.cancel()
            self.scheduler.release(envs)

    async def _watch(self, config: ProvisionedConcurrency, envs: list) -> None:
        """IN_PROGRESS until every environment has initialised (READY) or one could not (FAILED)."""
        if config.status != "IN_PROGRESS":
            config = config.with_changes(status="IN_PROGRESS", status_reason=None)
            await self._store(config)
        while True:
            await asyncio.sleep(0.05)
            if any(env.state in FAILED_STATES for env in envs):
                log.warning(
                    "%s:%s: provisioned concurrency failed to initialise", config.function_name, config.qualifier
                )
                await self._store(config.with_changes(status="FAILED", status_reason=INIT_FAILURE))
                self._remove(config.function_name, config.qualifier)  # invocations go on demand, as on AWS
                return
            if all(env.state in READY_STATES for env in envs):
                await self._store(config.with_changes(status="READY", status_reason=None))
                return

    def _revise(self, config: ProvisionedConcurrency) -> None:
        """Concurrency allocated to a version gives it a new RevisionId (recorded through its alias)."""
        version = self.resolve(config.function_name, config.qualifier)
        if version is not None and self.store.version(version.name, version.version) == version:
            self.store.put(version.with_changes(revision_id=str(uuid.uuid4())))

    async def _store(self, config: ProvisionedConcurrency) -> None:
        def put() -> None:
            current = self.store.provisioned(config.function_name, config.qualifier)
            if current is not None and current.requested == config.requested:  # not replaced or deleted since
                self.store.put_provisioned(config.with_changes(last_modified=current.last_modified))
                if config.status == "READY" and current.status != "READY":
                    self._revise(config)

        await self.loop.run_in_executor(None, put)
