"""State machines, their versions and aliases: the management calls, as AWS answers them.

1. A state machine keeps its current definition and a ``revisionId`` that changes with
   each update; ``PublishStateMachineVersion`` freezes the current revision as version N
   (the same revision published twice gives the same version; numbers are never reused).
2. An alias routes StartExecution to one or two versions by weight (drawn per execution).
3. ``resolve`` turns any ARN StartExecution accepts (machine, version, alias) into the
   ``Machine`` an execution runs.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from typing import Any

from host.stepfunctions.core.definition import Invalid, load
from host.stepfunctions.core.validation import parse_json
from host.stepfunctions.core.variables import references
from host.stepfunctions.engine.runs import Machine
from host.stepfunctions.service import arns
from host.stepfunctions.service.errors import (
    ConflictException,
    InvalidArn,
    InvalidDefinition,
    InvalidLoggingConfiguration,
    MissingRequiredParameter,
    ResourceNotFound,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    ValidationException,
)
from host.stepfunctions.store.db import SfnStore

MACHINES, VERSIONS, ALIASES = "sfn_state_machines", "sfn_versions", "sfn_aliases"
DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
DEFAULT_TRACING = {"enabled": False}
ENCRYPTION = {"type": "AWS_OWNED_KEY"}


def _does_not_exist(arn: str) -> StateMachineDoesNotExist:
    return StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")


def compile_definition(text: str, machine_type: str):
    try:
        return load(text, machine_type)
    except Invalid as invalid:
        raise InvalidDefinition(str(invalid)) from None


def _logging(config: dict | None) -> dict:
    if not config:
        return dict(DEFAULT_LOGGING)
    level = config.get("level", "OFF")
    destinations = config.get("destinations") or []
    if level != "OFF" and len(destinations) != 1:
        raise InvalidLoggingConfiguration("Invalid Logging Configuration: Must specify exactly one Log Destination.")
    out = {"level": level, "includeExecutionData": bool(config.get("includeExecutionData", False))}
    if "destinations" in config:  # an empty list is kept, as AWS keeps it
        out["destinations"] = destinations
    return out


class MachineService:
    def __init__(self, store: SfnStore, names: arns.Names) -> None:
        self.store = store
        self.names = names
        self.lock = threading.Lock()  # templates deploy from a thread of their own
        self._compiled: dict[tuple[str, str], Any] = {}

    def definition_of(self, text: str, machine_type: str):
        """A definition compiled once per text and type."""
        key = (text, machine_type)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = compile_definition(text, machine_type)
            if len(self._compiled) > 512:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled

    # -- state machines ---------------------------------------------------------------------------

    def create(
        self,
        name: str,
        definition: str,
        role_arn: str,
        machine_type: str = "STANDARD",
        logging: dict | None = None,
        tracing: dict | None = None,
        publish: bool = False,
        version_description: str | None = None,
        tags: list | None = None,
    ) -> dict:
        arns.check_name(name)
        if version_description and not publish:
            raise ValidationException("Version description can only be set when publish is true")
        self.definition_of(definition, machine_type)
        arn = self.names.machine(name)
        with self.lock:
            existing = self.store.get(MACHINES, arn)
            if existing is not None:
                same = (
                    existing["definition"] == definition
                    and existing["roleArn"] == role_arn
                    and existing["type"] == machine_type
                    and existing.get("loggingConfiguration") == _logging(logging)
                )
                if not same:
                    raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
                out = {"stateMachineArn": arn, "creationDate": existing["creationDate"]}
                if publish:
                    out["stateMachineVersionArn"] = self._publish(existing, version_description)["arn"]
                return out
            now = time.time()
            record = {
                "arn": arn,
                "name": name,
                "type": machine_type,
                "definition": definition,
                "roleArn": role_arn,
                "creationDate": now,
                "loggingConfiguration": _logging(logging),
                "tracingConfiguration": tracing or dict(DEFAULT_TRACING),
                "revisionId": None,
            }
            self.store.put(MACHINES, arn, record, now, name=name)
            if tags:
                self.store.tag(arn, tags)
            out = {"stateMachineArn": arn, "creationDate": now}
            if publish:
                out["stateMachineVersionArn"] = self._publish(record, version_description)["arn"]
        return out

    def get(self, arn: str) -> dict:
        record = self.store.get(MACHINES, arn)
        if record is None:
            raise _does_not_exist(arn)
        return record

    def describe(self, arn: str) -> dict:
        arns.parse(arn, ("stateMachine",))
        _, qualifier = arns.machine_of(arn)
        if qualifier is not None and qualifier.isdigit():
            record = self.store.get(VERSIONS, arn)
            if record is None:
                raise _does_not_exist(arn)
            out = self._shape(record, arn)
            if record.get("description"):
                out["description"] = record["description"]
            return out
        if qualifier is not None:
            raise _does_not_exist(arn)
        return self._shape(self.get(arn), arn)

    def _shape(self, record: dict, arn: str) -> dict:
        out = {
            "stateMachineArn": arn,
            "name": record["name"],
            "status": "ACTIVE",
            "definition": record["definition"],
            "roleArn": record["roleArn"],
            "type": record["type"],
            "creationDate": record["creationDate"],
            "loggingConfiguration": record.get("loggingConfiguration") or dict(DEFAULT_LOGGING),
            "tracingConfiguration": record.get("tracingConfiguration") or dict(DEFAULT_TRACING),
            "encryptionConfiguration": dict(ENCRYPTION),
        }
        if record.get("revisionId"):
            out["revisionId"] = record["revisionId"]
        refs = self.variable_references(record["definition"], record["type"])
        if refs:
            out["variableReferences"] = refs
        return out

    def variable_references(self, text: str, machine_type: str) -> dict:
        try:
            return references(json.loads(text))
        except (ValueError, AttributeError, TypeError):
            return {}

    def list(self) -> list[dict]:
        return [
            {"stateMachineArn": r["arn"], "name": r["name"], "type": r["type"], "creationDate": r["creationDate"]}
            for r in self.store.all(MACHINES)
        ]

    def update(
        self,
        arn: str,
        definition: str | None = None,
        role_arn: str | None = None,
        logging: dict | None = None,
        tracing: dict | None = None,
        publish: bool = False,
        version_description: str | None = None,
    ) -> dict:
        arns.parse(arn, ("stateMachine",))
        if definition is None and role_arn is None and logging is None and tracing is None:
            raise MissingRequiredParameter(
                "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be "
                "specified"
            )
        if version_description and not publish:
            raise ValidationException("Version description can only be set when publish is true")
        with self.lock:
            record = self.get(arn)
            changed = False
            if definition is not None and definition != record["definition"]:
                self.definition_of(definition, record["type"])
                record["definition"] = definition
                changed = True
            if role_arn is not None and role_arn != record["roleArn"]:
                record["roleArn"] = role_arn
                changed = True
            if logging is not None and _logging(logging) != record.get("loggingConfiguration"):
                record["loggingConfiguration"] = _logging(logging)
                changed = True  # a new revision, as for the definition
            if tracing is not None and tracing != record.get("tracingConfiguration"):
                record["tracingConfiguration"] = tracing
                changed = True
            now = time.time()
            if changed:
                record["revisionId"] = str(uuid.uuid4())
            record["updateDate"] = now
            self.store.put(MACHINES, arn, record, record["creationDate"], name=record["name"])
            out: dict[str, Any] = {"updateDate": now}
            if record.get("revisionId"):
                out["revisionId"] = record["revisionId"]
            if publish:
                out["stateMachineVersionArn"] = self._publish(record, version_description)["arn"]
        return out

    def delete(self, arn: str) -> None:
        arns.parse(arn, ("stateMachine",))
        _, qualifier = arns.machine_of(arn)
        with self.lock:
            if qualifier is not None:
                return
            self.store.delete(MACHINES, arn)
            for version in self.store.all(VERSIONS, "WHERE machine_arn = ?", (arn,)):
                self.store.delete(VERSIONS, version["arn"])
            for alias in self.store.all(ALIASES, "WHERE machine_arn = ?", (arn,)):
                self.store.delete(ALIASES, alias["arn"])
            self.store.untag(arn)

    # -- versions -----------------------------------------------------------------------------------

    def publish(self, arn: str, revision_id: str | None = None, description: str | None = None) -> dict:
        arns.parse(arn, ("stateMachine",))
        with self.lock:
            record = self.get(arn)
            if revision_id is not None and revision_id != (record.get("revisionId") or "INITIAL"):
                current = record.get("revisionId")
                raise ConflictException(
                    f"Failed to publish the State Machine version for revision {revision_id}. The current State "
                    f"Machine revision is {current}."
                )
            version = self._publish(record, description)
        return {"stateMachineVersionArn": version["arn"], "creationDate": version["creationDate"]}

    def _publish(self, record: dict, description: str | None) -> dict:
        machine_arn = record["arn"]
        revision = record.get("revisionId") or "INITIAL"
        for version in self.store.all(VERSIONS, "WHERE machine_arn = ?", (machine_arn,)):
            if version.get("revisionKey") == revision:
                return version
        number = self.store.next_version(machine_arn)
        now = time.time()
        version = {
            "arn": self.names.version(machine_arn, number),
            "machineArn": machine_arn,
            "version": number,
            "name": record["name"],
            "type": record["type"],
            "definition": record["definition"],
            "roleArn": record["roleArn"],
            "creationDate": now,
            "revisionKey": revision,
            "revisionId": record.get("revisionId"),
            "loggingConfiguration": record.get("loggingConfiguration"),
            "tracingConfiguration": record.get("tracingConfiguration"),
        }
        if description:
            version["description"] = description
        self.store.put(VERSIONS, version["arn"], version, now, machine_arn=machine_arn, version=number)
        return version

    def versions(self, machine_arn: str) -> list[dict]:
        arns.parse(machine_arn, ("stateMachine",))
        self.get(machine_arn)
        found = self.store.all(VERSIONS, "WHERE machine_arn = ?", (machine_arn,))
        found.sort(key=lambda v: -v["version"])
        return [{"stateMachineVersionArn": v["arn"], "creationDate": v["creationDate"]} for v in found]

    def delete_version(self, arn: str) -> None:
        arns.parse(arn, ("stateMachine",))
        machine_arn, _ = arns.machine_of(arn)
        with self.lock:
            users = [
                a["name"]
                for a in self.store.all(ALIASES, "WHERE machine_arn = ?", (machine_arn,))
                if any(r["stateMachineVersionArn"] == arn for r in a["routingConfiguration"])
            ]
            if users:
                raise ConflictException(
                    "Version to be deleted must not be referenced by an alias. Current list of aliases referencing "
                    f"this version: [{', '.join(users)}]"
                )
            self.store.delete(VERSIONS, arn)

    # -- aliases ----------------------------------------------------------------------------------------

    def _check_routing(self, routing: list[dict]) -> str:
        _check_routing_shape(routing)
        versions = [r["stateMachineVersionArn"] for r in routing]
        if any(not (arns.machine_of(v)[1] or "").isdigit() for v in versions):
            raise ValidationException(
                f"Routing configuration must contain state machine version ARNs. Received: [{', '.join(versions)}]"
            )
        if len(set(versions)) != len(versions):
            raise ValidationException(
                "Routing configuration must contain distinct state machine version ARNs. Received: "
                f"[{', '.join(versions)}]"
            )
        weights = [r["weight"] for r in routing]
        if sum(weights) != 100:
            raise ValidationException(
                f"Sum of routing configuration weights must equal 100. Received: [{', '.join(map(str, weights))}]"
            )
        machines = {arns.machine_of(v)[0] for v in versions}
        for version in versions:
            if self.store.get(VERSIONS, version) is None:
                raise ResourceNotFound("Request references a resource that does not exist.")
        return machines.pop()

    def create_alias(self, name: str, routing: list[dict], description: str | None = None) -> dict:
        if not arns.ALIAS_NAME.match(name) or len(name) > 80:
            raise ValidationException(
                f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
            )
        with self.lock:
            machine_arn = self._check_routing(routing)
            arn = self.names.alias(machine_arn, name)
            existing = self.store.get(ALIASES, arn)
            if existing is not None:
                if existing["routingConfiguration"] == routing and existing.get("description") == description:
                    return {"stateMachineAliasArn": arn, "creationDate": existing["creationDate"]}
                raise ConflictException(
                    "Failed to create alias because an alias with the same name and a different routing configuration "
                    "already exists."
                )
            now = time.time()
            record = {
                "arn": arn,
                "name": name,
                "machineArn": machine_arn,
                "routingConfiguration": routing,
                "creationDate": now,
                "updateDate": now,
            }
            if description:
                record["description"] = description
            self.store.put(ALIASES, arn, record, now, machine_arn=machine_arn)
        return {"stateMachineAliasArn": arn, "creationDate": now}

    def alias(self, arn: str) -> dict:
        arns.parse(arn, ("stateMachine",))
        record = self.store.get(ALIASES, arn)
        if record is None:
            raise ResourceNotFound("Request references a resource that does not exist.")
        return record

    def describe_alias(self, arn: str) -> dict:
        record = self.alias(arn)
        out = {
            "stateMachineAliasArn": arn,
            "name": record["name"],
            "routingConfiguration": record["routingConfiguration"],
            "creationDate": record["creationDate"],
            "updateDate": record["updateDate"],
        }
        if record.get("description"):
            out["description"] = record["description"]
        return out

    def update_alias(self, arn: str, routing: list[dict] | None, description: str | None) -> dict:
        with self.lock:
            record = self.alias(arn)
            if routing is not None:
                self._check_routing(routing)
                record["routingConfiguration"] = routing
            if description is not None:
                record["description"] = description
            record["updateDate"] = time.time()
            self.store.put(ALIASES, arn, record, record["creationDate"], machine_arn=record["machineArn"])
        return {"updateDate": record["updateDate"]}

    def delete_alias(self, arn: str) -> None:
        arns.parse(arn, ("stateMachine",))
        self.store.delete(ALIASES, arn)

    def aliases(self, machine_arn: str) -> list[dict]:
        arns.parse(machine_arn, ("stateMachine",))
        self.get(machine_arn)
        return [
            {"stateMachineAliasArn": a["arn"], "creationDate": a["creationDate"]}
            for a in self.store.all(ALIASES, "WHERE machine_arn = ?", (machine_arn,))
        ]

    # -- what an execution runs -----------------------------------------------------------------------

    def resolve(self, arn: str) -> Machine:
        """The machine, version or alias (a weighted draw) named by ``arn``."""
        try:
            arns.parse(arn, ("stateMachine",))
        except InvalidArn:
            raise
        machine_arn, qualifier = arns.machine_of(arn)
        alias_arn = None
        if qualifier is not None and not qualifier.isdigit():
            alias = self.store.get(ALIASES, arn)
            if alias is None:
                raise _does_not_exist(arn)
            alias_arn = arn
            arn = _draw(alias["routingConfiguration"])
            qualifier = arn.rsplit(":", 1)[1]
        if qualifier is not None:
            record = self.store.get(VERSIONS, arn)
            if record is None:
                raise _does_not_exist(arn)
            version_arn = arn
        else:
            record = self.store.get(MACHINES, machine_arn)
            if record is None:
                raise _does_not_exist(machine_arn)
            version_arn = None
        definition = self.definition_of(record["definition"], record["type"])
        return Machine(
            machine_arn,
            record["name"],
            definition,
            record["definition"],
            record["roleArn"],
            record["type"],
            version_arn,
            alias_arn,
            record.get("loggingConfiguration"),
            record.get("revisionId"),
            record.get("updateDate") or record["creationDate"],
        )

    def validate(self, definition: str, machine_type: str = "STANDARD") -> dict:
        _, problem = parse_json(definition)
        if problem is not None:
            return {"result": "FAIL", "diagnostics": [problem.as_api()], "truncated": False}
        try:
            load(definition, machine_type)
        except Invalid as invalid:
            return {"result": "FAIL", "diagnostics": [d.as_api() for d in invalid.diagnostics], "truncated": False}
        return {"result": "OK", "diagnostics": [], "truncated": False}


def _check_routing_shape(routing: list[dict]) -> None:
    """The model's constraints on the list (AWS checks them before the meaning, in its own wording)."""
    problems = []
    if len(routing) > 2:
        items = ", ".join(
            f"RoutingConfigurationListItem(stateMachineVersionArn={r.get('stateMachineVersionArn')}, "
            f"weight={r.get('weight')})"
            for r in routing
        )
        problems.append(
            f"Value '[{items}]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less "
            "than or equal to 2"
        )
    for index, item in enumerate(routing, start=1):
        weight = item.get("weight")
        if isinstance(weight, int) and weight > 100:
            problems.append(
                f"Value '{weight}' at 'routingConfiguration.{index}.member.weight' failed to satisfy constraint: "
                "Member must have value less than or equal to 100"
            )
    if problems:
        noun = "validation error" if len(problems) == 1 else "validation errors"
        raise ValidationException(f"{len(problems)} {noun} detected: " + "; ".join(problems))


def _draw(routing: list[dict]) -> str:
    point = random.uniform(0, 100)
    total = 0.0
    for entry in routing:
        total += entry["weight"]
        if point < total:
            return entry["stateMachineVersionArn"]
    return routing[-1]["stateMachineVersionArn"]
