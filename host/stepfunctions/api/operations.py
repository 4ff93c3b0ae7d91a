"""Each Step Functions operation as a call on the services: request members in, response out."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from host.stepfunctions.service import arns, paging
from host.stepfunctions.service.errors import (
    InvalidArn,
    ResourceNotFound,
    TooManyTags,
    ValidationException,
)

if TYPE_CHECKING:
    from host.stepfunctions.app import StepFunctions

MAX_TAGS = 50


def table(sfn: StepFunctions) -> dict[str, Callable[[dict], Any]]:
    machines, executions, activities = sfn.machines, sfn.executions, sfn.activities

    def create_state_machine(p: dict) -> dict:
        _check_tags(p.get("tags"))
        return machines.create(
            p["name"],
            p["definition"],
            p["roleArn"],
            p.get("type", "STANDARD"),
            p.get("loggingConfiguration"),
            p.get("tracingConfiguration"),
            p.get("publish", False),
            p.get("versionDescription"),
            p.get("tags"),
        )

    def list_state_machines(p: dict) -> dict:
        items, token = paging.page(machines.list(), p.get("maxResults"), p.get("nextToken"))
        return _with_token({"stateMachines": items}, token)

    def list_versions(p: dict) -> dict:
        items, token = paging.page(machines.versions(p["stateMachineArn"]), p.get("maxResults"), p.get("nextToken"))
        return _with_token({"stateMachineVersions": items}, token)

    def list_aliases(p: dict) -> dict:
        items, token = paging.page(machines.aliases(p["stateMachineArn"]), p.get("maxResults"), p.get("nextToken"))
        return _with_token({"stateMachineAliases": items}, token)

    def start_execution(p: dict) -> dict:
        run = executions.start(p["stateMachineArn"], p.get("name"), p.get("input"), p.get("traceHeader"))
        return {"executionArn": run.arn, "startDate": run.start}

    def history(p: dict) -> bytes:
        texts, token = executions.history(
            p["executionArn"],
            p.get("maxResults"),
            p.get("nextToken"),
            p.get("reverseOrder", False),
            p.get("includeExecutionData", True),
        )
        tail = f',"nextToken":"{token}"' if token else ""
        return ('{"events":[' + ",".join(texts) + "]" + tail + "}").encode()

    def delete_state_machine(p: dict) -> dict:
        machines.delete(p["stateMachineArn"])
        return {}

    def delete_version(p: dict) -> dict:
        machines.delete_version(p["stateMachineVersionArn"])
        return {}

    def delete_alias(p: dict) -> dict:
        machines.delete_alias(p["stateMachineAliasArn"])
        return {}

    def create_activity(p: dict) -> dict:
        _check_tags(p.get("tags"))
        return activities.create(p["name"], p.get("tags"))

    def delete_activity(p: dict) -> dict:
        activities.delete(p["activityArn"])
        return {}

    def tag(p: dict) -> dict:
        arn = _tagged(sfn, p["resourceArn"])
        _check_tags(p.get("tags"), len(sfn.store.tags(arn)))
        sfn.store.tag(arn, p["tags"])
        return {}

    def untag(p: dict) -> dict:
        sfn.store.untag(_tagged(sfn, p["resourceArn"]), p["tagKeys"])
        return {}

    def list_tags(p: dict) -> dict:
        return {"tags": sfn.store.tags(_tagged(sfn, p["resourceArn"]))}

    return {
        "CreateStateMachine": create_state_machine,
        "DescribeStateMachine": lambda p: machines.describe(p["stateMachineArn"]),
        "ListStateMachines": list_state_machines,
        "UpdateStateMachine": lambda p: machines.update(
            p["stateMachineArn"],
            p.get("definition"),
            p.get("roleArn"),
            p.get("loggingConfiguration"),
            p.get("tracingConfiguration"),
            p.get("publish", False),
            p.get("versionDescription"),
        ),
        "DeleteStateMachine": delete_state_machine,
        "ValidateStateMachineDefinition": lambda p: machines.validate(p["definition"], p.get("type", "STANDARD")),
        "PublishStateMachineVersion": lambda p: machines.publish(
            p["stateMachineArn"], p.get("revisionId"), p.get("description")
        ),
        "ListStateMachineVersions": list_versions,
        "DeleteStateMachineVersion": delete_version,
        "CreateStateMachineAlias": lambda p: machines.create_alias(
            p["name"], p["routingConfiguration"], p.get("description")
        ),
        "DescribeStateMachineAlias": lambda p: machines.describe_alias(p["stateMachineAliasArn"]),
        "UpdateStateMachineAlias": lambda p: machines.update_alias(
            p["stateMachineAliasArn"], p.get("routingConfiguration"), p.get("description")
        ),
        "DeleteStateMachineAlias": delete_alias,
        "ListStateMachineAliases": list_aliases,
        "StartExecution": start_execution,
        "StartSyncExecution": lambda p: executions.start_sync(
            p["stateMachineArn"], p.get("name"), p.get("input"), p.get("traceHeader")
        ),
        "DescribeExecution": lambda p: executions.describe(p["executionArn"]),
        "DescribeStateMachineForExecution": lambda p: executions.describe_machine_for(p["executionArn"]),
        "ListExecutions": lambda p: executions.list(
            p.get("stateMachineArn"), p.get("statusFilter"), p.get("maxResults"), p.get("nextToken"), p.get("mapRunArn")
        ),
        "GetExecutionHistory": history,
        "StopExecution": lambda p: executions.stop(p["executionArn"], p.get("error"), p.get("cause")),
        "RedriveExecution": lambda p: executions.redrive(p["executionArn"]),
        "SendTaskSuccess": lambda p: executions.send_success(p["taskToken"], p["output"]),
        "SendTaskFailure": lambda p: executions.send_failure(p["taskToken"], p.get("error"), p.get("cause")),
        "SendTaskHeartbeat": lambda p: executions.send_heartbeat(p["taskToken"]),
        "CreateActivity": create_activity,
        "DescribeActivity": lambda p: activities.describe(p["activityArn"]),
        "ListActivities": lambda p: activities.list(p.get("maxResults"), p.get("nextToken")),
        "DeleteActivity": delete_activity,
        "GetActivityTask": lambda p: activities.poll(p["activityArn"], p.get("workerName")),
        "TagResource": tag,
        "UntagResource": untag,
        "ListTagsForResource": list_tags,
        "DescribeMapRun": lambda p: sfn.map_runs.describe(p["mapRunArn"]),
        "ListMapRuns": lambda p: sfn.map_runs.list(p["executionArn"], p.get("maxResults"), p.get("nextToken")),
        "UpdateMapRun": lambda p: sfn.map_runs.update(
            p["mapRunArn"], p.get("maxConcurrency"), p.get("toleratedFailurePercentage"), p.get("toleratedFailureCount")
        ),
        "TestState": lambda p: sfn.test_state.run(p),
    }


def _with_token(body: dict, token: str | None) -> dict:
    if token:
        body["nextToken"] = token
    return body


def _check_tags(tags: list | None, existing: int = 0) -> None:
    if tags and len(tags) + existing > MAX_TAGS:
        raise TooManyTags(f"Too many tags: the resource would have more than {MAX_TAGS} tags")
    for tag in tags or ():
        if not tag.get("key"):
            raise ValidationException("Tag keys must not be empty")


def _tagged(sfn: StepFunctions, arn: str) -> str:
    try:
        parsed = arns.parse(arn, ("stateMachine", "activity"))
    except InvalidArn:
        raise ResourceNotFound(f"Resource not found: '{arn}'") from None
    table = "sfn_state_machines" if parsed.kind == "stateMachine" else "sfn_activities"
    if sfn.store.get(table, arn) is None:
        raise ResourceNotFound(f"Resource not found: '{arn}'")
    return arn
