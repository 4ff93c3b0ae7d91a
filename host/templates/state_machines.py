"""State machines of a template: ``AWS::Serverless::StateMachine`` and ``AWS::StepFunctions::StateMachine``.

``state_machine_specs`` is pure translation (the definition text with its substitutions
applied, the type, role, tags and SAM's alias); ``StateMachineDeployer`` creates or
updates each through the Step Functions service, as CreateStateMachine and
UpdateStateMachine would, so executions and versions survive a restart, and deletes the
machines an earlier start of the same template deployed and it no longer holds.

A definition comes from ``Definition`` (an object, intrinsic functions resolved),
``DefinitionString``, SAM's ``DefinitionUri`` or CloudFormation's ``DefinitionS3Location``,
both read as a file relative to the template (a ``{Bucket, Key}`` location reads ``Key``).
``DefinitionSubstitutions`` replace ``${name}`` placeholders, as CloudFormation does.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from host.templates.intrinsics import Resolver
from host.templates.loader import TemplateError
from host.templates.plan import LOGICAL_ID_TAG, STACK_TAG, Omissions, _note_extra, included

if TYPE_CHECKING:
    from host.stepfunctions.service.machines import MachineService

log = logging.getLogger("lambda_host.template")

SERVERLESS_STATE_MACHINE = "AWS::Serverless::StateMachine"
SFN_STATE_MACHINE = "AWS::StepFunctions::StateMachine"
STATE_MACHINE_TYPES = {SERVERLESS_STATE_MACHINE, SFN_STATE_MACHINE}
SERVERLESS_KEYS = {
    "Definition", "DefinitionUri", "DefinitionSubstitutions", "Type", "Name", "Role", "Logging", "Tracing", "Tags",
    "AutoPublishAlias",
}  # fmt: skip
SFN_KEYS = {
    "Definition", "DefinitionString", "DefinitionS3Location", "DefinitionSubstitutions", "StateMachineName",
    "StateMachineType", "RoleArn", "LoggingConfiguration", "TracingConfiguration", "Tags",
}  # fmt: skip
# SAM's properties that only matter to a real account.
NO_LOCAL_MEANING = {"Policies", "PermissionsBoundary", "RolePath", "PropagateTags", "DeploymentPreference"}


@dataclass
class StateMachineSpec:
    logical_id: str
    name: str
    definition: str
    machine_type: str
    role_arn: str
    tags: list[dict] = field(default_factory=list)
    logging: dict | None = None
    tracing: dict | None = None
    alias: str | None = None  # SAM's AutoPublishAlias


def machine_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def name_state_machines(resources: dict[str, dict], resolve: Resolver, values: dict, arns: dict, region: str,
                        account: str) -> None:  # fmt: skip
    """What Ref (the ARN), GetAtt Arn and GetAtt Name give, before anything is deployed."""
    for logical, resource in resources.items():
        if resource["Type"] not in STATE_MACHINE_TYPES:
            continue
        name = _name(logical, resource, resolve)
        arn = machine_arn(region, account, name)
        values[logical] = arn
        arns[logical] = arn
        values[f"{logical}.Name"] = name
        if resource["Type"] == SERVERLESS_STATE_MACHINE:  # the role SAM would make for it
            arns.setdefault(f"{logical}Role", f"arn:aws:iam::{account}:role/{logical}Role")
            values.setdefault(f"{logical}Role", f"{logical}Role")


def _name(logical: str, resource: dict, resolve: Resolver) -> str:
    props = resource.get("Properties") or {}
    key = "Name" if resource["Type"] == SERVERLESS_STATE_MACHINE else "StateMachineName"
    return str(resolve(props.get(key)) or logical)


def state_machine_specs(resources: dict[str, dict], resolve: Resolver, base: Path, account: str, stack: str,
                        omitted: Omissions) -> list[StateMachineSpec]:  # fmt: skip
    specs = []
    for logical, resource in resources.items():
        kind = resource["Type"]
        if kind not in STATE_MACHINE_TYPES or not included(resource, resolve):
            continue
        serverless = kind == SERVERLESS_STATE_MACHINE
        props = resolve(resource.get("Properties") or {})
        extra = {key: value for key, value in props.items() if key not in NO_LOCAL_MEANING}
        _note_extra(logical, extra, SERVERLESS_KEYS if serverless else SFN_KEYS, omitted)
        omitted.no_local_meaning.update(f"{logical}.{key}" for key in props if key in NO_LOCAL_MEANING)
        definition = _definition(logical, props, serverless, base)
        substitutions = props.get("DefinitionSubstitutions") or {}
        if not isinstance(substitutions, dict):
            raise TemplateError(f"state machine {logical}: DefinitionSubstitutions must be a map")
        for key, value in substitutions.items():
            text = json.dumps(value) if isinstance(value, bool) else str(value)
            definition = definition.replace("${" + str(key) + "}", text)
        tags = props.get("Tags") or {}
        if isinstance(tags, dict):  # SAM's map; CloudFormation's is [{Key, Value}]
            tags = [{"Key": k, "Value": v} for k, v in tags.items()]
        listed = [{"key": str(t.get("Key")), "value": str(t.get("Value", ""))} for t in tags if isinstance(t, dict)]
        listed += [{"key": STACK_TAG, "value": stack}, {"key": LOGICAL_ID_TAG, "value": logical}]
        role = props.get("Role") if serverless else props.get("RoleArn")
        specs.append(
            StateMachineSpec(
                logical_id=logical,
                name=_name(logical, resource, resolve),
                definition=definition,
                machine_type=str(props.get("Type" if serverless else "StateMachineType") or "STANDARD"),
                role_arn=str(role or f"arn:aws:iam::{account}:role/{logical}Role"),
                tags=listed,
                logging=props.get("Logging" if serverless else "LoggingConfiguration"),
                tracing=props.get("Tracing" if serverless else "TracingConfiguration"),
                alias=str(props["AutoPublishAlias"]) if serverless and props.get("AutoPublishAlias") else None,
            )
        )
    return specs


def _definition(logical: str, props: dict, serverless: bool, base: Path) -> str:
    if isinstance(props.get("Definition"), dict):  # keys sorted, as CloudFormation and SAM write it
        if serverless:
            return json.dumps(props["Definition"], sort_keys=True, indent=4, separators=(",", ": "))
        return json.dumps(props["Definition"], sort_keys=True)
    if not serverless and isinstance(props.get("DefinitionString"), str):
        return props["DefinitionString"]
    location = props.get("DefinitionUri" if serverless else "DefinitionS3Location")
    if isinstance(location, dict):
        location = location.get("Key")
    if not isinstance(location, str):
        wanted = "Definition or DefinitionUri" if serverless else "Definition, DefinitionString or DefinitionS3Location"
        raise TemplateError(f"state machine {logical}: a state machine needs {wanted}")
    path = (base / location).resolve()
    where = f"state machine {logical}: definition file {location}"
    if not path.is_file():
        raise TemplateError(f"{where} not found (read relative to the template)")
    if path.suffix in (".yaml", ".yml"):  # SAM accepts a YAML definition file
        try:
            return json.dumps(yaml.safe_load(path.read_text()), sort_keys=True, indent=4, separators=(",", ": "))
        except yaml.YAMLError as exc:
            raise TemplateError(f"{where} is not valid YAML: {exc}") from exc
    return path.read_text()


class StateMachineDeployer:
    """Creates, updates and removes a template's state machines through the Step Functions service."""

    def __init__(self, machines: MachineService, stack: str, template: str) -> None:
        self.machines = machines
        self.stack = stack
        self.template = template

    def deploy(self, specs: list[StateMachineSpec]) -> list[str]:
        for spec in specs:
            self._one(spec)
        self._remove_stale({spec.logical_id for spec in specs})
        return [spec.name for spec in specs]

    def _one(self, spec: StateMachineSpec) -> None:
        from host.stepfunctions.service.errors import SfnError
        from host.stepfunctions.service.machines import ALIASES, MACHINES

        arn = self.machines.names.machine(spec.name)
        try:
            existing = self.machines.store.get(MACHINES, arn)
            if existing is not None and existing["type"] != spec.machine_type:  # a replacement, as CloudFormation's
                self.machines.delete(arn)
                existing = None
            if existing is None:
                self.machines.create(spec.name, spec.definition, spec.role_arn, spec.machine_type, spec.logging,
                                     spec.tracing)  # fmt: skip
            elif existing["definition"] != spec.definition or existing["roleArn"] != spec.role_arn:
                self.machines.update(arn, spec.definition, spec.role_arn, spec.logging, spec.tracing)
            self.machines.store.untag(arn)
            self.machines.store.tag(arn, spec.tags)
            if spec.alias:
                version = self.machines.publish(arn)["stateMachineVersionArn"]
                routing = [{"stateMachineVersionArn": version, "weight": 100}]
                alias_arn = self.machines.names.alias(arn, spec.alias)
                if self.machines.store.get(ALIASES, alias_arn) is None:
                    self.machines.create_alias(spec.alias, routing)
                else:
                    self.machines.update_alias(alias_arn, routing, None)
        except SfnError as exc:
            raise TemplateError(f"state machine {spec.logical_id}: {exc.message}") from exc

    def _remove_stale(self, logical_ids: set[str]) -> None:
        for machine in self.machines.list():
            arn = machine["stateMachineArn"]
            tags = {t["key"]: t["value"] for t in self.machines.store.tags(arn)}
            if tags.get(STACK_TAG) == self.stack and tags.get(LOGICAL_ID_TAG) not in logical_ids:
                log.info("%s: no longer in %s, deleted", machine["name"], self.template)
                self.machines.delete(arn)
