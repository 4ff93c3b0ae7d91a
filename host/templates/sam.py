"""Deploying an AWS SAM (or plain CloudFormation) template through the same services as the API.

1. Parameters take their defaults, then ``--parameter-overrides``; one without a value
   is an error, as in CloudFormation.
2. Layers are published (or the newest version reused when its content is the same),
   then functions are created, or updated in place when they exist, so versions,
   aliases and URLs survive a restart. Functions this template deployed before and no
   longer holds are deleted.
3. SAM's extras follow: ``AutoPublishAlias`` publishes a version (a no-op when nothing
   changed) and points the alias at it; ``FunctionUrlConfig`` makes or updates the URL
   (on the alias when there is one); ``ReservedConcurrentExecutions`` is set, and
   ``EventInvokeConfig`` (with destinations, which may name any function of the
   template) once every function exists.
4. An ``--env-vars`` file overrides variables per function, as SAM CLI's does: only
   variables the template declares, with a function's own entry over ``Parameters``.

A function whose code is a folder runs it in place (hot reload); anything the template
holds that is not deployed is named in one warning.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from host.core.errors import LambdaApiError, ResourceNotFound
from host.core.model import LATEST
from host.templates import aws_resources, events
from host.templates.image_build import build_image
from host.templates.intrinsics import Resolver
from host.templates.loader import TemplateError, load_template
from host.templates.plan import (
    IAM_ROLE,
    LAMBDA_FUNCTION,
    LAMBDA_LAYER,
    LOGICAL_ID_TAG,
    SERVERLESS_FUNCTION,
    SERVERLESS_LAYER,
    STACK_TAG,
    FunctionSpec,
    Omissions,
    function_specs,
    included,
    layer_specs,
)
from host.templates.state_machines import (
    STATE_MACHINE_TYPES,
    StateMachineDeployer,
    name_state_machines,
    state_machine_specs,
)

if TYPE_CHECKING:
    from host.host import Host

__all__ = ["TemplateError", "deploy_template", "load_env_vars", "load_template", "parse_parameter_overrides"]

log = logging.getLogger("lambda_host.template")

STACK_NAME = "lambda-host"
EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping"
DEPLOYED_TYPES = {
    SERVERLESS_FUNCTION, LAMBDA_FUNCTION, SERVERLESS_LAYER, LAMBDA_LAYER, EVENT_SOURCE_MAPPING, *aws_resources.TYPES,
    *STATE_MACHINE_TYPES,
}  # fmt: skip
# Resources that only matter to a real account.
NO_LOCAL_MEANING_TYPES = {IAM_ROLE, "AWS::IAM::Policy", "AWS::Lambda::Permission", "AWS::Logs::LogGroup"}
QUIET_SECTIONS = {"AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Outputs"}
SETTLE_TIMEOUT = 900.0  # an update waits at most this long for a runtime image to be built


def parse_parameter_overrides(items: list[str]) -> dict[str, str]:
    """``Key=Value`` pairs, or SAM's ``ParameterKey=Key,ParameterValue=Value`` form."""
    result = {}
    for item in items or []:
        for pair in shlex.split(item):
            if pair.startswith("ParameterKey="):
                head, _, value = pair.partition(",ParameterValue=")  # the value may hold commas
                result[head.removeprefix("ParameterKey=")] = value
            else:
                key, _, value = pair.partition("=")
                result[key] = value
    return result


def load_env_vars(path: Path) -> dict[str, dict[str, Any]]:
    """SAM CLI's ``--env-vars`` file: ``{"Parameters": {...}, "<LogicalId or name>": {...}}``."""
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise TemplateError(f"{path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise TemplateError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or not all(isinstance(v, dict) for v in document.values()):
        raise TemplateError(f"{path}: an env-vars file maps function names (or Parameters) to variables")
    return document


def deploy_template(
    path: Path, host: Host, parameters: dict[str, str] | None = None, env_vars: Path | None = None
) -> list[str]:
    """Deploy every function and layer of the template; returns the function names."""
    template = load_template(path)
    overrides = load_env_vars(env_vars) if env_vars is not None else {}
    return _Deployment(path, template, host, parameters or {}, overrides).run()


class _Deployment:
    def __init__(self, path: Path, template: dict, host: Host, parameters: dict, env_overrides: dict) -> None:
        self.path = path
        self.base = path.resolve().parent
        self.template = template
        self.host = host
        self.config = host.config
        self.env_overrides = env_overrides
        self.omitted = Omissions()
        self.values = self._parameter_values(parameters)
        self.arns: dict[str, str] = {}
        self.named: dict[str, aws_resources.Named] = {}
        self.resolve = Resolver(
            self.values, self.arns, template.get("Conditions") or {}, template.get("Mappings") or {}
        )

    def run(self) -> list[str]:
        resources: dict[str, dict] = self.template["Resources"]
        self._name_resources(resources)
        for logical, resource in resources.items():
            kind = resource["Type"]
            if kind in NO_LOCAL_MEANING_TYPES:
                self.omitted.no_local_meaning.add(f"{logical} ({kind})")
            elif (kind in aws_resources.TYPES and logical not in self.named) or kind not in DEPLOYED_TYPES:
                self.omitted.unsupported.add(f"{logical} ({kind})")
        for section in set(self.template) - QUIET_SECTIONS - {"Resources", "Parameters", "Globals", "Conditions"}:
            if section != "Mappings":
                self.omitted.unsupported.add(f"section {section}")
        globals_ = self.template.get("Globals") or {}
        self.omitted.unsupported.update(f"Globals.{key}" for key in globals_ if key != "Function")

        self._aws_resources(resources)
        for spec in layer_specs(resources, self.resolve, self.base, self.omitted):
            arn = self._layer(spec)
            self.values[spec.logical_id] = arn
            self.arns[spec.logical_id] = arn
        specs = function_specs(
            resources, globals_.get("Function") or {}, self.resolve, self.base, self.config.account_id, STACK_NAME,
            self.omitted,
        )  # fmt: skip
        for spec in specs:
            self._apply_env_overrides(spec)
        self._prepare_runtimes(specs)
        self._build_images(specs)
        qualifiers = {spec.logical_id: self._function(spec) for spec in specs}
        for spec in specs:  # after every function exists: destinations may name one deployed later
            try:
                self._event_invoke(spec, qualifiers[spec.logical_id])
            except LambdaApiError as exc:
                raise TemplateError(f"{self.path}: function {spec.logical_id}: {exc.message}") from exc
        self._remove_stale({spec.logical_id for spec in specs})
        self._mappings(resources, specs, qualifiers)
        self._state_machines(resources)

        warning = self.omitted.warning(self.path.name, self.resolve.unknown)
        if warning:
            log.warning("%s", warning)
        return [spec.name for spec in specs]

    # -- parameters and names -----------------------------------------------------------------------

    def _parameter_values(self, overrides: dict[str, str]) -> dict[str, Any]:
        config = self.config
        values: dict[str, Any] = {
            "AWS::Region": config.region,
            "AWS::AccountId": config.account_id,
            "AWS::Partition": "aws",
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{config.region}:{config.account_id}:stack/{STACK_NAME}/local",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        declared = self.template.get("Parameters") or {}
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            if name in overrides:
                value: Any = overrides[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(
                    f"{self.path}: parameter {name} has no default; give it with --parameter-overrides {name}=..."
                )
            allowed = spec.get("AllowedValues")
            if allowed is not None and str(value) not in [str(a) for a in allowed]:
                raise TemplateError(
                    f"{self.path}: parameter {name} must be one of {', '.join(map(str, allowed))}, not {value}"
                )
            if str(spec.get("Type", "")).startswith("CommaDelimitedList") or spec.get("Type") == "List<Number>":
                value = [part.strip() for part in str(value).split(",")] if isinstance(value, str) else value
            else:
                value = str(value) if not isinstance(value, str) else value
            values[name] = value
        for name in set(overrides) - set(declared):
            self.omitted.unsupported.add(f"--parameter-overrides {name} (no such parameter)")
        return values

    def _name_resources(self, resources: dict[str, dict]) -> None:
        """What Ref and GetAtt give for resources known before anything is deployed."""
        region, account = self.config.region, self.config.account_id
        for logical, resource in resources.items():
            kind = resource["Type"]
            props = resource.get("Properties") or {}
            if kind in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION):
                name = str(self.resolve(props.get("FunctionName")) or logical)
                self.values[logical] = name
                self.arns[logical] = f"arn:aws:lambda:{region}:{account}:function:{name}"
                if kind == SERVERLESS_FUNCTION:  # the role SAM would make for it
                    self.arns[f"{logical}Role"] = f"arn:aws:iam::{account}:role/{logical}Role"
                    self.values[f"{logical}Role"] = f"{logical}Role"
            elif kind in aws_resources.TYPES:
                if kind == aws_resources.TABLE and not props.get("KeySchema"):
                    continue  # CloudFormation could not make it either: left out, and noted
                named = aws_resources.name_of(
                    logical, kind, self.resolve(props), STACK_NAME, region, account, self.host.endpoint
                )
                self.named[logical] = named
                self.values[logical] = named.ref
                self.arns[logical] = named.attributes.get("Arn") or named.attributes.get("TopicArn")
                for attribute, value in named.attributes.items():
                    self.values[f"{logical}.{attribute}"] = value
            elif kind == IAM_ROLE:
                role = str(self.resolve(props.get("RoleName")) or logical)
                self.values[logical] = role
                self.arns[logical] = f"arn:aws:iam::{account}:role/{role}"
        name_state_machines(resources, self.resolve, self.values, self.arns, region, account)

    def _state_machines(self, resources: dict[str, dict]) -> None:
        """After the functions: a definition may name any of them."""
        stepfunctions = getattr(self.host, "stepfunctions", None)
        if stepfunctions is None:
            return
        account = self.config.account_id
        specs = state_machine_specs(resources, self.resolve, self.base, account, STACK_NAME, self.omitted)
        try:
            StateMachineDeployer(stepfunctions.machines, STACK_NAME, self.path.name).deploy(specs)
        except TemplateError as exc:
            raise TemplateError(f"{self.path}: {exc}") from exc

    def _apply_env_overrides(self, spec: FunctionSpec) -> None:
        """SAM CLI's rule: the file sets only variables the template declares for the function."""
        if not self.env_overrides:
            return
        own = self.env_overrides.get(spec.logical_id) or self.env_overrides.get(spec.name) or {}
        wanted = {**(self.env_overrides.get("Parameters") or {}), **own}
        declared = (spec.params.get("Environment") or {}).get("Variables")
        if declared is None:
            declared = {}
        for key, value in wanted.items():
            if key in declared:
                declared[key] = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            elif key in own:
                self.omitted.unsupported.add(f"--env-vars {spec.logical_id}.{key} (not declared in the template)")
        if declared:
            spec.params["Environment"] = {"Variables": declared}

    # -- deploying ----------------------------------------------------------------------------------

    def _aws_resources(self, resources: dict[str, dict]) -> None:
        """Queues (dead-letter queues first), streams, tables and topics, on the host's AWS endpoint."""
        order = sorted(
            self.named.values(),
            key=lambda n: bool((resources[n.logical_id].get("Properties") or {}).get("RedrivePolicy")),
        )
        for named in order:
            resource = resources[named.logical_id]
            if not included(resource, self.resolve):
                continue
            props = self.resolve(resource.get("Properties") or {})
            try:
                extra = aws_resources.create(self.host.aws, named, props, self.config.region)
            except Exception as exc:
                raise TemplateError(f"{self.path}: {named.logical_id} ({named.kind}): {exc}") from exc
            for attribute, value in extra.items():
                self.values[f"{named.logical_id}.{attribute}"] = value
            log.info("%s: %s %s on %s", named.logical_id, named.kind, named.name, self.host.aws.url or "AWS")

    def _wanted_mappings(
        self, resources: dict[str, dict], specs: list[FunctionSpec], qualifiers: dict
    ) -> list[events.MappingSpec]:
        """The mappings the template declares: SAM functions' Events and AWS::Lambda::EventSourceMapping."""
        wanted: list[events.MappingSpec] = []
        for spec in specs:
            resource = resources[spec.logical_id]
            if resource["Type"] != SERVERLESS_FUNCTION:
                continue
            function = f"{spec.name}:{qualifiers[spec.logical_id]}" if qualifiers.get(spec.logical_id) else spec.name
            props = self.resolve(resource.get("Properties") or {})
            wanted += events.from_events(spec.logical_id, function, props.get("Events") or {}, self.omitted.unsupported)
        for logical, resource in resources.items():
            if resource["Type"] == EVENT_SOURCE_MAPPING and included(resource, self.resolve):
                wanted.append(events.from_resource(logical, self.resolve(resource.get("Properties") or {})))
        return wanted

    def _mappings(self, resources: dict[str, dict], specs: list[FunctionSpec], qualifiers: dict) -> None:
        """Event source mappings of SAM Events and AWS::Lambda::EventSourceMapping, created or updated in
        place; those an earlier start of this template made and it no longer holds are deleted."""
        service = self.host.event_sources
        wanted = self._wanted_mappings(resources, specs, qualifiers)
        ours = {s.name for s in specs}
        existing = {
            (m.source.arn, m.function_name, m.qualifier): m for m in service.store.all() if m.function_name in ours
        }
        kept = set()
        for mapping in wanted:
            params = mapping.params
            facts = service.lam.resolve(str(params["FunctionName"]))
            key = (params["EventSourceArn"], facts.name, facts.qualifier) if facts else None
            try:
                if key in existing:
                    fixed = ("EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "Tags")
                    changes = {k: v for k, v in params.items() if k not in fixed}
                    service.update(existing[key].uuid, changes)
                    kept.add(existing[key].uuid)
                else:
                    created = service.create(params)
                    kept.add(created.uuid)
            except LambdaApiError as exc:
                raise TemplateError(f"{self.path}: {mapping.logical_id}: {exc.message}") from exc
            log.info("%s: %s -> %s", mapping.logical_id, params["EventSourceArn"], params["FunctionName"])
        for mapping in existing.values():
            if mapping.uuid not in kept:
                service.delete(mapping.uuid)

    def _prepare_runtimes(self, specs: list[FunctionSpec]) -> None:
        """Build the template's runtime images in parallel now, not one by one as each function is created."""
        self.host.catalog.prepare(str(spec.params["Runtime"]) for spec in specs if spec.params.get("Runtime"))

    def _build_images(self, specs: list[FunctionSpec]) -> None:
        """Build the images SAM image functions' Metadata describes, progress in the log."""
        for spec in specs:
            if spec.image_build is not None:
                build_image(self.host.catalog.builder.client, spec.image_build, spec.logical_id, log.info)

    def _layer(self, spec) -> str:
        """The layer version to use: the newest one if its content and settings are the same, else a new one."""
        sha = base64.b64encode(hashlib.sha256(spec.content).digest()).decode()
        versions = self.host.layer_store.versions(spec.name)
        newest = versions[0] if versions else None
        if newest is not None and newest.code.sha256 == sha and _same_layer_settings(newest, spec.params):
            return newest.arn
        params = {**spec.params, "Content": {"ZipFile": base64.b64encode(spec.content).decode()}}
        try:
            return self.host.layers.publish(spec.name, params).arn
        except LambdaApiError as exc:
            raise TemplateError(f"{self.path}: layer {spec.logical_id}: {exc.message}") from exc

    def _function(self, spec: FunctionSpec) -> str | None:
        """Create or update the function with its alias, URL and concurrency; the alias's name if any."""
        functions = self.host.functions
        try:
            existing = self.host.function_store.get(spec.name)
            if existing is None:
                functions.create(spec.params)
            else:
                self._update(spec, existing)
            self._settled(spec.name)
            qualifier = None
            if spec.alias:
                qualifier = self._publish_alias(spec)
            self._url(spec, qualifier)
            self._concurrency(spec)
            return qualifier
        except LambdaApiError as exc:
            raise TemplateError(f"{self.path}: function {spec.logical_id}: {exc.message}") from exc

    def _update(self, spec: FunctionSpec, existing) -> None:
        """The function exists (deployed before this start): change it in place."""
        functions = self.host.functions
        params = spec.params
        self._settled(spec.name)
        configuration = {k: v for k, v in params.items() if k not in ("FunctionName", "Code", "Tags")}
        configuration.setdefault("Environment", {"Variables": {}})
        configuration.setdefault("Layers", [])
        functions.update_configuration(spec.name, configuration)
        self._settled(spec.name)
        code = params["Code"]
        if "S3Key" in code and existing.code.local and existing.code.path == code["S3Key"]:
            functions.refresh_local_code(spec.name)  # the folder may have changed while the host was down
        elif "ZipFile" in code:
            sha = base64.b64encode(hashlib.sha256(base64.b64decode(code["ZipFile"])).digest()).decode()
            if sha != existing.code.sha256:
                functions.update_code(spec.name, code)
        else:
            functions.update_code(spec.name, code)
        tags = params.get("Tags") or {}
        functions.retag(spec.name, lambda current: {**current, **tags})

    def _settled(self, name: str) -> None:
        """Wait while a create or update finishes (only long when a runtime image is being built)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            function = self.host.function_store.get(name)
            if function is None or (function.state != "Pending" and function.last_update_status != "InProgress"):
                return
            time.sleep(0.1)

    def _publish_alias(self, spec: FunctionSpec) -> str:
        versions = self.host.versions
        params = {"Description": spec.version_description} if spec.version_description else {}
        version = versions.publish(spec.name, params)
        alias = str(spec.alias)
        if self.host.function_store.alias(spec.name, alias) is None:
            versions.create_alias(spec.name, {"Name": alias, "FunctionVersion": version.version})
        else:
            versions.update_alias(spec.name, alias, {"FunctionVersion": version.version})
        log.info("%s: alias %s points at version %s", spec.name, alias, version.version)
        return alias

    def _url(self, spec: FunctionSpec, qualifier: str | None) -> None:
        urls = self.host.urls
        existing = self.host.function_store.urls(spec.name)
        for url in existing:  # URLs the template no longer asks for go
            if spec.url is None or url.qualifier != (qualifier or ""):
                urls.delete(spec.name, url.qualifier or None)
        if spec.url is None:
            return
        settings = {k: spec.url[k] for k in ("AuthType", "Cors", "InvokeMode") if spec.url.get(k) is not None}
        settings.setdefault("AuthType", "NONE")
        try:
            url = urls.update(spec.name, qualifier, settings)
        except ResourceNotFound:
            url = urls.create(spec.name, qualifier, settings)
        log.info("%s: function URL %s", spec.name, urls.address(url))

    def _concurrency(self, spec: FunctionSpec) -> None:
        functions = self.host.functions
        if spec.reserved_concurrency is not None:
            functions.put_concurrency(spec.name, {"ReservedConcurrentExecutions": spec.reserved_concurrency})
        elif self.host.function_store.get(spec.name).reserved_concurrency is not None:
            functions.delete_concurrency(spec.name)

    def _event_invoke(self, spec: FunctionSpec, qualifier: str | None) -> None:
        configs = self.host.event_configs
        config = dict(spec.event_invoke or {})
        if not config:  # none (any more): one left by an earlier start of this template goes
            if configs.get(spec.name, qualifier or LATEST) is not None:
                configs.delete(spec.name, qualifier)
            return
        destinations = config.get("DestinationConfig") or {}
        if destinations:  # SAM's {Type, Destination}; the API takes {Destination}
            config["DestinationConfig"] = {
                key: {"Destination": str(value["Destination"])}
                for key, value in destinations.items()
                if isinstance(value, dict) and value.get("Destination")
            }
        configs.put(spec.name, qualifier, config)

    def _remove_stale(self, logical_ids: set[str]) -> None:
        """Functions this template deployed on an earlier start and no longer holds."""
        for function in self.host.function_store.all():
            tags = dict(function.tags)
            if tags.get(STACK_TAG) == STACK_NAME and tags.get(LOGICAL_ID_TAG) not in logical_ids:
                log.info("%s: no longer in %s, deleted", function.name, self.path.name)
                self.host.functions.delete(function.name)


def _same_layer_settings(layer, params: dict) -> bool:
    def listed(value):
        return tuple(value) if value is not None else None

    return (
        layer.description == (params.get("Description") or "")
        and layer.compatible_runtimes == listed(params.get("CompatibleRuntimes"))
        and layer.compatible_architectures == listed(params.get("CompatibleArchitectures"))
        and layer.license_info == params.get("LicenseInfo")
    )
