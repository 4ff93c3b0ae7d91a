"""Functions and layers rendered in the JSON shapes Lambda's API returns (keys in AWS's order)."""

from __future__ import annotations

from typing import Any

from host.core.image_config import image_config_response
from host.core.model import Alias, EventInvokeConfig, FunctionConfig, FunctionUrl, LayerVersion, ProvisionedConcurrency
from host.core.names import runtime_version_arn

# Only GetFunction, GetFunctionConfiguration, Create and Update return these; ListFunctions leaves them out.
_STATE_KEYS = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)


def function_configuration(
    function: FunctionConfig, region: str, *, arn: str | None = None, listing: bool = False
) -> dict[str, Any]:
    """FunctionConfiguration; ``arn`` is the FunctionArn to show (AWS shows the qualifier the caller used)."""
    shape: dict[str, Any] = {
        "FunctionName": function.name,
        "FunctionArn": arn or function.arn,
        "Runtime": function.runtime,
        "Role": function.role,
        "Handler": function.handler,
        "CodeSize": function.code.size,
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory_size,
        "LastModified": function.last_modified,
        "CodeSha256": function.code.sha256,
        "Version": function.version,
    }
    if function.vpc is not None:
        shape["VpcConfig"] = {
            "SubnetIds": list(function.vpc.subnet_ids),
            "SecurityGroupIds": list(function.vpc.security_group_ids),
            "VpcId": function.vpc.vpc_id,
            "Ipv6AllowedForDualStack": function.vpc.ipv6_allowed_for_dual_stack,
        }
    if function.dead_letter_target:
        shape["DeadLetterConfig"] = {"TargetArn": function.dead_letter_target}
    if function.environment is not None:
        shape["Environment"] = {"Variables": dict(function.environment)}
    shape["TracingConfig"] = {"Mode": function.tracing_mode}
    shape["RevisionId"] = function.revision_id
    if function.layers:
        shape["Layers"] = [{"Arn": layer.arn, "CodeSize": layer.code_size} for layer in function.layers]
    shape["State"] = function.state
    if function.state_reason:
        shape["StateReason"] = function.state_reason
        shape["StateReasonCode"] = function.state_reason_code
    if function.last_update_status:
        shape["LastUpdateStatus"] = function.last_update_status
        if function.last_update_status == "InProgress":
            shape["LastUpdateStatusReason"] = "The function is being created."
            shape["LastUpdateStatusReasonCode"] = "Creating"
    shape["PackageType"] = function.package_type
    if function.image is not None:  # AWS shows no Runtime, Handler or runtime version for an image function
        del shape["Runtime"], shape["Handler"]
        shape["ImageConfigResponse"] = image_config_response(function.image)
    shape["Architectures"] = list(function.architectures)
    shape["EphemeralStorage"] = {"Size": function.ephemeral_storage}
    shape["SnapStart"] = {"ApplyOn": function.snap_start, "OptimizationStatus": "Off"}
    if function.image is None:
        shape["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn(region, function.runtime)}
    logging_config = {"LogFormat": function.log_format}
    if function.application_log_level:
        logging_config["ApplicationLogLevel"] = function.application_log_level
    if function.system_log_level:
        logging_config["SystemLogLevel"] = function.system_log_level
    shape["LoggingConfig"] = {**logging_config, "LogGroup": function.log_group_name}
    if listing:
        for key in _STATE_KEYS:
            shape.pop(key, None)
    return shape


def layer_version(layer: LayerVersion, location: str | None, *, listing: bool = False) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    if not listing:
        shape["Content"] = {"Location": location, "CodeSha256": layer.code.sha256, "CodeSize": layer.code.size}
        shape["LayerArn"] = layer.layer_arn
    shape["LayerVersionArn"] = layer.arn
    shape["Description"] = layer.description
    shape["CreatedDate"] = layer.created_date
    shape["Version"] = layer.version
    if layer.compatible_runtimes is not None:
        shape["CompatibleRuntimes"] = list(layer.compatible_runtimes)
    if layer.license_info is not None:
        shape["LicenseInfo"] = layer.license_info
    if layer.compatible_architectures is not None:
        shape["CompatibleArchitectures"] = list(layer.compatible_architectures)
    if shape.get("Content", {}).get("Location") is None:
        shape.get("Content", {}).pop("Location", None)
    return shape


def layer_listing(layer: LayerVersion) -> dict[str, Any]:
    """A ListLayers entry: the layer with its newest version that passed the filters."""
    return {
        "LayerName": layer.name,
        "LayerArn": layer.layer_arn,
        "LatestMatchingVersion": layer_version(layer, None, listing=True),
    }


def alias_configuration(alias: Alias) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "AliasArn": alias.arn,
        "Name": alias.name,
        "FunctionVersion": alias.function_version,
        "Description": alias.description,
    }
    if alias.additional_weights:
        shape["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.additional_weights)}
    shape["RevisionId"] = alias.revision_id
    return shape


def function_url_config(url: FunctionUrl, address: str, function_arn: str, operation: str) -> dict[str, Any]:
    """FunctionUrlConfig as each operation shows it: Create has no LastModifiedTime; Get and List always
    show InvokeMode (BUFFERED by default); Create and Update show it only once a request set it."""
    shape: dict[str, Any] = {"FunctionUrl": address, "FunctionArn": function_arn, "AuthType": url.auth_type}
    if url.cors:
        shape["Cors"] = url.cors
    shape["CreationTime"] = url.creation_time
    if operation != "create":
        shape["LastModifiedTime"] = url.last_modified_time
    if operation in ("get", "list"):
        shape["InvokeMode"] = url.invoke_mode or "BUFFERED"
    elif url.invoke_mode is not None:
        shape["InvokeMode"] = url.invoke_mode
    return shape


def event_invoke_config(config: EventInvokeConfig, function_arn: str) -> dict[str, Any]:
    """FunctionEventInvokeConfig; ``function_arn`` carries the qualifier ($LATEST included)."""
    shape: dict[str, Any] = {"LastModified": config.last_modified, "FunctionArn": function_arn}
    if config.maximum_retry_attempts is not None:
        shape["MaximumRetryAttempts"] = config.maximum_retry_attempts
    if config.maximum_event_age is not None:
        shape["MaximumEventAgeInSeconds"] = config.maximum_event_age
    destinations: dict[str, Any] = {"OnSuccess": {}, "OnFailure": {}}
    if config.on_success:
        destinations["OnSuccess"] = {"Destination": config.on_success}
    if config.on_failure:
        destinations["OnFailure"] = {"Destination": config.on_failure}
    shape["DestinationConfig"] = destinations
    return shape


def provisioned_config(config: ProvisionedConcurrency, function_arn: str | None = None) -> dict[str, Any]:
    """A provisioned concurrency configuration; listings add the qualified FunctionArn."""
    ready = config.requested if config.status == "READY" else 0
    shape: dict[str, Any] = {}
    if function_arn is not None:
        shape["FunctionArn"] = function_arn
    shape["RequestedProvisionedConcurrentExecutions"] = config.requested
    shape["AvailableProvisionedConcurrentExecutions"] = ready
    shape["AllocatedProvisionedConcurrentExecutions"] = ready
    shape["Status"] = config.status
    if config.status_reason:
        shape["StatusReason"] = config.status_reason
    shape["LastModified"] = config.last_modified
    return shape
