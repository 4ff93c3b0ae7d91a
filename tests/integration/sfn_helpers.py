"""Step Functions through boto3 against a served host: a client, and running a definition to its end."""

from __future__ import annotations

import json
import secrets
import time

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"


def sfn_client(endpoint: str, region: str = "us-east-1"):
    """StartSyncExecution and TestState carry a host prefix (``sync-``, ``test-``) in AWS's model:
    turned off, as for any endpoint on localhost."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="lambda-host",
        aws_secret_access_key="lambda-host",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=300, inject_host_prefix=False),
    )


def create(sfn, definition: dict, machine_type: str = "STANDARD", name: str | None = None) -> str:
    name = name or f"sm-{secrets.token_hex(4)}"
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE, type=machine_type)[
        "stateMachineArn"
    ]


def wait_for_end(sfn, execution: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{execution} still running after {timeout} s"
        time.sleep(0.05)
    return described


def history(sfn, execution: str) -> list[dict]:
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution)
    return [event for page in pages for event in page["events"]]


def wait_for_event(sfn, execution: str, kind: str, timeout: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        events = history(sfn, execution)
        if any(e["type"] == kind for e in events):
            return events
        assert time.monotonic() < deadline, f"no {kind} in {[e['type'] for e in events]}"
        time.sleep(0.05)


def run(sfn, definition: dict, payload=None, timeout: float = 120.0) -> tuple[dict, list[dict]]:
    """A Standard execution of ``definition`` to its end: (DescribeExecution, history)."""
    arn = create(sfn, definition)
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload or {}))["executionArn"]
    described = wait_for_end(sfn, execution, timeout)
    return described, history(sfn, execution)


def details(events: list[dict], kind: str) -> list[dict]:
    """The details of every event of one type, in order."""
    out = []
    for event in events:
        if event["type"] == kind:
            out.append(next((v for k, v in event.items() if k.endswith("EventDetails")), {}))
    return out
