"""Every execution AWS recorded (cases/*.json) runs here and gives the same history, event by
event: types, ids, previousEventIds, names, inputs, outputs, errors and causes.

The definitions are this project's; the histories are AWS's recordings (LocalStack's
snapshot files, copied by tests/tools/fill_snapshot_cases.py). Lambda functions are the
fake ones of ``host.testing.stepfunctions``; the same behaviours run against real
containers in tests/integration/test_stepfunctions_*.py.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from pathlib import Path

import pytest

from host.testing.stepfunctions import StepFunctionsServer
from tests.unit.stepfunctions.fake_functions import install
from tests.unit.stepfunctions.oracle import history_differences, normalise_parallel, recorded_input

CASES = []
for path in sorted((Path(__file__).parent / "cases").glob("*.json")):
    for case in json.loads(path.read_text()):
        CASES.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))

ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = StepFunctionsServer(tmp_path_factory.mktemp("sfn-oracle"), wait_scale=0.001).start()
    install(server.functions)
    yield server
    server.stop()


def _runtime(value: str) -> str:
    """``@now<suffix>`` is the time now in UTC to the second, then the suffix; ``@days:<n>`` is
    that many days from now with milliseconds (the recordings hid such times)."""
    now = datetime.datetime.now(tz=datetime.UTC)
    if value.startswith("@days:"):
        return (now + datetime.timedelta(days=int(value[6:]))).strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"
    if value.startswith("@now"):
        return now.strftime("%Y-%m-%dT%H:%M:%S") + value[4:]
    return value


def _substitute(text: str, substitutions: dict) -> str:
    for placeholder, value in substitutions.items():
        text = text.replace(placeholder, _runtime(value))
    return text


@pytest.mark.parametrize("case", CASES)
def test_history_matches_aws(case, server):
    client = server.client()
    substitutions = dict(case.get("substitutions", {}))
    children = []
    for child in case.get("children", []):  # machines the case's execution starts (nested executions)
        child_name = f"child-{abs(hash(case['name'])) % 10**8}-{time.monotonic_ns() % 10**6}"
        made = client.create_state_machine(name=child_name, definition=json.dumps(child["definition"]), roleArn=ROLE)
        children.append(made["stateMachineArn"])
        substitutions[child["placeholder"]] = made["stateMachineArn"]
    definition = _substitute(json.dumps(case["definition"]), substitutions)
    name = f"oracle-{abs(hash(case['name'])) % 10**8}-{time.monotonic_ns() % 10**6}"
    arn = client.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]
    try:
        text = case.get("input")
        text = json.dumps(text) if text is not None and not isinstance(text, str) else text
        text = _substitute(text or recorded_input(case["history"]), substitutions)
        execution = client.start_execution(stateMachineArn=arn, input=text)["executionArn"]
        deadline = time.monotonic() + 30
        if case.get("while_running"):  # recorded while the execution still ran: compare once as many events exist
            while len(client.get_execution_history(executionArn=execution)["events"]) < len(case["history"]):
                assert time.monotonic() < deadline, "the events did not come"
                time.sleep(0.01)
        else:
            while client.describe_execution(executionArn=execution)["status"] == "RUNNING":
                assert time.monotonic() < deadline, "the execution did not end"
                time.sleep(0.01)
        events = client.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        if case.get("while_running"):
            client.stop_execution(executionArn=execution)
        actual = [{k: v for k, v in e.items() if k != "timestamp"} for e in events]
        if any(e.get("id") == [0] for e in case["history"]):
            actual = normalise_parallel(actual)
        bare = {k: v for k, v in substitutions.items() if not k.startswith(("<", "%"))}
        expected = json.loads(_substitute(json.dumps(case["history"]), bare)) if bare else case["history"]
        if case.get("hidden_name_lengths"):  # the recording hid names whose length sets a Content-Length
            expected, actual = _without_content_length(expected), _without_content_length(actual)
        problems = history_differences(expected, actual)
        assert not problems, "\n".join(problems)
    finally:
        client.delete_state_machine(stateMachineArn=arn)
        for child_arn in children:
            client.delete_state_machine(stateMachineArn=child_arn)


def _without_content_length(events: list[dict]) -> list[dict]:
    text = re.sub(r'(\\*"Content-Length\\*":\s*\[?\s*\\*")\d+', r"\g<1>0", json.dumps(events))
    return json.loads(text)
