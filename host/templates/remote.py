"""Deploying a template's missing functions to a host that is already serving, through its Lambda API.

``lambda-host invoke`` uses a running host when there is one (``host.cli.running``); the
functions its template declares are created there only when that host does not have
them, so a developer's served functions (and their warm environments) are never
replaced by a one-shot command. The template is read exactly as ``deploy_template``
reads it (same parameters, names, layers and specs); only the deploying goes through
boto3 instead of the host's services:

1. a layer is published only when the host has no version of it (its functions use the newest);
2. each missing function is created, waited for until Active, then gets the SAM extras a
   new function gets (alias, URL, reserved concurrency, event invoke configuration);
3. queues, streams, tables and topics are made (when missing) through the host's one AWS
   endpoint, which its Lambda port forwards to;
4. event source mappings are created for the functions this run created, and state
   machines the host lacks are created through its Step Functions API;
5. functions the host has are left exactly as they are, and nothing is ever deleted.
"""

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path
from types import SimpleNamespace

from botocore.exceptions import ClientError

from host.aws.endpoint import AwsEndpoint
from host.templates.plan import FunctionSpec, LayerSpec
from host.templates.sam import SETTLE_TIMEOUT, STACK_NAME, _Deployment, load_env_vars, load_template
from host.templates.state_machines import state_machine_specs

log = logging.getLogger("lambda_host.template")


def deploy_missing(
    path: Path, client, parameters: dict[str, str] | None = None, env_vars: Path | None = None
) -> list[str]:
    """Create, on the host ``client`` talks to, the template's functions it lacks; their names."""
    region = client.meta.region_name
    account = _account_of(client)
    template = load_template(path)
    overrides = load_env_vars(env_vars) if env_vars is not None else {}
    aws = AwsEndpoint(client.meta.endpoint_url)  # the host's port forwards other services to its endpoint
    config = SimpleNamespace(region=region, account_id=account)
    target = SimpleNamespace(config=config, aws=aws, endpoint=client.meta.endpoint_url)
    deployment = _RemoteDeployment(path, template, target, parameters or {}, overrides)
    deployment.client = client
    deployment.run()
    return deployment.created


def _account_of(client) -> str:
    """The account the host's ARNs use, read off any function it has (AWS's default test account if none)."""
    functions = client.list_functions(MaxItems=1).get("Functions") or []
    return functions[0]["FunctionArn"].split(":")[4] if functions else "123456789012"


class _RemoteDeployment(_Deployment):
    client = None
    created: list[str]

    def run(self) -> list[str]:
        self.created = []
        return super().run()

    def _prepare_runtimes(self, specs: list[FunctionSpec]) -> None:
        """The running host builds what its functions need."""

    def _exists(self, name: str) -> bool:
        try:
            self.client.get_function(FunctionName=name)
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                return False
            raise

    def _layer(self, spec: LayerSpec) -> str:
        """The host's newest version of the layer, whatever its content (its functions use it); published
        only when the host has none."""
        versions = self.client.list_layer_versions(LayerName=spec.name).get("LayerVersions") or []
        if versions:
            return versions[0]["LayerVersionArn"]
        return self.client.publish_layer_version(LayerName=spec.name, Content={"ZipFile": spec.content}, **spec.params)[
            "LayerVersionArn"
        ]

    def _function(self, spec: FunctionSpec) -> str | None:
        if self._exists(spec.name):
            log.debug("%s: already on the host, left as it is", spec.name)
            return None
        params = dict(spec.params)
        code = dict(params["Code"])
        if "ZipFile" in code:
            code["ZipFile"] = base64.b64decode(code["ZipFile"])
        self.client.create_function(**{**params, "Code": code})
        self._settled(spec.name)
        qualifier = None
        if spec.alias:
            version = self.client.publish_version(FunctionName=spec.name)["Version"]
            self.client.create_alias(FunctionName=spec.name, Name=str(spec.alias), FunctionVersion=version)
            qualifier = str(spec.alias)
        if spec.url is not None:
            settings = {k: spec.url[k] for k in ("AuthType", "Cors", "InvokeMode") if spec.url.get(k) is not None}
            settings.setdefault("AuthType", "NONE")
            self.client.create_function_url_config(FunctionName=spec.name, Qualifier=qualifier or None, **settings)
        if spec.reserved_concurrency is not None:
            self.client.put_function_concurrency(
                FunctionName=spec.name, ReservedConcurrentExecutions=spec.reserved_concurrency
            )
        self.created.append(spec.name)
        log.info("%s: deployed to the running host", spec.name)
        return qualifier

    def _settled(self, name: str) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            configuration = self.client.get_function_configuration(FunctionName=name)
            if configuration["State"] != "Pending" and configuration.get("LastUpdateStatus") != "InProgress":
                return
            time.sleep(0.2)

    def _event_invoke(self, spec: FunctionSpec, qualifier: str | None) -> None:
        if spec.name not in self.created or not spec.event_invoke:
            return
        config = dict(spec.event_invoke)
        destinations = config.pop("DestinationConfig", None) or {}
        if destinations:
            config["DestinationConfig"] = {
                key: {"Destination": str(value["Destination"])}
                for key, value in destinations.items()
                if isinstance(value, dict) and value.get("Destination")
            }
        options = {"Qualifier": qualifier} if qualifier else {}
        self.client.put_function_event_invoke_config(FunctionName=spec.name, **options, **config)

    def _remove_stale(self, logical_ids: set[str]) -> None:
        """Never: the running host's other functions are its user's."""

    def _mappings(self, resources: dict[str, dict], specs: list[FunctionSpec], qualifiers: dict) -> None:
        """Mappings of the functions this run created; those of functions the host had are its own."""
        for mapping in self._wanted_mappings(resources, specs, qualifiers):
            if _function_name(str(mapping.params["FunctionName"])) not in self.created:
                continue
            params = mapping.params
            self.client.create_event_source_mapping(**params)
            log.info("%s: %s -> %s", mapping.logical_id, params["EventSourceArn"], params["FunctionName"])

    def _state_machines(self, resources: dict[str, dict]) -> None:
        """State machines the host lacks, created through its Step Functions API; the others are left alone."""
        account = self.config.account_id
        specs = state_machine_specs(resources, self.resolve, self.base, account, STACK_NAME, self.omitted)
        if not specs:
            return
        states = self.host.aws.client("stepfunctions", self.config.region)  # the host's port answers Step Functions
        existing = {m["name"] for page in states.get_paginator("list_state_machines").paginate()
                    for m in page["stateMachines"]}  # fmt: skip
        for spec in specs:
            if spec.name in existing:
                continue
            options = {"loggingConfiguration": spec.logging} if spec.logging else {}
            if spec.tracing:
                options["tracingConfiguration"] = spec.tracing
            if spec.tags:
                options["tags"] = spec.tags
            arn = states.create_state_machine(
                name=spec.name, definition=spec.definition, roleArn=spec.role_arn, type=spec.machine_type, **options
            )["stateMachineArn"]
            if spec.alias:
                version = states.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
                states.create_state_machine_alias(
                    name=spec.alias, routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}]
                )
            log.info("%s: state machine deployed to the running host", spec.name)


def _function_name(reference: str) -> str:
    """A function's name from any form FunctionName takes (name, ARN, with or without a qualifier)."""
    parts = reference.split(":")
    if reference.startswith("arn:"):
        return parts[6] if len(parts) > 6 else reference
    return parts[0]
