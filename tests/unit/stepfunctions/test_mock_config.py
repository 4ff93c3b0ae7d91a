"""Step Functions Local's mock configuration file: how it is read, numbered and ranged responses,
clear errors for a file that cannot be used, and what StartExecution says of an unknown case."""

import json

import pytest
from botocore.exceptions import ClientError

from host.stepfunctions.integrations.mocks import MockConfig, MockConfigError
from host.testing.stepfunctions import StepFunctionsServer

ROLE = "arn:aws:iam::123456789012:role/lambda-host-test"
LOOP = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "anything"},
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "ResultSelector": {"n.$": "$.Payload.n"},
            "Next": "Again",
        },
        "Again": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Call"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
CONFIG = {
    "StateMachines": {"loop": {"TestCases": {"Happy": {"Call": "counting"}}}},
    "MockedResponses": {
        "counting": {
            "0": {"Throw": {"Error": "Flaky", "Cause": "first call fails"}},
            "1-2": {"Return": {"StatusCode": 200, "Payload": {"n": 1}}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"n": 3}}},
        }
    },
}


@pytest.fixture
def server(tmp_path):
    (tmp_path / "mocks.json").write_text(json.dumps(CONFIG))
    server = StepFunctionsServer(tmp_path, mock_config=tmp_path / "mocks.json", wait_scale=0.001).start()
    yield server
    server.stop()


def test_numbered_and_ranged_responses_count_every_invocation(server):
    client = server.client()
    arn = client.create_state_machine(name="loop", definition=json.dumps(LOOP), roleArn=ROLE)["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=f"{arn}#Happy")["executionArn"]
    while (described := client.describe_execution(executionArn=execution))["status"] == "RUNNING":
        pass
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"n": 3}
    events = client.get_execution_history(executionArn=execution)["events"]
    kinds = [e["type"] for e in events if e["type"] in ("TaskFailed", "TaskSucceeded")]
    assert kinds == ["TaskFailed", "TaskSucceeded", "TaskSucceeded", "TaskSucceeded"]  # 0 throws; 1-2, then 3
    assert server.functions.calls == []  # the mocked task never reached a function


def test_an_unknown_test_case_is_refused(server):
    client = server.client()
    arn = client.create_state_machine(name="loop", definition=json.dumps(LOOP), roleArn=ROLE)["stateMachineArn"]
    with pytest.raises(ClientError) as caught:
        client.start_execution(stateMachineArn=f"{arn}#NoSuchCase")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Test case 'NoSuchCase' of state machine 'loop' is not in the mock configuration" in str(caught.value)


def test_a_file_that_cannot_be_used_names_the_problem(tmp_path):
    with pytest.raises(MockConfigError, match=r"missing\.json"):
        MockConfig.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(MockConfigError, match=r"bad\.json"):
        MockConfig.load(tmp_path / "bad.json")
    with pytest.raises(MockConfigError, match="'one' is not an invocation number or range"):
        MockConfig({"MockedResponses": {"r": {"one": {"Return": 1}}}})
    with pytest.raises(MockConfigError, match=r"MockedResponses\.r\.0 needs Return or Throw"):
        MockConfig({"MockedResponses": {"r": {"0": {"Returns": 1}}}})


def test_the_environment_names_the_file(tmp_path, monkeypatch):
    (tmp_path / "mocks.json").write_text(json.dumps(CONFIG))
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(tmp_path / "mocks.json"))
    assert MockConfig.load(None).has_case("loop", "Happy")
