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
from typing import Any

from host.core import image_config as images
from host.core import log_settings, validation
from host.core import tags as tag_rules
from host.core.errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ValidationError,
    function_not_found,
    validation_message,
)
from host.core.model import LATEST, CodeRef, FunctionConfig, ImageRef, LayerRef, timestamp
from host.core.names import MAX_SHORT_NAME, FunctionRef, function_arn, parse_function_name
from host.core.paging import page
from host.images.catalog import RuntimeCatalog
from host.service.activation import Activation
from host.service.layers import LayerService
from host.service.s3_code import get_object_failed
from host.service.vpc import VpcChecker
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
IMAGE_SETTINGS_REFUSED = (
    "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
)
IMAGE_URI_REQUIRED = "Please provide ImageUri when updating a function with packageType Image."
UNQUALIFIED_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
    "Please specify either a function name or an unqualified function ARN."
)
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
        settle_time: float = 0.0,
        fetch_code: Callable[[Mapping[str, Any]], bytes] | None = None,
        vpc: VpcChecker | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.store = store
        self.packages = packages
        self.layers = layers
        self.catalog = catalog
        self.on_change = on_change
        self.on_active = on_active
        self.fetch_code = fetch_code  # an S3Bucket/S3Key location -> the zip's bytes; None: no S3 here
        self.vpc = vpc or VpcChecker(None, region)
        self.lock = threading.RLock()
        self.activation = Activation(store, catalog, self.lock, lambda runtime: self.on_active(runtime), settle_time)

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
        log_settings.check(params, problems)
        if package_type not in ("Zip", "Image"):
            problems.add(package_type, "packageType", "Member must satisfy enum value set: [Image, Zip]")
        if package_type == "Zip" and not params.get("Handler"):
            problems.add(None, "handler", "Member must not be null")
        problems.raise_if_any()
        if package_type == "Image":
            if params.get("Handler") or params.get("Runtime") or params.get("Layers"):
                raise InvalidParameterValue(IMAGE_SETTINGS_REFUSED)
            image_config = images.image_config(params.get("ImageConfig"))
        else:
            validation.check_runtime(params.get("Runtime"))
        variables = _variables(params)
        if variables is not None:
            validation.check_environment(variables)
        layers = self._layers(params.get("Layers") or [])
        tag_rules.check_tags(params.get("Tags") or {}, required=False)
        vpc = self.vpc.settings(params["VpcConfig"]) if params.get("VpcConfig") is not None else None
        with self.lock:
            if self.store.get(ref.name) is not None:
                raise ResourceConflict(f"Function already exist: {ref.name}")
            image = None
            if package_type == "Image":
                image = self._image(params.get("Code") or {}, image_config)
                code = CodeRef(images.code_sha256(image), 0, "")
            else:
                code = self._code(params.get("Code") or {})
            function = FunctionConfig(
                name=ref.name,
                arn=self.arn(ref.name),
                runtime=params.get("Runtime") or "",
                handler=params.get("Handler") or "",
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
                **_log_changes(log_settings.apply(log_settings.LogSettings(), params)),
                tags=tuple((params.get("Tags") or {}).items()),
                dead_letter_target=_dead_letter_target(params) or None,
                snap_start=(params.get("SnapStart") or {}).get("ApplyOn") or "None",
                vpc=vpc,
                package_type=package_type,
                image=image,
            )
            self._prepare_layers(function)
            self.store.put(function)
        self.on_change(function.name)
        self._activate(function.name, function.runtime_id)
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
        self._activate(updated.name, updated.runtime_id)
        return updated

    def update_code(self, name_value: str, params: Mapping[str, Any]) -> FunctionConfig:
        """UpdateFunctionCode; ``DryRun`` checks the request and the package and changes nothing."""
        dry_run = bool(params.get("DryRun"))
        problems = validation.Problems()
        validation.check_settings({"Architectures": params.get("Architectures")}, problems, creating=False)
        problems.raise_if_any()

        def change(function: FunctionConfig) -> dict:
            if function.package_type == "Image":
                if not params.get("ImageUri") or params.get("ZipFile") is not None or params.get("S3Bucket"):
                    raise InvalidParameterValue(IMAGE_URI_REQUIRED)
                image = self._image({"ImageUri": params["ImageUri"]}, {})
                image = images.with_image_config(image, images.image_config_of(function.image))
                changes: dict[str, Any] = {"image": image, "code": CodeRef(images.code_sha256(image), 0, "")}
            elif params.get("ImageUri"):
                raise InvalidParameterValue(
                    "Please don't provide ImageUri when updating a function with packageType Zip."
                )
            else:
                changes = {"code": self._code(params, check_only=dry_run)}
            if params.get("Architectures"):  # UpdateFunctionCode may switch the architecture (recorded)
                changes["architectures"] = tuple(params["Architectures"])
            return changes

        with self.lock:
            return self._begin_update(name_value, params, change, dry_run=dry_run)

    def update_configuration(self, name_value: str, params: Mapping[str, Any]) -> FunctionConfig:
        problems = validation.Problems()
        validation.check_settings(params, problems, creating=False)
        log_settings.check(params, problems)
        problems.raise_if_any()
        if params.get("Runtime") is not None:
            validation.check_runtime(params["Runtime"])
        image_config = images.image_config(params.get("ImageConfig")) if "ImageConfig" in params else None
        variables = _variables(params)
        if variables is not None:
            validation.check_environment(variables)
        layers = self._layers(params["Layers"]) if params.get("Layers") is not None else None
        vpc = self.vpc.settings(params["VpcConfig"]) if params.get("VpcConfig") is not None else None

        def change(function: FunctionConfig) -> dict:
            changes: dict[str, Any] = {}
            if function.package_type == "Image":
                if params.get("Handler") or params.get("Runtime") or params.get("Layers"):
                    raise InvalidParameterValue(IMAGE_SETTINGS_REFUSED)
                if image_config is not None:
                    changes["image"] = images.with_image_config(function.image, image_config)
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
            if vpc is not None:
                changes["vpc"] = vpc
            if (params.get("EphemeralStorage") or {}).get("Size"):
                changes["ephemeral_storage"] = params["EphemeralStorage"]["Size"]
            if (params.get("TracingConfig") or {}).get("Mode"):
                changes["tracing_mode"] = params["TracingConfig"]["Mode"]
            target = _dead_letter_target(params)
            if target is not None:  # "" takes the dead-letter queue away
                changes["dead_letter_target"] = target or None
            changes.update(_log_changes(log_settings.apply(function.log_settings, params)))
            if (params.get("SnapStart") or {}).get("ApplyOn"):
                changes["snap_start"] = params["SnapStart"]["ApplyOn"]
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

    def retag(self, name: str, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
        """Replace the function's tags by ``change(current)``; like any change of it, a new RevisionId (recorded)."""
        with self.lock:
            function = self.store.get(name)
            if function is None:
                raise function_not_found(self.arn(name))
            tags = change(dict(function.tags))
            self.store.put(function.with_changes(tags=tuple(tags.items()), revision_id=str(uuid.uuid4())))

    # -- recursion ----------------------------------------------------------------------------

    def put_recursion(self, name_value: str, params: Mapping[str, Any]) -> str:
        """PutFunctionRecursionConfig: kept and shown; this host does not detect recursive loops."""
        value = params.get("RecursiveLoop")
        validation.check_recursive_loop(value)
        with self.lock:
            function, _ = self.get(name_value)
            self.store.put(function.with_changes(recursive_loop=value))
        return value

    def get_recursion(self, name_value: str) -> str:
        return self.get(name_value)[0].recursive_loop

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
                    f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}].",
                    typed=False,
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
        if bucket and self.fetch_code is not None:
            data = self.fetch_code(code)
            return self.packages.check_zip(data, from_s3=True) if check_only else self.packages.store_zip(data, True)
        if bucket:  # no AWS endpoint to read S3 from, so no bucket exists
            raise get_object_failed("NoSuchBucket", "The specified bucket does not exist")
        if code.get("ImageUri"):
            raise InvalidParameterValue("Please don't provide ImageUri when the intended function PackageType is Zip.")
        raise InvalidParameterValue("Please provide a source for function code.")

    def _image(self, code: Mapping[str, Any], config: Mapping[str, Any]) -> ImageRef:
        """The local image ``Code.ImageUri`` names, pinned, with the function's ImageConfig."""
        if code.get("ZipFile") is not None or code.get("S3Bucket"):
            raise InvalidParameterValue("Please don't provide ZipFile or S3 code when the PackageType is Image.")
        if not code.get("ImageUri"):
            raise InvalidParameterValue("Please provide a source for function code.")
        return images.with_image_config(self.catalog.resolve_image(code["ImageUri"]), config)

    def _layers(self, arns: list[str]) -> tuple[LayerRef, ...]:
        validation.check_layer_list(arns, self.region)
        return tuple(self.layers.reference(arn) for arn in arns)

    def _prepare_layers(self, function: FunctionConfig) -> None:
        self.packages.merged_layers(layer.code for layer in function.layers)

    def opt_dir(self, function: FunctionConfig) -> str | None:
        return self.packages.merged_layers(layer.code for layer in function.layers)

    def resume_activations(self) -> None:
        self.activation.resume()

    def close(self) -> None:
        self.activation.close()

    def _activate(self, name: str, runtime: str) -> None:
        self.activation.start(name, runtime)


def _log_changes(settings: log_settings.LogSettings) -> dict[str, Any]:
    return {
        "log_format": settings.log_format,
        "log_group": settings.log_group,
        "application_log_level": settings.application_log_level,
        "system_log_level": settings.system_log_level,
    }


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
