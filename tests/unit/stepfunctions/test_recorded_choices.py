"""Every Choice comparison AWS recorded (choice_cases.json: the operator, the execution input
and the branch taken) takes the same branch here: each operator over nulls, numbers, strings,
timestamps, arrays, objects and booleans, with the value literal or read by a *Path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from host.testing.stepfunctions import StepFunctionsServer

GROUPS = json.loads((Path(__file__).parent / "choice_cases.json").read_text())
# The recordings replaced timestamps with the word "date"; those comparisons cannot be replayed.
HIDDEN = "date"
ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"


def definition(operator: str, value) -> str:
    """Variable $.Variable against the value (the literal, or $.Value for a *Path operator)."""
    rule = {"Variable": "$.Variable", operator: "$.Value" if operator.endswith("Path") else value, "Next": "Yes"}
    return json.dumps({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": {"TestResult.$": "ConditionTrue"}, "End": True},
            "No": {"Type": "Pass", "Result": {"TestResult.$": "ConditionFalse"}, "End": True},
        },
    })  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    server = StepFunctionsServer(tmp_path_factory.mktemp("sfn-choices")).start()
    yield server.client()
    server.stop()


@pytest.mark.parametrize("group", GROUPS, ids=[g["operator"] for g in GROUPS])
def test_choice_takes_the_recorded_branch(group, client):
    operator = group["operator"]
    machines: dict[str, str] = {}
    started = []
    for case in group["cases"]:
        if HIDDEN in (case["input"]["Variable"], case["input"]["Value"]):
            continue
        value = case["input"]["Value"]
        key = json.dumps(value) if not operator.endswith("Path") else ""
        if key not in machines:
            name = f"{operator}-{len(machines)}-{time.monotonic_ns() % 10**6}"
            machines[key] = client.create_state_machine(
                name=name, definition=definition(operator, value), roleArn=ROLE
            )["stateMachineArn"]
        execution = client.start_execution(stateMachineArn=machines[key], input=json.dumps(case["input"]))
        started.append((case, execution["executionArn"]))
    wrong = []
    for case, arn in started:
        deadline = time.monotonic() + 30
        while (described := client.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.005)
        got = json.loads(described["output"]) if described["status"] == "SUCCEEDED" else described
        if got != case["output"]:
            wrong.append(f"{case['input']}: expected {case['output']}, got {got}")
    assert not wrong, "\n".join(wrong)
