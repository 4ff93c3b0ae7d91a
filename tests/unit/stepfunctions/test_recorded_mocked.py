"""Step Functions Local's mock configuration (``--sfn-mock-config``), against AWS's recordings:
each case (mock_cases/*.json) names the Task states to mock; their mocked responses are the
results AWS recorded for them (in order, one per invocation, so numbered responses are used),
and the execution, started on ``<machine ARN>#<test case>``, must give the recorded history
event by event. The mocked services are never called (there are none behind this server).
The one part not compared is a ``TaskSubmitted`` event's output: with a real service it is
the service's answer, which a mock configuration cannot give.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from host.testing.stepfunctions import StepFunctionsServer
from tests.unit.stepfunctions.oracle import history_differences, normalise_parallel, recorded_input

CASES = [
    pytest.param(case, id=f"{path.stem}: {case['name']}")
    for path in sorted((Path(__file__).parent / "mock_cases").glob("*.json"))
    for case in json.loads(path.read_text())
]
ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"
PLACEHOLDER = re.compile(r"<[^<>]+>")
RESULTS = {"taskSucceededEventDetails": "Return", "lambdaFunctionSucceededEventDetails": "Return",
           "taskFailedEventDetails": "Throw", "lambdaFunctionFailedEventDetails": "Throw"}  # fmt: skip


def _value(recorded):
    """A recorded value as JSON to return: placeholders (ids the recording hid) become plain text;
    a value the recording kept as JSON text (a string, an array) is that text's value."""
    if isinstance(recorded, str):
        recorded = json.loads(recorded)
    return json.loads(PLACEHOLDER.sub("x", json.dumps(recorded)))


def mocked_responses(case: dict) -> dict:
    """Per mocked state, its invocations' answers in the recorded order."""
    answers: dict[str, list] = {name: [] for name in case["mocked"]}
    current: list[str | None] = list(case.get("result_order", []))  # which state each result is for
    for event in case["history"]:
        entered = event.get("stateEnteredEventDetails")
        if entered is not None and entered["name"] in answers and "result_order" not in case:
            current.append(entered["name"])
        for key, kind in RESULTS.items():
            if key in event and current:
                name = current.pop(0)
                details = event[key]
                if kind == "Return":
                    answers[name].append({"Return": _value(details["output"])})
                else:
                    answers[name].append({"Throw": {"Error": details.get("error"), "Cause": details.get("cause")}})
    return {name: {str(i): answer for i, answer in enumerate(found)} for name, found in answers.items()}


@pytest.mark.parametrize("case", CASES)
def test_mocked_history_matches_aws(case, tmp_path):
    machine = f"mocked-{abs(hash(case['name'])) % 10**8}"
    responses = mocked_responses(case)
    config = {
        "StateMachines": {machine: {"TestCases": {"Case": {name: f"{name}-answers" for name in responses}}}},
        "MockedResponses": {f"{name}-answers": answers for name, answers in responses.items()},
    }
    (tmp_path / "mocks.json").write_text(json.dumps(config))
    server = StepFunctionsServer(tmp_path, mock_config=tmp_path / "mocks.json", wait_scale=0.001).start()
    try:
        client = server.client()
        arn = client.create_state_machine(name=machine, definition=json.dumps(case["definition"]), roleArn=ROLE)[
            "stateMachineArn"
        ]
        execution = client.start_execution(stateMachineArn=f"{arn}#Case", input=recorded_input(case["history"]))
        deadline = time.monotonic() + 30
        while client.describe_execution(executionArn=execution["executionArn"])["status"] == "RUNNING":
            assert time.monotonic() < deadline, "the execution did not end"
            time.sleep(0.01)
        events = client.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
        actual = [{k: v for k, v in e.items() if k != "timestamp"} for e in events]
        for event in actual:
            if "taskSubmittedEventDetails" in event:  # made up by a mock: see the module's note
                event["taskSubmittedEventDetails"] = dict(event["taskSubmittedEventDetails"], output="<submitted>")
        if any(e.get("id") == [0] for e in case["history"]):
            actual = normalise_parallel(actual)
        expected = json.loads(_substituted(json.dumps(case["history"]), case.get("substitutions", {})))
        for event in expected:
            if "taskSubmittedEventDetails" in event:
                event["taskSubmittedEventDetails"] = dict(event["taskSubmittedEventDetails"], output="<submitted>")
        problems = history_differences(expected, actual)
        assert not problems, "\n".join(problems)
    finally:
        server.stop()


def _substituted(text: str, substitutions: dict) -> str:
    for word, value in substitutions.items():
        text = text.replace(word, value)
    return text
