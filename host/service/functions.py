"""Deploying functions: create, read, update and delete, checked and stored as Lambda does it.

A new or updated function answers as AWS does (``State: Pending`` after create,
``LastUpdateStatus: InProgress`` after an update) and becomes ``Active`` /
``Successful`` as soon as its runtime image is there, normally before the response is
sent; a runtime with no image here leaves the function ``Failed`` with the reason.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from host.core import validation
from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ValidationError,
    function_not_found,
    validation_message,
)
from host.core.model import LATEST, CodeRef, FunctionConfig, LayerRef, timestamp
from host.core.names import MAX_SHORT_NAME, FunctionRef, function_arn, parse_function_name
from host.core.paging import page
from host.images.catalog import RuntimeCatalog
from host.service.layers import LayerService
from host.store.functions import FunctionStore
from host.store.packages import PackageStore

log = logging.getLogger("lambda_host.functions")

ACCOUNT_CONCURRENCY = 1000  # AWS's default account limit, which this host reports
MIN_UNRESERVED = 100  # AWS keeps this many of the account's concurrency unreserved

LOCAL_CODE_BUCKETS = ("hot-reload", "__local__")  # S3Bucket markers for a folder on this machine
CREATING_REASON = "The function is being created."
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
    "retrieve the latest Revision Id"
)
PAGE_SIZE = 50
UNQUALIFIED_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
    "Please specify either a function name or an unqualified function ARN."
)
TAGS_QUALIFIED = "Tags on function aliases and versions are not supported. Please specify a function ARN."
# No AWS recording of this message was found; the wording follows AWS's other DLQ messages
# ("Invalid dead letter queue ARN: FIFO SQS queue is not supported for dead letter configuration").
DEAD_LETTER_INVALID = (
    "Invalid dead letter queue ARN: The service specified by the TargetArn is not supported for dead letter "
    "configuration."
)


class FunctionService:
    def __init__(
        self,
        *,
        region: str,
        account: str,
        store: FunctionStore,
        packages: PackageStore,
        layers: LayerService,
        catalog: RuntimeCatalog,
        on_change: Callable[[str], None] = lambda name: None,
        on_active: Callable[[str], None] = lambda runtime: None,
    ) -> None:
        self.region = region
        self.account = account
        self.store = store
        self.packages = packages
        self.layers = layers
        self.catalog = catalog
        self.on_change = on_change
        self.on_active = on_active
        self.lock = threading.RLock()
        self.background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-host-activate")

    # -- names ------------------------------------------------------------------------------

    def ref(self, value: str, qualifier: str | None = None, namespaced: bool = True) -> FunctionRef:
        return parse_function_name(value, qualifier, region=self.region, account=self.account, namespaced=namespaced)

    def arn(self, name: str, qualifier: str | None = None) -> str:
        return function_arn(self.region, self.account, name, qualifier)

    def get(self, value: str, qualifier: str | None = None) -> tuple[FunctionConfig, FunctionRef]:
        """$LATEST, or AWS's 404, which keeps a qualifier that was given (even for a missing function)."""
        ref = self.ref(value, qualifier)
        function = self.store.get(ref.name)
        if function is None or ref.qualifier not in (None, LATEST):
            raise function_not_found(self.arn(ref.name, ref.qualifier))
        return function, ref

    def list(self, marker: str | None, max_items: int | None) -> tuple[list[FunctionConfig], str | None]:
        functions = self.store.all()
        return page(functions, lambda f: f.name, marker, max_items, PAGE_SIZE)

    # -- create -----------------------------------------------------------------------------

    def create(self, params: Mapping[str, Any]) -> FunctionConfig:
        name_value = params.get("FunctionName")
        if not name_value:
            raise ValidationError(validation.problem(None, "functionName", "Member must not be null"))
        ref = self.ref(str(name_value), None, namespaced=False)
        if len(ref.name) > MAX_SHORT_NAME:
            raise InvalidParameterValue(
                validation_message(
                    [validation.problem(ref.name, "functionName", "Member must have length less than or equal to 64")]
                )
            )
        package_type = params.get("PackageType") or "Zip"
        problems = validation.Problems()
        validation.check_settings(params, problems, creating=True)
        if package_type == "Zip" and not params.get("Handler"):
            problems.add(None, "handler", "Member must not be null")
        problems.raise_if_any()
        if package_type != "Zip":
            raise InvalidParameterValue(
                "lambda-host runs Zip functions only; container-image functions are not supported."
            )
        validation.check_runtime(params.get("Runtime"))
        variables = _variables(params)
        if variables is not None:
            validation.check_environment(variables)
        layers = self._layers(params.get("Layers") or [])
        with self.lock:
            if self.store.get(ref.name) is not None:
                raise ResourceConflict(f"Function already exist: {ref.name}")
            code = self._code(params.get("Code") or {})
            function = FunctionConfig(
                name=ref.name,
                arn=self.arn(ref.name),
                runtime=params["Runtime"],
                handler=params["Handler"],
                role=params["Role"],
                code=code,
                memory_size=params.get("MemorySize") or 128,
                timeout=params.get("Timeout") or 3,
                description=params.get("Description") or "",
                environment=tuple(variables.items()) if variables is not None else None,
                ephemeral_storage=(params.get("EphemeralStorage") or {}).get("Size") or 512,
                architectures=tuple(params.get("Architectures") or ("x86_64",)),
                layers=layers,
                revision_id=str(uuid.uuid4()),
                last_modified=timestamp(),
                state="Pending",
                state_reason=CREATING_REASON,
                state_reason_code="Creating",
                last_update_status=None,
                tracing_mode=(params.get("TracingConfig") or {}).get("Mode") or "PassThrough",
                log_format=(params.get("LoggingConfig") or {}).get("LogFormat") or "Text",
                log_group=(params.get("LoggingConfig") or {}).get("LogGroup"),
                tags=tuple((params.get("Tags") or {}).items()),
                dead_letter_target=_dead_letter_target(params) or None,
            )
            self._prepare_layers(function)
            self.store.put(function)
        self.on_change(function.name)
        self._activate(function.name, function.runtime)
        return function

    # -- update -----------------------------------------------------------------------------

    def _begin_update(
        self,
        name_value: str,
        params: Mapping[str, Any],
        change: Callable[[FunctionConfig], dict],
        dry_run: bool = False,
    ) -> FunctionConfig:
        """Check and apply ``change``; with ``dry_run`` the checks only, and the configuration the change would give."""
        function, _ = self.get(name_value)
        if function.last_update_status == "InProgress":
            raise ResourceConflict(
                f"The operation cannot be performed at this time. An update is in progress for resource: {function.arn}"
            )
        revision = params.get("RevisionId")
        if revision and revision != function.revision_id:
            raise PreconditionFailed(REVISION_MISMATCH)
        changes = change(function)
        if dry_run:  # nothing stored, so RevisionId, LastModified and the state stay as they are
            return function.with_changes(**changes)
        updated = function.with_changes(
            **changes,
            revision_id=str(uuid.uuid4()),
            last_modified=timestamp(),
            last_update_status="InProgress",
            state_reason=None,
            state_reason_code=None,
        )
        self._prepare_layers(updated)
        self.store.put(updated)
        self.on_change(updated.name)
        self._activate(updated.name, updated.runtime)
        return updated

    def update_code(self, name_value: str, params: Mapping[str, Any]) -> FunctionConfig:
        """UpdateFunctionCode; ``DryRun`` checks the request and the package and changes nothing."""
        if params.get("ImageUri"):
            raise InvalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.")
        dry_run = bool(params.get("DryRun"))

        def change(_: FunctionConfig) -> dict:
            return {"code": self._code(params, check_only=dry_run)}

        with self.lock:
            return self._begin_update(name_value, params, change, dry_run=dry_run)

    def update_configuration(self, name_value: str, params: Mapping[str, Any]) -> FunctionConfig:
        problems = validation.Problems()
        validation.check_settings(params, problems, creating=False)
        problems.raise_if_any()
        if params.get("Runtime") is not None:
            validation.check_runtime(params["Runtime"])
        variables = _variables(params)
        if variables is not None:
            validation.check_environment(variables)
        layers = self._layers(params["Layers"]) if params.get("Layers") is not None else None

        def change(function: FunctionConfig) -> dict:
            changes: dict[str, Any] = {}
            simple = {
                "Runtime": "runtime",
                "Handler": "handler",
                "Role": "role",
                "MemorySize": "memory_size",
                "Timeout": "timeout",
                "Description": "description",
            }
            for key, attribute in simple.items():
                if params.get(key) is not None:
                    changes[attribute] = params[key]
            if variables is not None:
                changes["environment"] = tuple(variables.items())
            if layers is not None:
                changes["layers"] = layers
            if (params.get("EphemeralStorage") or {}).get("Size"):
                changes["ephemeral_storage"] = params["EphemeralStorage"]["Size"]
            if (params.get("TracingConfig") or {}).get("Mode"):
                changes["tracing_mode"] = params["TracingConfig"]["Mode"]
            target = _dead_letter_target(params)
            if target is not None:  # "" takes the dead-letter queue away
                changes["dead_letter_target"] = target or None
            logging_config = params.get("LoggingConfig") or {}
            if logging_config.get("LogFormat"):
                changes["log_format"] = logging_config["LogFormat"]
            if logging_config.get("LogGroup"):
                changes["log_group"] = logging_config["LogGroup"]
            return changes

        with self.lock:
            return self._begin_update(name_value, params, change)

    def refresh_local_code(self, name: str) -> bool:
        """A function running a local folder sees that folder's current files (hot reload).

        The code's fingerprint moves, and with it the key of the function's environments:
        idle ones are retired now, busy ones after their current invocation, and the next
        invoke starts from the edited files. True when something changed.
        """
        with self.lock:
            function = self.store.get(name)
            if function is None or not function.code.local:
                return False
            try:
                code = self.packages.local_folder(function.code.path)
            except InvalidParameterValue:  # the folder went away; keep what is running
                return False
            if code == function.code:
                return False
            self.store.put(function.with_changes(code=code, revision_id=str(uuid.uuid4()), last_modified=timestamp()))
        log.info("%s: code changed in %s; new environments run the new code", name, code.path)
        self.on_change(name)
        return True

    # -- delete -----------------------------------------------------------------------------

    def delete(self, name: str) -> None:
        """The function, with all its versions and aliases (qualified deletes: VersionService.delete)."""
        with self.lock:
            if self.store.get(name) is None:
                raise function_not_found(self.arn(name))
            self.store.delete(name)
        self.on_change(name)

    # -- tags and account -------------------------------------------------------------------

    def _tagged(self, arn: str) -> FunctionConfig:
        """The function an unqualified ARN names; a version, alias or $LATEST ARN is refused first, as on AWS."""
        ref = self.ref(arn)
        if ref.qualifier is not None:
            raise InvalidParameterValue(TAGS_QUALIFIED)
        function = self.store.get(ref.name)
        if function is None or not arn.startswith("arn:"):
            raise function_not_found(self.arn(ref.name))
        return function

    def tags(self, arn: str) -> dict[str, str]:
        return dict(self._tagged(arn).tags)

    def tag(self, arn: str, tags: Mapping[str, str]) -> None:
        with self.lock:
            function = self._tagged(arn)
            self.store.put(function.with_changes(tags=tuple({**dict(function.tags), **tags}.items())))

    def untag(self, arn: str, keys: list[str]) -> None:
        with self.lock:
            function = self._tagged(arn)
            self.store.put(function.with_changes(tags=tuple((k, v) for k, v in function.tags if k not in keys)))

    # -- reserved concurrency ---------------------------------------------------------------

    def put_concurrency(self, name_value: str, params: Mapping[str, Any]) -> int:
        """PutFunctionConcurrency: the account keeps at least 100 of its 1,000 unreserved, as on AWS."""
        value = params.get("ReservedConcurrentExecutions")
        field = "reservedConcurrentExecutions"
        if value is None:
            raise ValidationError(validation_message([validation.problem(None, field, "Member must not be null")]))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            constraint = "Member must have value greater than or equal to 0"
            raise ValidationError(validation_message([validation.problem(value, field, constraint)]))
        ref = self.ref(name_value)
        if ref.qualifier is not None:
            raise InvalidParameterValue(UNQUALIFIED_ONLY)
        with self.lock:
            function = self.store.get(ref.name)
            if function is None:
                raise function_not_found(self.arn(ref.name, LATEST))  # AWS names $LATEST here
            provisioned = sum(c.requested for c in self.store.provisioned_configs(function.name))
            if value < provisioned:
                raise InvalidParameterValue(
                    f" ReservedConcurrentExecutions  {value} should not be lower than function's total provisioned "
                    f"concurrency [{provisioned}]."
                )  # AWS's message, leading and double space included
            others = sum(f.reserved_concurrency or 0 for f in self.store.all() if f.name != function.name)
            if others + value > ACCOUNT_CONCURRENCY - MIN_UNRESERVED:
                raise InvalidParameterValue(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
                )
            self.store.put(function.with_changes(reserved_concurrency=value))
        return value

    def get_concurrency(self, name_value: str) -> int | None:
        function, _ = self.get(name_value)
        return function.reserved_concurrency

    def delete_concurrency(self, name_value: str) -> None:
        with self.lock:
            function, _ = self.get(name_value)
            self.store.put(function.with_changes(reserved_concurrency=None))

    def unreserved_concurrency(self) -> int:
        return ACCOUNT_CONCURRENCY - sum(f.reserved_concurrency or 0 for f in self.store.all())

    def account_usage(self) -> dict[str, int]:
        """As AWS counts it: every function's $LATEST and published versions, and every layer version."""
        functions = self.store.all()
        size = sum(f.code.size + sum(v.code.size for v in self.store.versions(f.name)) for f in functions)
        layer_store = self.layers.store
        size += sum(layer.code.size for name in layer_store.names() for layer in layer_store.versions(name))
        return {"TotalCodeSize": size, "FunctionCount": len(functions)}

    # -- helpers ----------------------------------------------------------------------------

    def _code(self, code: Mapping[str, Any], check_only: bool = False) -> CodeRef:
        """The package a request names, stored (or with ``check_only`` only checked)."""
        if code.get("ZipFile") is not None:
            try:
                data = base64.b64decode(code["ZipFile"], validate=False)
            except (binascii.Error, ValueError) as exc:
                raise InvalidParameterValue(
                    "Could not unzip uploaded file. Please check your file, then try to upload again."
                ) from exc
            return self.packages.check_zip(data) if check_only else self.packages.store_zip(data)
        bucket = code.get("S3Bucket")
        if bucket in LOCAL_CODE_BUCKETS and code.get("S3Key"):
            return self.packages.local_folder(code["S3Key"])
        if bucket:
            raise InvalidParameterValue(
                "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket "
                "does not exist"
            )
        if code.get("ImageUri"):
            raise InvalidParameterValue(
                "lambda-host runs Zip functions only; container-image functions are not supported."
            )
        raise InvalidParameterValue("Please provide a source for function code.")

    def _layers(self, arns: list[str]) -> tuple[LayerRef, ...]:
        validation.check_layer_list(arns, self.region)
        return tuple(self.layers.reference(arn) for arn in arns)

    def _prepare_layers(self, function: FunctionConfig) -> None:
        self.packages.merged_layers(layer.code for layer in function.layers)

    def opt_dir(self, function: FunctionConfig) -> str | None:
        return self.packages.merged_layers(layer.code for layer in function.layers)

    def resume_activations(self) -> None:
        """Finish the creates and updates a stopped or crashed host left Pending or InProgress."""
        for function in self.store.all():
            if function.state == "Pending" or function.last_update_status == "InProgress":
                self._activate(function.name, function.runtime)

    def close(self) -> None:
        self.background.shutdown(wait=False, cancel_futures=True)

    def _activate(self, name: str, runtime: str) -> None:
        """Finish a create or update once the runtime image is there (at once when it already is)."""
        if self.catalog.ready(runtime) or self.catalog.definition(runtime) is None:
            self._finish_activation(name, runtime)
        else:
            self.background.submit(self._finish_activation, name, runtime)

    def _finish_activation(self, name: str, runtime: str) -> None:
        failure = None
        try:
            self.catalog.image(runtime)
        except Exception as exc:
            failure = str(exc)
            log.error("function %s cannot run: %s", name, failure)
        with self.lock:
            function = self.store.get(name)
            if function is None or function.runtime != runtime:
                return
            if failure is None:
                done = function.with_changes(
                    state="Active", state_reason=None, state_reason_code=None, last_update_status="Successful"
                )
            else:
                available = ", ".join(self.catalog.available())
                reason = f"lambda-host has no runtime image for {runtime} (available: {available}): {failure}"
                done = function.with_changes(
                    state="Failed", state_reason=reason, state_reason_code="InvalidRuntime", last_update_status="Failed"
                )
            self.store.put(done.with_changes(revision_id=str(uuid.uuid4())))
            for version in self.store.versions(name):  # published by Publish=True while Pending
                if version.state == "Pending":
                    self.store.put(
                        version.with_changes(
                            state=done.state, state_reason=done.state_reason,
                            state_reason_code=done.state_reason_code, last_update_status=done.last_update_status,
                        )
                    )  # fmt: skip
        if failure is None:
            self.on_active(runtime)


def _variables(params: Mapping[str, Any]) -> dict[str, str] | None:
    environment = params.get("Environment")
    if environment is None:
        return None
    variables = environment.get("Variables") or {}
    return {str(k): str(v) for k, v in variables.items()}


def _dead_letter_target(params: Mapping[str, Any]) -> str | None:
    """DeadLetterConfig.TargetArn when given ("" clears it): an SQS queue or an SNS topic."""
    config = params.get("DeadLetterConfig")
    if config is None:
        return None
    target = (config or {}).get("TargetArn") or ""
    parts = target.split(":")
    if target and not target.startswith("arn:"):
        raise InvalidParameterValue("Invalid dead letter queue ARN: ARNs must start with 'arn:'")
    if target and (len(parts) < 6 or parts[2] not in ("sqs", "sns")):
        raise InvalidParameterValue(DEAD_LETTER_INVALID)
    return target
